// Retro board: the phase timer counts down from the stored end time, and the board follows
// every change live: `retro_updated` (sent to this user only, as they may see the board)
// makes the page re-read its live part from the server. While the focus is inside that part
// (typing, choosing a card to group with, on a vote or group button), it is not replaced:
// replacing it would drop the focus and an unsent choice, so a keyboard user's Enter would
// go nowhere. The re-read waits until the focus leaves the part.
//
// The re-read part is the one source of the page's state: the phase it carries also shows
// or hides the write form outside it. A change committed between the page being rendered
// and the socket joining the board sends no event to this page; the re-read after the join
// catches it, the form included.
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tickTimers() {
    var timers = document.querySelectorAll(".retro-timer[data-ends-at]");
    Array.prototype.forEach.call(timers, function (el) {
      var left = Math.round((Date.parse(el.getAttribute("data-ends-at")) - Date.now()) / 1000);
      var out = el.querySelector(".retro-timer-left");
      if (!out) { return; }
      if (left <= 0) {
        out.textContent = "（時間になりました）";
        el.classList.add("ended");
      } else {
        out.textContent = "（残り " + Math.floor(left / 60) + ":" + pad(left % 60) + "）";
      }
    });
  }
  tickTimers();
  setInterval(tickTimers, 1000);

  // A fresh idempotency key for each card, so a double submit stores it once.
  Array.prototype.forEach.call(document.querySelectorAll("[data-fresh-id]"), function (input) {
    var id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
      : String(Date.now()) + Math.random().toString(16).slice(2);
    input.value = id;
  });

  var region = document.getElementById("retro-board");
  if (!region || typeof io === "undefined") { return; }
  var boardId = parseInt(region.getAttribute("data-board-id"), 10);
  var partialUrl = region.getAttribute("data-partial-url");
  var status = document.getElementById("retro-status");
  var write = document.getElementById("write");
  var pending = false;
  var loading = false;

  function busy() {
    var el = document.activeElement;
    return !!el && el !== region && region.contains(el);
  }

  // The phase of the board as last read: the write form is there in the write phase only.
  function showPhase(phase) {
    if (!phase) { return; }
    region.setAttribute("data-phase", phase);
    if (write) { write.hidden = phase !== "write"; }
  }

  function refresh() {
    if (busy()) { pending = true; return; }
    if (loading) { pending = true; return; }
    pending = false;
    loading = true;
    fetch(partialUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        // The focus may have moved inside while this was loading: read again once it leaves.
        if (busy()) { pending = true; return; }
        region.innerHTML = html;
        var phases = region.querySelector("[data-board-phase]");
        showPhase(phases && phases.getAttribute("data-board-phase"));
        tickTimers();
        if (status) { status.textContent = "ボードが更新されました。"; }
      })
      .catch(function () {
        if (status) { status.textContent = "ボードを更新できませんでした。再読み込みしてください。"; }
      })
      .then(function () {
        loading = false;
        if (pending && !busy()) { refresh(); }
      });
  }

  region.addEventListener("focusout", function () {
    setTimeout(function () { if (pending && !busy()) { refresh(); } }, 0);
  });

  // Whether changes arrive live: said in a status line, as on the channel page. While the
  // socket is down the board stays usable (forms post normally); once it is back the join
  // below re-reads the board, so what changed meanwhile appears.
  var live = document.getElementById("retro-live");
  function setLive(text, down) {
    if (!live) { return; }
    live.textContent = text;
    live.classList.toggle("is-offline", down);
  }

  var socket = io("/retros", { transports: ["websocket", "polling"] });
  socket.on("connect", function () {
    // Join again on every connect, then re-read the board: whatever changed between the
    // page being rendered (or the connection dropping) and the join is not missed.
    socket.emit("retro_join", { retro_id: boardId }, function (ack) {
      if (ack && ack.ok) {
        setLive("接続中：チームの変更は自動で表示されます。", false);
        refresh();
      } else {
        setLive("この振り返りボードに参加できませんでした。ページを再読み込みしてください。", true);
      }
    });
  });
  socket.on("disconnect", function (reason) {
    setLive("リアルタイム接続が切れています。自動で再接続し、その間の変更は再接続後に表示されます。",
            true);
    if (reason === "io server disconnect") {
      setTimeout(function () { socket.connect(); }, 1000);
    }
  });
  socket.on("retro_updated", function (board) {
    if (!board || board.id !== boardId) { return; }
    refresh();
  });
})();
