// Homework page: the draft saves itself to the server while typing (debounced PUT with the
// revision); a stale revision (409) is shown, with the newer text offered, never overwritten.
(function () {
  "use strict";
  var form = document.getElementById("homework-form");
  if (!form) { return; }
  var textarea = form.querySelector("textarea[name=body]");
  var status = document.getElementById("draft-status");
  var conflict = document.getElementById("draft-conflict");
  var loadNewer = document.getElementById("draft-load-newer");
  var mineBox = document.getElementById("draft-mine-box");
  var mine = document.getElementById("draft-mine");
  var url = form.getAttribute("data-draft-url");
  var revision = parseInt(form.getAttribute("data-revision"), 10) || 0;
  var csrf = document.querySelector("meta[name=csrf-token]").getAttribute("content");
  var timer = null;
  var saving = false;
  var dirty = false;
  var blocked = false;  // after a conflict, stop saving until the user decides
  var newer = null;
  var DELAY = 1200;

  function say(text) { status.textContent = text; }
  function clock() {
    var d = new Date();
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function save() {
    timer = null;
    if (saving || blocked || !dirty) { return; }
    saving = true;
    dirty = false;
    var body = textarea.value;
    say("下書きを保存しています…");
    fetch(url, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ body: body, revision: revision })
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      saving = false;
      if (result.status === 200) {
        revision = result.data.revision;
        form.setAttribute("data-revision", String(revision));
        say("下書きを保存しました（" + clock() + "）");
        if (dirty) { schedule(); }
      } else if (result.status === 409) {
        blocked = true;
        newer = result.data.error.draft;
        conflict.hidden = false;
        say("下書きは保存されていません。他の人が先に更新しました。");
      } else {
        dirty = true;
        say("下書きを保存できませんでした：" + ((result.data.error && result.data.error.message) || result.status));
      }
    }).catch(function () {
      saving = false;
      dirty = true;
      say("下書きを保存できませんでした（通信エラー）。しばらくしてから自動で再試行します。");
      schedule(5000);
    });
  }

  function schedule(delay) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, delay || DELAY);
  }

  textarea.addEventListener("input", function () {
    dirty = true;
    if (!blocked) { schedule(); }
  });

  loadNewer.addEventListener("click", function () {
    if (!newer) { return; }
    mine.value = textarea.value;
    mineBox.hidden = false;
    textarea.value = newer.body;
    revision = newer.revision;
    form.setAttribute("data-revision", String(revision));
    blocked = false;
    dirty = false;
    conflict.hidden = true;
    say("最新の下書き（" + (newer.updated_by || "他の人") + "）を読み込みました。");
    textarea.focus();
  });

  // Leaving with unsaved typing: save first (keepalive lets the request outlive the page).
  window.addEventListener("pagehide", function () {
    if (dirty && !blocked) {
      fetch(url, {
        method: "PUT", credentials: "same-origin", keepalive: true,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ body: textarea.value, revision: revision })
      });
    }
  });

  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    if (timer) { clearTimeout(timer); timer = null; }
    if (button) { button.disabled = true; button.textContent = "提出しています…"; }
  });
})();
