// Goal checker component: any [data-goal-checker="<textarea id>"] panel checks that
// textarea as the user types (debounced) through POST /api/v1/goals/check.
(function () {
  "use strict";
  var VERDICTS = {
    means: { label: "手段（方法）になっています", cls: "verdict-means", icon: "⚠" },
    outcome: { label: "成果（アウトカム）の目標です", cls: "verdict-outcome", icon: "✓" },
    unclear: { label: "判定できません", cls: "verdict-unclear", icon: "？" }
  };
  var SLOTS = [["beneficiary", "誰が（受益者）"], ["metric", "指標"], ["target", "目標値"],
               ["deadline", "期限"], ["baseline", "現状値"]];

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function render(container, result) {
    container.textContent = "";
    var v = VERDICTS[result.verdict] || VERDICTS.unclear;
    var head = el("p", "verdict " + v.cls);
    head.appendChild(el("span", "verdict-icon", v.icon + " "));
    head.appendChild(el("strong", null, v.label));
    if (result.level) { head.appendChild(el("span", "verdict-level", "（ロジックモデル：" + result.level + "）")); }
    container.appendChild(head);
    if (result.reasons && result.reasons.length) {
      var ul = el("ul", "verdict-reasons");
      result.reasons.forEach(function (r) { ul.appendChild(el("li", null, r)); });
      container.appendChild(ul);
    }
    if (result.suggestion) {
      container.appendChild(el("p", "mb-1 fw-bold", "書き換えの例"));
      container.appendChild(el("p", "verdict-suggestion", result.suggestion));
    }
    var dl = el("dl", "verdict-slots");
    SLOTS.forEach(function (pair) {
      var value = result.slots ? result.slots[pair[0]] : null;
      dl.appendChild(el("dt", null, pair[1]));
      dl.appendChild(el("dd", value ? "slot-found" : "slot-missing", value ? "✓ " + value : "— 未記入"));
    });
    container.appendChild(dl);
    if (result.goals && result.goals.length > 1) {
      var ol = el("ol", "verdict-goals");
      result.goals.forEach(function (g) {
        var gv = VERDICTS[g.verdict] || VERDICTS.unclear;
        ol.appendChild(el("li", gv.cls, gv.icon + " " + gv.label + (g.level ? "（" + g.level + "）" : "")));
      });
      container.appendChild(el("p", "mb-1 fw-bold", "目標ごとの判定"));
      container.appendChild(ol);
    }
    var model = document.querySelector(".logic-model");
    if (model) {
      Array.prototype.forEach.call(model.querySelectorAll("li"), function (li) {
        var current = li.getAttribute("data-level") === result.level;
        li.classList.toggle("is-current", current);
        if (current) { li.setAttribute("aria-current", "true"); } else { li.removeAttribute("aria-current"); }
      });
    }
  }

  var LEVEL_HINT = {
    "活動": "市役所が行うこと（手段）",
    "アウトプット": "活動で生まれるもの・その量（手段）",
    "アウトカム": "住民・職員に起きる変化（目標）",
    "インパクト": "地域・社会の長期的な変化（目標）"
  };

  function postJSON(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    });
  }

  // 活動 → アウトプット → アウトカム → インパクト, with the user's words on each rung.
  function renderLadder(panel, info) {
    var box = panel.querySelector(".goal-checker-ladder");
    var ol = panel.querySelector(".logic-ladder");
    if (!box || !ol) { return; }
    ol.textContent = "";
    info.ladder.forEach(function (rung) {
      var li = el("li", rung.current ? "is-current" : null);
      li.appendChild(el("strong", null, rung.level));
      li.appendChild(el("span", "ladder-hint", "：" + LEVEL_HINT[rung.level]));
      if (rung.words.length) {
        li.appendChild(el("span", "ladder-words", " — 根拠の言葉：" + rung.words.map(function (w) {
          return "『" + w + "』"; }).join("・")));
      }
      if (rung.current) {
        li.setAttribute("aria-current", "true");
        li.appendChild(el("span", "ladder-here", "（この目標の位置）"));
      }
      ol.appendChild(li);
    });
    box.hidden = !info.level;
  }

  function renderTrainer(panel, info) {
    var box = panel.querySelector(".goal-checker-trainer");
    if (!box) { return; }
    box.textContent = "";
    info.corrections.forEach(function (c) {
      var card = el("div", "trainer-word");
      var p = el("p", "mb-1");
      p.appendChild(el("strong", null, "講師の判定："));
      p.appendChild(document.createTextNode(c.label_ja));
      card.appendChild(p);
      if (c.note) { card.appendChild(el("p", "mb-1", "「" + c.note + "」")); }
      card.appendChild(el("p", "small text-body-secondary mb-0",
        "— " + c.trainer + "（" + c.created_at + "）。チェッカーの判定より講師の言葉を優先してください。"));
      box.appendChild(card);
    });
    var correct = panel.querySelector(".goal-checker-correct");
    if (correct) { correct.hidden = !info.can_correct; }
  }

  function attachCorrection(panel, textarea, refresh) {
    var toggle = panel.querySelector(".gc-correct-toggle");
    var form = panel.querySelector(".gc-correct-form");
    if (!toggle || !form) { return; }
    var status = form.querySelector(".gc-correct-status");
    toggle.addEventListener("click", function () {
      form.hidden = !form.hidden;
      toggle.setAttribute("aria-expanded", form.hidden ? "false" : "true");
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = form.querySelector('input[name="label"]:checked');
      if (!chosen) { status.textContent = "正しい判定を選んでください。"; return; }
      var payload = { text: textarea.value, label: chosen.value, note: form.elements.note.value };
      var cohort = panel.getAttribute("data-cohort");
      if (cohort) { payload.cohort = cohort; }
      postJSON(panel.getAttribute("data-correct-endpoint"), payload).then(function (res) {
        if (res.ok) {
          status.textContent = "訂正を保存しました。チームには講師の判定として表示されます。";
          form.reset();
          form.hidden = true;
          toggle.setAttribute("aria-expanded", "false");
          refresh();
        } else {
          status.textContent = (res.body.error && res.body.error.message) || "保存できませんでした。";
        }
      }).catch(function () { status.textContent = "通信できませんでした。"; });
    });
  }

  function attach(panel) {
    var textarea = document.getElementById(panel.getAttribute("data-goal-checker"));
    var container = panel.querySelector(".goal-checker-result");
    var endpoint = panel.getAttribute("data-endpoint");
    if (!textarea || !container) { return; }
    var timer = null;
    var seq = 0;
    function check() {
      var mine = ++seq;
      fetch(endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ text: textarea.value })
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (res) {
        if (mine !== seq) { return; }  // a newer check is on its way
        if (res.ok) { render(container, res.body); explain(); }
        else { container.textContent = (res.body.error && res.body.error.message) || "判定できませんでした。"; }
      }).catch(function () {
        if (mine === seq) { container.textContent = "通信できませんでした。しばらくしてから入力し直してください。"; }
      });
    }
    function explain() {
      var payload = { text: textarea.value };
      var cohort = panel.getAttribute("data-cohort");
      if (cohort) { payload.cohort = cohort; }
      postJSON(panel.getAttribute("data-explain-endpoint"), payload).then(function (res) {
        if (res.ok) { renderLadder(panel, res.body); renderTrainer(panel, res.body); }
      }).catch(function () { /* the verdict is already shown; the extras can wait */ });
    }
    attachCorrection(panel, textarea, explain);
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 400);
    });
    if (textarea.value.trim()) { check(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-goal-checker]"), attach);
  });
})();
