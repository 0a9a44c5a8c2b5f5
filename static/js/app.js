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

// Copy buttons: <button data-copy-target="INPUT_ID">; the result is announced in words.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-target]");
    if (!button) { return; }
    var id = button.getAttribute("data-copy-target");
    var input = document.getElementById(id);
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (!input) { return; }
    function done(ok) {
      if (status) { status.textContent = ok ? "コピーしました。" : "コピーできませんでした。選択して手動でコピーしてください。"; }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(function () { done(true); }, function () { done(false); });
    } else {
      input.select();
      try { done(document.execCommand("copy")); } catch (e) { done(false); }
    }
  });
})();
