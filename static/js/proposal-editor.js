// Proposal page: live preview per section, autosave with the revision (as the homework
// drafts do), a side-by-side merge when a teammate saved first (409), who else has the
// proposal open, and "a teammate saved — load it?". Without JavaScript the form still saves.
(function () {
  "use strict";
  var live = document.getElementById("proposal-live");
  if (!live) { return; }
  var proposalId = parseInt(live.getAttribute("data-proposal-id"), 10);
  var me = parseInt(live.getAttribute("data-me"), 10);
  var csrfMeta = document.querySelector("meta[name=csrf-token]");
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var form = document.getElementById("proposal-form");
  var presence = document.getElementById("proposal-presence");
  var notice = document.getElementById("proposal-saved-notice");
  var noticeText = document.getElementById("proposal-saved-text");
  var loadNewer = document.getElementById("proposal-load-newer");
  var revision = form ? (parseInt(form.getAttribute("data-revision"), 10) || 0) : null;
  var newestSeen = revision;

  function json(method, url, body, keepalive) {
    return fetch(url, {
      method: method, credentials: "same-origin", keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    });
  }
  function clock() {
    var d = new Date();
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // --- editor ---------------------------------------------------------------------------
  var texts = {};   // key -> textarea
  var base = {};    // key -> the text as last saved / loaded from the server
  var status = document.getElementById("proposal-status");
  var conflictBox = document.getElementById("proposal-conflict");
  var timer = null, saving = false, blocked = false, again = false;
  var DELAY = 1500;

  function say(text) { if (status) { status.textContent = text; } }
  function setRevision(value, who) {
    var label = document.getElementById("proposal-revision-label");
    if (label && value !== revision) { label.textContent = "第" + value + "版" + (who ? "（" + who + "）" : ""); }
    revision = value;
    newestSeen = Math.max(newestSeen || 0, value);
    form.setAttribute("data-revision", String(value));
    var hidden = document.getElementById("proposal-revision");
    if (hidden) { hidden.value = String(value); }
  }
  function changed() {
    var out = {}, any = false;
    Object.keys(texts).forEach(function (key) {
      if (texts[key].value !== base[key]) { out[key] = texts[key].value; any = true; }
    });
    return any ? out : null;
  }
  function schedule(delay) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, delay === undefined ? DELAY : delay);
  }

  function clearMerge(key) {
    var slot = form.querySelector('.merge-slot[data-key="' + key + '"]');
    if (slot) { slot.textContent = ""; slot.parentNode.classList.remove("is-merging"); }
  }
  function showMerge(key, theirs, who) {
    var slot = form.querySelector('.merge-slot[data-key="' + key + '"]');
    if (!slot) { return; }
    slot.textContent = "";
    slot.parentNode.classList.add("is-merging");
    var box = el("div", "merge-box");
    var id = "merge-theirs-" + key;
    var label = el("label", "form-label merge-label", "チームメイトの版（" + who + "）");
    label.setAttribute("for", id);
    var area = el("textarea", "form-control");
    area.id = id; area.rows = 6; area.readOnly = true; area.value = theirs;
    var note = el("p", "small mb-1", "左（スマートフォンでは上）の欄があなたの文章です（編集できます）。この欄はチームメイトが保存した文章です。見比べて、あなたの欄にまとめてください。");
    var use = el("button", "btn btn-sm btn-outline-primary mt-1 me-2", "チームメイトの版で置き換える");
    use.type = "button";
    use.addEventListener("click", function () { texts[key].value = theirs; texts[key].dispatchEvent(new Event("input")); texts[key].focus(); });
    var keep = el("button", "btn btn-sm btn-outline-secondary mt-1", "自分の文章のままにする");
    keep.type = "button";
    keep.addEventListener("click", function () { clearMerge(key); texts[key].focus(); });
    box.appendChild(note); box.appendChild(label); box.appendChild(area);
    box.appendChild(use); box.appendChild(keep);
    slot.appendChild(box);
  }

  // Bring in the server's newer proposal: untouched sections take it, sections only I
  // changed keep mine, sections both changed are shown side by side. Returns the conflicts.
  function reconcile(newer) {
    var who = "第" + newer.revision + "版" + (newer.updated_by ? "・" + newer.updated_by.name : "");
    var conflicts = [];
    newer.sections.forEach(function (s) {
      var area = texts[s.key];
      if (!area) { return; }
      var mine = area.value, was = base[s.key], theirs = s.body;
      if (mine === was) { area.value = theirs; }
      else if (theirs !== was && theirs !== mine) { conflicts.push(s); showMerge(s.key, theirs, who); }
      base[s.key] = theirs;
    });
    setRevision(newer.revision, newer.updated_by ? newer.updated_by.name : "");
    return conflicts;
  }

  function save() {
    timer = null;
    if (saving) { again = true; return; }
    if (blocked) { return; }
    var payload = changed();
    if (!payload) { return; }
    saving = true;
    say("保存しています…");
    json("PUT", form.getAttribute("data-api"), { revision: revision, sections: payload }).then(function (res) {
      saving = false;
      if (res.status === 200) {
        Object.keys(payload).forEach(function (key) { base[key] = payload[key]; });
        reconcile(res.data);
        say("保存しました（第" + res.data.revision + "版・" + clock() + "）");
        hideNotice();
      } else if (res.status === 409 && res.data.error && res.data.error.proposal) {
        var conflicts = reconcile(res.data.error.proposal);
        hideNotice();
        if (conflicts.length) {
          blocked = true;
          conflictBox.hidden = false;
          say("保存されていません。チームメイトが先に保存しました（" + conflicts.length + "つの章が食い違っています）。");
          var first = texts[conflicts[0].key];
          if (first) { first.focus(); first.scrollIntoView({ block: "center" }); }
        } else {
          say("チームメイトの保存を取り込みました。続けて保存します…");
          schedule(0);
        }
        return;
      } else {
        say("保存できませんでした：" + ((res.data.error && res.data.error.message) || res.status));
        return;
      }
      if (again) { again = false; schedule(0); }
    }).catch(function () {
      saving = false;
      say("保存できませんでした（通信エラー）。しばらくしてから自動で再試行します。");
      schedule(5000);
    });
  }

  if (form) {
    Array.prototype.forEach.call(form.querySelectorAll("textarea.proposal-text"), function (area) {
      var key = area.getAttribute("data-key");
      texts[key] = area;
      base[key] = area.defaultValue;
      area.addEventListener("input", function () { if (!blocked) { schedule(); } });
    });
    // A save refused on the server-rendered page: what the user typed differs from the base.
    Array.prototype.forEach.call(form.querySelectorAll(".merge-theirs textarea"), function (theirs) {
      var key = theirs.id.replace(/^theirs-/, "");
      if (key in base) { base[key] = theirs.value; }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      blocked = false;
      conflictBox.hidden = true;
      if (timer) { clearTimeout(timer); }
      save();
      if (!changed()) { say("変更はありません（第" + revision + "版）。"); }
    });
    document.getElementById("proposal-merge-save").addEventListener("click", function () {
      Object.keys(texts).forEach(clearMerge);
      Array.prototype.forEach.call(form.querySelectorAll(".merge-theirs"), function (n) {
        n.parentNode.classList.remove("is-merging");
        n.remove();
      });
      blocked = false;
      conflictBox.hidden = true;
      save();
    });
    window.addEventListener("pagehide", function () {
      var payload = changed();
      if (payload && !blocked) {
        json("PUT", form.getAttribute("data-api"), { revision: revision, sections: payload }, true);
      }
    });
    var submitForm = document.getElementById("proposal-submit-form");
    if (submitForm) {
      submitForm.addEventListener("submit", function (event) {
        if (changed() || saving) {
          event.preventDefault();
          say("提出の前に、保存していない変更を保存してください（「保存する」を押します）。");
          if (!blocked) { save(); }
        }
      });
    }

    // Live preview through the server's one Markdown sanitiser.
    var previewUrl = form.getAttribute("data-preview");
    Array.prototype.forEach.call(form.querySelectorAll(".preview-toggle"), function (button) {
      var key = button.getAttribute("data-key");
      var box = document.getElementById("preview-" + key);
      var ptimer = null;
      button.hidden = false;
      function render() {
        json("POST", previewUrl, { body: texts[key].value }).then(function (res) {
          if (res.status === 200) { box.innerHTML = res.data.html; }  // nh3-sanitised on the server
          else { box.textContent = (res.data.error && res.data.error.message) || "プレビューできませんでした。"; }
        });
      }
      button.addEventListener("click", function () {
        var open = box.hidden;
        box.hidden = !open;
        button.setAttribute("aria-expanded", open ? "true" : "false");
        button.textContent = open ? "プレビューを閉じる" : "プレビューを表示";
        if (open) { render(); }
      });
      texts[key].addEventListener("input", function () {
        if (box.hidden) { return; }
        clearTimeout(ptimer);
        ptimer = setTimeout(render, 500);
      });
    });
  }

  // --- presence and teammates' saves -------------------------------------------------------
  function hideNotice() { if (notice && (revision === null || newestSeen <= revision)) { notice.hidden = true; } }
  if (loadNewer) {
    loadNewer.addEventListener("click", function () {
      json("GET", form.getAttribute("data-api")).then(function (res) {
        if (res.status !== 200) { return; }
        var conflicts = reconcile(res.data);
        notice.hidden = true;
        if (conflicts.length) {
          blocked = true;
          conflictBox.hidden = false;
          say("最新の版を読み込みました。" + conflicts.length + "つの章で、あなたの変更とチームメイトの変更が食い違っています。");
        } else {
          say("最新の版（第" + res.data.revision + "版）を読み込みました。");
          if (changed()) { schedule(); }
        }
      });
    });
  }
  if (typeof io === "undefined") { return; }
  var socket = io("/proposals", { transports: ["websocket", "polling"] });
  function showPresence(users) {
    if (!presence) { return; }
    var others = users.filter(function (u) { return u.id !== me; });
    presence.textContent = others.length
      ? "この提案書を開いている人：" + others.map(function (u) { return u.name; }).join("、") + "（ほかにあなた）"
      : "この提案書を開いているのはあなただけです。";
  }
  socket.on("connect", function () {
    socket.emit("proposal_join", { proposal_id: proposalId }, function (ack) {
      if (ack && ack.ok) {
        showPresence(ack.users);
        if (revision !== null && ack.revision > revision) { showSaved(null, ack.revision); }
      }
    });
  });
  socket.on("proposal_presence", function (data) {
    if (data.proposal_id === proposalId) { showPresence(data.users); }
  });
  function showSaved(author, rev) {
    newestSeen = Math.max(newestSeen || 0, rev);
    noticeText.textContent = (author ? author.name + "さんが" : "チームメイトが") + "提案書を保存しました（第" + rev + "版）。" +
      (form ? "読み込むと、あなたが変えていない章は最新になり、食い違う章は並べて表示します。" : "");
    notice.hidden = false;
  }
  socket.on("proposal_saved", function (data) {
    if (data.proposal_id !== proposalId || data.author.id === me) { return; }
    if (revision !== null && data.revision <= revision) { return; }
    showSaved(data.author, data.revision);
  });
})();
