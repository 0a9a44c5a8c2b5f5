// Live channel page: Socket.IO delivery, catch-up after reconnect, sending with retries.
// No inline scripts: the page's CSP allows only files from this server.
(function () {
  "use strict";
  var root = document.getElementById("channel");
  if (!root || typeof io === "undefined" || root.dataset.live !== "1") { return; }

  var channelId = Number(root.dataset.channelId);
  var me = Number(root.dataset.userId);
  var slug = root.dataset.slug;
  var staff = root.dataset.staff === "1";
  var threadId = root.dataset.threadId ? Number(root.dataset.threadId) : null;
  var list = document.getElementById("messages");
  var statusEl = document.getElementById("conn-status");
  var presenceEl = document.getElementById("presence");
  var announcer = document.getElementById("live-announcer");
  var form = document.getElementById("message-form");
  var errorEl = document.getElementById("send-error");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var REACTIONS = ["👍", "❤️", "😄", "🎉", "🙏", "👀", "💡"];
  var base = "/c/" + encodeURIComponent(slug);

  var lastId = 0;
  var lastSeq = 0;
  Array.prototype.forEach.call(list.querySelectorAll("li.message"), function (li) {
    lastId = Math.max(lastId, Number(li.dataset.id));
    lastSeq = Math.max(lastSeq, Number(li.dataset.seq) || 0);
  });

  function setStatus(text, offline) {
    statusEl.textContent = text;
    statusEl.classList.toggle("is-offline", !!offline);
  }

  function belongsHere(m) {
    if (m.channel_id !== channelId) { return false; }
    return threadId === null || m.id === threadId || m.parent_id === threadId;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function postForm(action, confirmText, fields, label, cls) {
    var f = el("form");
    f.method = "post";
    f.action = action;
    f.className = "d-inline";
    if (confirmText) { f.setAttribute("data-confirm", confirmText); }
    var fieldsAll = [["csrf_token", csrf]].concat(fields || []);
    fieldsAll.forEach(function (pair) {
      var input = el("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      f.appendChild(input);
    });
    var b = el("button", cls || "btn btn-sm btn-link", label);
    b.type = "submit";
    f.appendChild(b);
    return { form: f, button: b };
  }

  function formatTime(iso) {
    var d = new Date(iso);
    var days = "日月火水木金土";
    var opts = { timeZone: "Asia/Tokyo" };
    try {
      var parts = {};
      new Intl.DateTimeFormat("ja-JP", Object.assign(opts, {
        year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit",
        weekday: "short", hour12: false
      })).formatToParts(d).forEach(function (p) { parts[p.type] = p.value; });
      return parts.year + "年" + parts.month + "月" + parts.day + "日(" + parts.weekday + ") " +
        parts.hour + ":" + parts.minute;
    } catch (e) {
      return d.toLocaleString("ja-JP") + " " + days.charAt(d.getDay());
    }
  }

  function render(m) {
    var mentioned = (m.mentions || []).some(function (x) { return x.id === me; });
    var li = el("li", "message" + (m.parent_id ? " is-reply" : "") + (mentioned ? " is-mention" : ""));
    li.id = "m-" + m.id;
    li.dataset.id = m.id;
    li.dataset.seq = m.seq || "";
    var meta = el("div", "message-meta");
    meta.appendChild(el("strong", "message-author", m.author.name));
    var time = el("time", null, formatTime(m.created_at));
    time.setAttribute("datetime", m.created_at);
    meta.appendChild(time);
    if (m.edited_at && !m.deleted) { meta.appendChild(el("span", "message-flag", "（編集済み）")); }
    if (m.parent_id && threadId === null && !document.getElementById("m-" + m.parent_id)) {
      var a = el("a", "message-flag", "スレッドへの返信");
      a.href = base + "/channels/" + channelId + "/threads/" + m.parent_id + "#m-" + m.id;
      meta.appendChild(a);
    }
    if (mentioned) { meta.appendChild(el("span", "mention-badge", "あなたへのメンション")); }
    li.appendChild(meta);
    if (m.deleted) {
      li.appendChild(el("p", "message-gone", "（このメッセージは削除されました）"));
      return li;
    }
    if (m.hidden) {
      li.appendChild(el("p", "message-gone", "（このメッセージは講師・主催者により非表示にされました）"));
      return li;
    }
    var body = el("div", "md-body message-body");
    body.innerHTML = m.body_html; // sanitised on the server by render_markdown (nh3)
    li.appendChild(body);
    var actions = el("div", "message-actions");
    var counts = {};
    (m.reactions || []).forEach(function (r) { counts[r.emoji] = r.user_ids; });
    // One form per message; the pressed button sends its emoji (as the server renders it).
    var reactForm = postForm(base + "/messages/" + m.id + "/react", null, [], "", "");
    reactForm.form.className = "d-inline reaction-form";
    reactForm.form.removeChild(reactForm.button);
    REACTIONS.forEach(function (emoji, i) {
      var who = counts[emoji] || [];
      if (!who.length && i >= 3) { return; }
      var mine = who.indexOf(me) !== -1;
      var b = el("button", "btn btn-sm btn-reaction", emoji + " " + (who.length || ""));
      b.type = "submit";
      b.name = "emoji";
      b.value = emoji;
      b.setAttribute("aria-pressed", mine ? "true" : "false");
      b.setAttribute("aria-label", emoji + " リアクション " + who.length + "件" +
        (mine ? "（押しています。もう一度押すと取り消し）" : ""));
      reactForm.form.appendChild(b);
    });
    actions.appendChild(reactForm.form);
    if (!m.parent_id && threadId === null) {
      var reply = el("a", "btn btn-sm btn-link", "返信");
      reply.href = base + "/channels/" + channelId + "/threads/" + m.id;
      reply.dataset.replyTo = m.id;
      actions.appendChild(reply);
    }
    if (m.author.id === me) {
      var edit = el("a", "btn btn-sm btn-link", "編集");
      edit.href = base + "/messages/" + m.id + "/edit";
      edit.dataset.editMessage = m.id;
      actions.appendChild(edit);
      actions.appendChild(postForm(base + "/messages/" + m.id + "/delete",
        "このメッセージを削除しますか？", [], "削除").form);
    }
    if (staff) {
      actions.appendChild(postForm(base + "/messages/" + m.id + "/hide",
        "このメッセージを受講者から非表示にしますか？", [], "非表示にする").form);
    }
    li.appendChild(actions);
    return li;
  }

  function announce(m) {
    if (m.author.id === me) { return; }
    var text = m.author.name + "さん：" + (m.body || "").slice(0, 80);
    var p = el("p", null, text);
    announcer.appendChild(p);
    while (announcer.childNodes.length > 5) { announcer.removeChild(announcer.firstChild); }
  }

  // The fold of a parent's replies (「返信 N件」), made when its first reply arrives.
  function foldFor(parentLi, create) {
    var fold = parentLi.querySelector(":scope > details.thread-fold");
    if (fold || !create) { return fold; }
    var id = parentLi.dataset.id;
    fold = el("details", "thread-fold");
    fold.dataset.threadFor = id;
    var summary = el("summary");
    summary.appendChild(el("span", "thread-count", "返信 0件"));
    fold.appendChild(summary);
    var replies = el("ol", "message-list reply-list");
    replies.setAttribute("aria-label", "返信（古い順）");
    fold.appendChild(replies);
    var open = el("p", "thread-open");
    var link = el("a", null, "スレッドを開いて返信する");
    link.href = base + "/channels/" + channelId + "/threads/" + id;
    open.appendChild(link);
    fold.appendChild(open);
    parentLi.appendChild(fold);
    return fold;
  }

  function countReplies(fold, live) {
    var n = fold.querySelectorAll(".reply-list > li.message").length;
    var summary = fold.querySelector("summary");
    summary.querySelector(".thread-count").textContent = "返信 " + n + "件";
    var flag = summary.querySelector(".thread-new");
    if (live && !fold.open && !flag) {
      summary.appendChild(el("span", "thread-new", "（新しい返信あり）"));
    }
  }

  function insertOrdered(container, node, id) {
    var after = null;
    Array.prototype.some.call(container.querySelectorAll(":scope > li.message"), function (li) {
      if (Number(li.dataset.id) > id) { after = li; return true; }
      return false;
    });
    container.insertBefore(node, after);
  }

  // Insert in id order; a message already on the page is replaced, never duplicated. On the
  // channel page a reply goes into its parent's fold (when the parent is on the page).
  function upsert(m, live) {
    if (!belongsHere(m)) { return; }
    var empty = document.getElementById("no-messages");
    if (empty) { empty.remove(); }
    var existing = document.getElementById("m-" + m.id);
    var node = render(m);
    if (existing) {
      // The fold and an open editor or reply form stay with the message.
      Array.prototype.forEach.call(existing.querySelectorAll(
        ":scope > details.thread-fold, :scope > form.inline-reply, :scope > form.inline-edit"),
        function (keep) {
          if (keep.classList.contains("inline-edit")) {
            var shown = node.querySelector(":scope > .message-body");
            if (shown) { shown.hidden = true; }
          }
          node.appendChild(keep);
        });
      existing.replaceWith(node);
      return;
    }
    var parentLi = threadId === null && m.parent_id ?
      document.getElementById("m-" + m.parent_id) : null;
    if (parentLi) {
      var fold = foldFor(parentLi, true);
      insertOrdered(fold.querySelector(".reply-list"), node, m.id);
      countReplies(fold, live && m.author.id !== me);
    } else {
      insertOrdered(list, node, m.id);
    }
    if (m.id > lastId) { lastId = m.id; }
    if (live) { announce(m); }
    scheduleRead();
  }

  // Catch-up fetches what came after an id, page by page. One runs at a time: a request made
  // meanwhile (a gap noticed) is kept, with the lowest id asked for, and runs next, since the
  // running fetch may have been answered before the missing messages were stored. Pages go on
  // from the last id of the page, not from lastId, which live messages may have moved past
  // messages still to fetch.
  var catchingUp = false;
  var pendingFrom = null;
  function catchUp(from) {
    var after = typeof from === "number" ? from : lastId;
    if (catchingUp) {
      pendingFrom = pendingFrom === null ? after : Math.min(pendingFrom, after);
      return;
    }
    catchingUp = true;
    fetch("/api/v1/channels/" + channelId + "/messages?limit=100&after_id=" + after,
      { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (messages) {
        messages.forEach(function (m) {
          if (m.seq) { lastSeq = Math.max(lastSeq, m.seq); }
          upsert(m, true);
        });
        caughtUp(messages.length === 100 ? messages[messages.length - 1].id : null);
      })
      .catch(function () { caughtUp(null); });
  }
  function caughtUp(nextPage) {
    catchingUp = false;
    var next = nextPage;
    if (pendingFrom !== null) {
      next = next === null ? pendingFrom : Math.min(next, pendingFrom);
      pendingFrom = null;
    }
    if (next !== null) { catchUp(next); }
  }

  var readTimer = null;
  function scheduleRead() {
    if (readTimer || document.visibilityState === "hidden") { return; }
    readTimer = setTimeout(function () {
      readTimer = null;
      fetch("/api/v1/channels/" + channelId + "/read", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ last_read_id: lastId })
      }).catch(function () { /* the next visit marks it read */ });
    }, 1500);
  }

  // Set once the server no longer lets this page follow the room (the team changed): the
  // page stops updating and says why.
  var revoked = false;
  function revoke(text) {
    revoked = true;
    setStatus(text, true);
    if (presenceEl) { presenceEl.hidden = true; }
    if (form) {
      Array.prototype.forEach.call(form.querySelectorAll("textarea, button"), function (c) {
        c.disabled = true;
      });
    }
    socket.disconnect();
  }

  // Live delivery can stop while the page stays open: the socket dropped, or the server's
  // message queue (Redis) is away (the server says so with `realtime` {ok: false}). The page
  // says so, remembers where it was, and fetches from there once delivery is back.
  var LIVE_OK = "接続中：新しいメッセージは自動で表示されます。";
  var downFrom = null;
  function liveDown(text) {
    if (downFrom === null) { downFrom = lastId; }
    setStatus("リアルタイム接続が切れています。" + text, true);
  }
  function liveBack() {
    var from = downFrom;
    downFrom = null;
    setStatus(LIVE_OK, false);
    catchUp(from === null ? lastId : Math.min(from, lastId));
  }

  var socket = io({ transports: ["websocket", "polling"] });
  window.lmsSocket = socket;  // the header bell listens on the same connection
  function join(onRefused) {
    socket.emit("join", { channel_id: channelId }, function (ack) {
      if (revoked) { return; }
      if (ack && ack.ok) {
        liveBack();
      } else {
        onRefused(ack);
      }
    });
  }
  socket.on("connect", function () {
    join(function (ack) {
      setStatus("このチャンネルに参加できませんでした：" + ((ack && ack.error && ack.error.message) || ""), true);
    });
  });
  // Teams were changed: the server has emptied the team rooms and asks everyone who was in
  // one to join again, which re-checks access. Joins are spread over half a second so a
  // whole cohort does not arrive at once; what is posted meanwhile comes with the catch-up.
  socket.on("room_reset", function (r) {
    if (revoked || !r || r.channel_id !== channelId) { return; }
    setTimeout(function () {
      join(function () {
        revoke("チームが変更されたため、このルームは表示できなくなりました。" +
          "チャンネル一覧から、新しいチームのルームを開いてください。");
      });
    }, Math.random() * 500);
  });
  socket.on("disconnect", function (reason) {
    if (revoked) { return; }
    if (reason === "io server disconnect") {
      // The server closed the connection (logged out, or the password was changed). Try
      // once more: the server lets the page back in only with a login that is still valid.
      liveDown("再接続しています…");
      setTimeout(function () { if (!revoked) { socket.connect(); } }, 1000);
      return;
    }
    liveDown("自動で再接続します（その間の投稿は再接続後に表示されます）。");
  });
  socket.on("realtime", function (r) {
    if (revoked || !r) { return; }
    if (r.ok === false) {
      liveDown("新しいメッセージは復旧後にまとめて表示されます（投稿はできます）。");
    } else if (r.ok === true && downFrom !== null && socket.connected) {
      liveBack();
    }
  });
  socket.on("connect_error", function () {
    // Refused by the server (not a network failure, which is retried automatically).
    if (!socket.active) {
      setStatus("接続できませんでした。ログインし直してから、ページを再読み込みしてください。", true);
    }
  });
  socket.on("message", function (m) {
    if (revoked || m.channel_id !== channelId) { return; }
    // A gap in the per-channel sequence means we missed something: fetch it.
    if (m.seq && lastSeq && m.seq > lastSeq + 1) { catchUp(); }
    if (m.seq) { lastSeq = Math.max(lastSeq, m.seq); }
    upsert(m, true);
  });
  socket.on("message_updated", function (m) {
    if (revoked) { return; }
    if (document.getElementById("m-" + m.id)) { upsert(m, false); }
  });
  socket.on("presence", function (p) {
    if (revoked || !presenceEl || p.channel_id !== channelId) { return; }
    presenceEl.hidden = false;
    presenceEl.textContent = "いまこのルームにいる人（" + p.users.length + "人）：" +
      p.users.map(function (u) { return u.name; }).join("、");
  });
  document.addEventListener("visibilitychange", function () {
    if (!revoked && document.visibilityState === "visible") { catchUp(); scheduleRead(); }
  });
  setInterval(function () { if (socket.connected) { catchUp(); } }, 60000);

  // --- acting on a message without leaving the page: react, edit, reply ---------------
  // Each goes over the socket (stored, then broadcast to the room as message_updated or
  // message); without a connection the plain links and forms work as before.
  function emitAck(event, payload, onOk, onError) {
    socket.timeout(5000).emit(event, payload, function (err, ack) {
      if (err) { onError({ message: "サーバーから応答がありません。もう一度お試しください。" }); return; }
      if (ack && ack.ok) { onOk(ack.message); } else { onError((ack && ack.error) || {}); }
    });
  }

  function say(text) {
    var p = el("p", null, text);
    announcer.appendChild(p);
    while (announcer.childNodes.length > 5) { announcer.removeChild(announcer.firstChild); }
  }

  list.addEventListener("submit", function (event) {
    var f = event.target;
    if (!socket.connected || !/\/messages\/\d+\/react$/.test(f.getAttribute("action") || "")) {
      return;
    }
    var button = event.submitter;
    if (!button || button.name !== "emoji") { return; }
    event.preventDefault();
    var li = f.closest("li.message");
    var emoji = button.value;
    button.disabled = true;
    emitAck("react", { message_id: Number(li.dataset.id), emoji: emoji }, function (m) {
      upsert(m, false);
      var again = document.querySelector("#m-" + m.id + " > .message-actions button[aria-label^='" +
        emoji + "']");
      if (again) { again.focus(); }
      var mine = (m.reactions || []).some(function (r) {
        return r.emoji === emoji && r.user_ids.indexOf(me) !== -1;
      });
      say(emoji + (mine ? " のリアクションを付けました。" : " のリアクションを取り消しました。"));
    }, function (error) {
      button.disabled = false;
      say("リアクションできませんでした：" + (error.message || ""));
    });
  });

  function inlineForm(cls, labelText, value, submitText, onSubmit, onCancel) {
    var n = Math.floor(Math.random() * 1e9);
    var f = el("form", "inline-form " + cls);
    f.noValidate = true;
    var label = el("label", "form-label", labelText);
    label.htmlFor = "inline-" + n;
    var area = el("textarea", "form-control");
    area.id = "inline-" + n;
    area.rows = 3;
    area.value = value || "";
    var err = el("p", "send-error");
    err.setAttribute("role", "alert");
    var warn = el("p", "send-warning");
    warn.setAttribute("role", "status");
    var ok = el("button", "btn btn-primary btn-sm", submitText);
    ok.type = "submit";
    var cancel = el("button", "btn btn-link btn-sm", "やめる");
    cancel.type = "button";
    [label, area, err, warn, ok, cancel].forEach(function (c) { f.appendChild(c); });
    // Suggestions first, so that their Escape (closing the list) comes before ours.
    if (window.lmsMentions) { window.lmsMentions.attach(area, channelId); }
    cancel.addEventListener("click", onCancel);
    area.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        f.requestSubmit();
      } else if (event.key === "Escape" && !event.defaultPrevented) {
        onCancel();
      }
    });
    f.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!area.value.trim()) {
        err.textContent = "エラー：メッセージが空です。本文を入力してください。";
        area.setAttribute("aria-invalid", "true");
        area.focus();
        return;
      }
      ok.disabled = true;
      onSubmit(area.value, function (error) {
        ok.disabled = false;
        err.textContent = "エラー：" + (error.message || "送信できませんでした。");
        area.setAttribute("aria-invalid", "true");
      }, warn);
    });
    return { form: f, area: area };
  }

  function startEdit(li) {
    if (li.querySelector(":scope > form.inline-edit")) { return; }
    var id = Number(li.dataset.id);
    var bodyEl = li.querySelector(":scope > .message-body");
    var link = li.querySelector(":scope > .message-actions [data-edit-message]");
    // The stored Markdown, not the rendered text: fetched from the message API's page.
    fetch("/api/v1/channels/" + channelId + "/messages?limit=1&after_id=" + (id - 1),
      { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (found) {
        var m = found.filter(function (x) { return x.id === id; })[0];
        if (!m) { window.location.href = link.href; return; }
        var editor = inlineForm("inline-edit", "メッセージを編集", m.body, "保存", function (text, fail, warn) {
          emitAck("edit", { message_id: id, body: text }, function (updated) {
            var current = document.getElementById("m-" + id);
            var kept = current && current.querySelector(":scope > form.inline-edit");
            if (kept) { kept.remove(); }
            upsert(updated, false);
            var again = document.getElementById("m-" + id);
            say("メッセージを編集しました。");
            var warningOut = document.getElementById("send-warning");
            if (updated.mention_warning) {
              if (warningOut) { warningOut.textContent = updated.mention_warning; } else { say(updated.mention_warning); }
            }
            var editLink = again && again.querySelector("[data-edit-message]");
            if (editLink) { editLink.focus(); }
          }, fail);
        }, function () {
          editor.form.remove();
          if (bodyEl) { bodyEl.hidden = false; }
          var current = document.querySelector("#m-" + id + " [data-edit-message]");
          if (current) { current.focus(); }
        });
        if (bodyEl) { bodyEl.hidden = true; }
        var actions = li.querySelector(":scope > .message-actions");
        li.insertBefore(editor.form, actions);
        editor.area.focus();
      });
  }

  function startReply(li) {
    var existing = li.querySelector(":scope > form.inline-reply");
    if (existing) { existing.querySelector("textarea").focus(); return; }
    var id = Number(li.dataset.id);
    var fold = foldFor(li, false);
    if (fold) { fold.open = true; }
    var pendingReply = null;
    var replier = inlineForm("inline-reply", "返信（Markdownが使えます）", "", "返信する", function (text, fail, warn) {
      if (!pendingReply || pendingReply.body !== text) { pendingReply = { body: text, id: newId() }; }
      emitAck("send", { channel_id: channelId, body: text, client_msg_id: pendingReply.id, parent_id: id },
        function (m) {
          pendingReply = null;
          upsert(m, false);
          var f2 = foldFor(document.getElementById("m-" + id), false);
          if (f2) { f2.open = true; countReplies(f2, false); }
          replier.area.value = "";
          replier.area.removeAttribute("aria-invalid");
          replier.form.querySelector(".send-error").textContent = "";
          warn.textContent = m.mention_warning || "";
          replier.form.querySelector("button[type=submit]").disabled = false;
          say("返信しました。");
          replier.area.focus();
        }, fail);
    }, function () {
      replier.form.remove();
      var link = document.querySelector("#m-" + id + " > .message-actions [data-reply-to]");
      if (link) { link.focus(); }
    });
    li.appendChild(replier.form);
    replier.area.focus();
  }

  list.addEventListener("click", function (event) {
    if (!socket.connected || threadId !== null) { return; }
    var target = event.target.closest && event.target.closest("a[data-edit-message], a[data-reply-to]");
    if (!target || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    var li = target.closest("li.message");
    if (target.hasAttribute("data-edit-message")) { startEdit(li); } else { startReply(li); }
  });
  // Opening a fold clears its 「新しい返信あり」.
  list.addEventListener("toggle", function (event) {
    var fold = event.target;
    if (fold.classList && fold.classList.contains("thread-fold") && fold.open) {
      var flag = fold.querySelector("summary .thread-new");
      if (flag) { flag.remove(); }
    }
  }, true);

  // --- sending ---------------------------------------------------------------------------
  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  if (!form) { return; }
  var textarea = form.querySelector("textarea");
  var button = form.querySelector("button[type=submit]");
  var parentInput = form.querySelector("input[name=parent_id]");
  var pending = null; // {body, id}: a retry reuses the same client_msg_id

  function showError(text) {
    errorEl.textContent = text ? "エラー：" + text : "";
    textarea.setAttribute("aria-invalid", text ? "true" : "false");
  }

  var warningEl = document.getElementById("send-warning");
  function done(message) {
    pending = null;
    textarea.value = "";
    button.disabled = false;
    showError("");
    // An "@name" that matched nobody: the message is sent, but nobody was told.
    if (warningEl) { warningEl.textContent = message.mention_warning || ""; }
    upsert(message, false);
    textarea.focus();
  }

  function failed(error) {
    button.disabled = false;
    showError(error.message || "送信できませんでした。もう一度送ってください。");
  }

  function sendOverHttp(payload) {
    fetch("/api/v1/channels/" + channelId + "/messages", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().then(function (data) {
        if (r.ok) { done(data); } else { failed(data.error || {}); }
      });
    }).catch(function () {
      failed({ message: "サーバーに届きませんでした。通信を確認して、もう一度送ってください（二重に投稿されることはありません）。" });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = textarea.value;
    if (!body.trim()) { showError("メッセージが空です。本文を入力してください。"); textarea.focus(); return; }
    if (!pending || pending.body !== body) { pending = { body: body, id: newId() }; }
    var payload = {
      channel_id: channelId, body: body, client_msg_id: pending.id,
      parent_id: parentInput && parentInput.value ? Number(parentInput.value) : null
    };
    button.disabled = true;
    if (!socket.connected) { sendOverHttp(payload); return; }
    socket.timeout(5000).emit("send", payload, function (err, ack) {
      if (err) { sendOverHttp(payload); return; } // same client_msg_id: never stored twice
      if (ack && ack.ok) { done(ack.message); } else { failed((ack && ack.error) || {}); }
    });
  });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
