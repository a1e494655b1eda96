/* Seguiment del Pla: when the server answers a Dash request with 503 (the database does not
   respond), show its Catalan message in a banner at the top of the page; hide it as soon as a
   request succeeds again. Works with any page: it watches fetch, not the components. */
(function () {
  "use strict";
  if (!window.fetch || window.__seguimentDbBanner) { return; }
  window.__seguimentDbBanner = true;
  var originalFetch = window.fetch.bind(window);
  function banner() {
    var el = document.getElementById("seguiment-db-unavailable");
    if (!el) {
      el = document.createElement("div");
      el.id = "seguiment-db-unavailable";
      el.setAttribute("role", "alert");
      el.className = "alert alert-warning m-0 rounded-0 text-center";
      el.hidden = true;
      document.body.insertBefore(el, document.body.firstChild);
    }
    return el;
  }
  window.fetch = function (input, init) {
    var url = typeof input === "string" ? input : (input && input.url) || "";
    return originalFetch(input, init).then(function (response) {
      if (url.indexOf("_dash-") !== -1) {
        if (response.status === 503) {
          response.clone().json().then(function (data) {
            var el = banner();
            el.textContent = (data && data.message) || "La base de dades no respon.";
            el.hidden = false;
          }).catch(function () {});
        } else if (response.ok) {
          var el = document.getElementById("seguiment-db-unavailable");
          if (el) { el.hidden = true; }
        }
      }
      return response;
    });
  };
})();
