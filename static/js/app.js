// Site-wide behaviour. No inline scripts: the page's CSP allows only files from this server.
(function () {
  "use strict";
  // Forms that ask before a destructive action carry data-confirm="message".
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
