// @-mention suggestions for a message textarea: type "@" and the first letters of a name, and
// the people who may read the channel are offered (GET /api/v1/channels/ID/members, which
// answers only for a channel the reader may open). Keyboard: ↑/↓ choose, Enter or Tab insert,
// Escape closes; a tap or click inserts too. The textarea keeps the focus throughout and
// points at the chosen option with aria-activedescendant; a polite status line says how many
// names were found, or that none matches (so nobody is mentioned by a name that does not
// exist). No inline scripts or styles: the CSP allows only files from this server.
(function () {
  "use strict";
  var counter = 0;
  // An "@" that starts a mention (not inside taro@example.jp), then up to 20 letters.
  var TRIGGER = /(^|[\s(（「『、。,.!?！？:：;；])[@＠]([^\s@＠、。,，.!?！？:：;；()（）「」『』]{0,20})$/;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function attach(textarea, channelId) {
    if (!textarea || textarea.dataset.mentions === "1") { return; }
    textarea.dataset.mentions = "1";
    var n = ++counter;
    var box = el("div", "mention-popup");
    box.hidden = true;
    var list = el("ul", "mention-list list-unstyled mb-0");
    list.id = "mention-list-" + n;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "メンションする人の候補");
    var status = el("p", "mention-status mb-0");
    status.id = "mention-status-" + n;
    status.setAttribute("role", "status");
    box.appendChild(status);
    box.appendChild(list);
    // Above the textarea: on a phone the composer sits at the bottom of the screen.
    textarea.parentNode.insertBefore(box, textarea);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", list.id);

    var people = [];
    var active = -1;
    var current = null;   // {start, end, query} of the "@word" being typed
    var dismissed = null; // the "@word" closed with Escape: stays closed until it changes
    var cache = {};
    var timer = null;
    var asked = 0;

    function close() {
      box.hidden = true;
      list.textContent = "";
      status.textContent = "";
      people = [];
      active = -1;
      textarea.removeAttribute("aria-activedescendant");
    }

    function optionId(i) { return "mention-" + n + "-opt-" + i; }

    function setActive(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, j) {
        li.setAttribute("aria-selected", j === i ? "true" : "false");
        li.classList.toggle("is-active", j === i);
      });
      if (i >= 0) {
        textarea.setAttribute("aria-activedescendant", optionId(i));
        var li = list.children[i];
        if (li && li.scrollIntoView) { li.scrollIntoView({ block: "nearest" }); }
      } else {
        textarea.removeAttribute("aria-activedescendant");
      }
    }

    function show(found, query) {
      if (!current || current.query !== query) { return; }
      people = found;
      list.textContent = "";
      box.hidden = false;
      if (!found.length) {
        box.classList.add("is-empty");
        status.textContent = "「@" + query + "」に当てはまる人はこのチャンネルにいません。" +
          "このまま送っても、誰にも通知されません。";
        setActive(-1);
        return;
      }
      box.classList.remove("is-empty");
      found.forEach(function (p, i) {
        var li = el("li", "mention-option", p.name);
        li.id = optionId(i);
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.index = i;
        list.appendChild(li);
      });
      status.textContent = "名前の候補 " + found.length + "件。上下の矢印キーで選び、" +
        "Enterで入力します（Escで閉じる）。";
      setActive(0);
    }

    function lookup() {
      var query = current.query;
      if (cache.hasOwnProperty(query)) { show(cache[query], query); return; }
      var ticket = ++asked;
      fetch("/api/v1/channels/" + channelId + "/members?q=" + encodeURIComponent(query),
        { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (found) {
          if (!found) { close(); return; }
          cache[query] = found;
          if (ticket === asked) { show(found, query); }
        })
        .catch(close);
    }

    function check() {
      var caret = textarea.selectionStart;
      if (caret !== textarea.selectionEnd) { current = null; close(); return; }
      var before = textarea.value.slice(0, caret);
      var m = TRIGGER.exec(before);
      if (!m) { current = null; dismissed = null; close(); return; }
      var start = caret - m[2].length - 1;
      current = { start: start, end: caret, query: m[2] };
      var key = start + ":" + m[2];
      if (dismissed === key) { return; }
      dismissed = null;
      clearTimeout(timer);
      timer = setTimeout(lookup, 120);
    }

    function choose(i) {
      var p = people[i];
      if (!p || !current) { return; }
      var text = textarea.value;
      var insert = "@" + p.handle + " ";
      textarea.value = text.slice(0, current.start) + insert + text.slice(current.end);
      var caret = current.start + insert.length;
      textarea.setSelectionRange(caret, caret);
      current = null;
      close();
      textarea.focus();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    textarea.addEventListener("input", check);
    textarea.addEventListener("click", check);
    textarea.addEventListener("keyup", function (event) {
      if (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "Home" ||
          event.key === "End") { check(); }
    });
    textarea.addEventListener("keydown", function (event) {
      if (box.hidden) { return; }
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        if (current) { dismissed = current.start + ":" + current.query; }
        close();
        return;
      }
      if (!people.length || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        setActive((active + 1) % people.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        setActive((active - 1 + people.length) % people.length);
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        choose(active);
      }
    });
    textarea.addEventListener("blur", function () {
      // Later than a tap on an option, which keeps the focus anyway (mousedown below).
      setTimeout(function () { if (document.activeElement !== textarea) { close(); } }, 200);
    });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var li = event.target.closest("[role=option]");
      if (li) { choose(Number(li.dataset.index)); }
    });
  }

  window.lmsMentions = { attach: attach };
  var root = document.getElementById("channel");
  var form = document.getElementById("message-form");
  if (root && form) { attach(form.querySelector("textarea"), Number(root.dataset.channelId)); }
})();
