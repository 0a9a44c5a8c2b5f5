// The header bell: its unread count follows the server's "notifications" event, emitted to
// this user's own room after every change (a new notification, or read elsewhere).
(function () {
  "use strict";
  var badge = document.getElementById("notif-count");
  var number = document.getElementById("notif-count-n");
  if (!badge || !number || typeof window.io !== "function") { return; }
  var socket = window.lmsSocket || io({ transports: ["websocket", "polling"] });
  window.lmsSocket = socket;
  socket.on("notifications", function (data) {
    if (!data || typeof data.unread !== "number") { return; }
    number.textContent = String(data.unread);
    badge.hidden = data.unread === 0;
    badge.setAttribute("data-updated", "1");
  });
})();
