/* Seguiment del Pla: when a Dash request is refused because the login has ended (401: the
   session expired, the password was changed or the account disabled) or the page's CSRF
   token is stale (403 "csrf"), go to the login page, coming back here afterwards.
   It watches fetch, like seguiment_db_unavailable.js (both wrappers chain). */
(function () {
  "use strict";
  if (!window.fetch || window.__seguimentSession) { return; }
  window.__seguimentSession = true;
  var originalFetch = window.fetch.bind(window);
  var leaving = false;
  function toLogin() {
    if (leaving) { return; }
    leaving = true;
    var here = window.location.pathname + window.location.search;
    window.location.assign("/login?next=" + encodeURIComponent(here));
  }
  var never = function () { return new Promise(function () {}); };
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    return originalFetch(input, init).then(function (response) {
      if (url.indexOf("_dash-") === -1) { return response; }
      if (response.status === 401) {
        toLogin();
        return never();  // the page is leaving: nothing for Dash to handle
      }
      if (response.status === 403) {
        return response.clone().json().then(function (data) {
          if (data && data.error === "csrf") { toLogin(); return never(); }
          return response;
        }, function () { return response; });
      }
      return response;
    });
  };
})();
