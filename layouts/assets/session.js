/* Presentation mode (/sessio): keyboard navigation, slide counter, URL, full screen,
 * auto-advance and fitting the 1920x1080 canvas to the window.
 *
 * The page renders every slide at once (server side, from live data); this script only
 * chooses which one is shown, so moving between slides never waits for the server.
 * Keys: → / Space / PageDown next, ← / Shift+Space / PageUp previous, Home first, End last,
 * f full screen, Esc leave full screen or go back to the overview.
 */
(function () {
  "use strict";

  var WIDTH = 1920;
  var HEIGHT = 1080;
  var autoTimer = null;

  function deck() {
    return document.getElementById("session-deck");
  }

  function slides(d) {
    return d.querySelectorAll(".session-slide");
  }

  function currentIndex(d) {
    var n = parseInt(d.getAttribute("data-current") || "1", 10);
    return isNaN(n) ? 1 : n;
  }

  function updateUrl(n) {
    try {
      var url = new URL(window.location.href);
      url.searchParams.set("s", String(n));
      window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
    } catch (err) {
      /* an old browser without URL: the slide is simply not remembered */
    }
  }

  function show(d, n, fromUser) {
    var all = slides(d);
    var total = all.length;
    if (!total) {
      return;
    }
    n = Math.max(1, Math.min(total, n));
    for (var i = 0; i < total; i++) {
      var on = i + 1 === n;
      all[i].classList.toggle("is-current", on);
      all[i].setAttribute("aria-hidden", on ? "false" : "true");
      if (on) {
        all[i].removeAttribute("inert");
      } else {
        all[i].setAttribute("inert", "");
      }
    }
    d.setAttribute("data-current", String(n));
    var counter = d.querySelector(".session-counter");
    if (counter) {
      counter.textContent = n + " / " + total;
    }
    var live = d.querySelector(".session-announce");
    if (live) {
      live.textContent = (all[n - 1].getAttribute("aria-label") || "") + " (" + n + " / " + total + ")";
    }
    updateUrl(n);
    if (fromUser) {
      restartAuto(d);
    }
  }

  function fit() {
    var d = deck();
    if (!d) {
      return;
    }
    var canvas = d.querySelector(".session-canvas");
    if (!canvas) {
      return;
    }
    var scale = Math.min(window.innerWidth / WIDTH, window.innerHeight / HEIGHT);
    canvas.style.transform = "translate(-50%, -50%) scale(" + scale + ")";
  }

  function toggleFullScreen() {
    if (document.fullscreenElement) {
      if (document.exitFullscreen) {
        document.exitFullscreen();
      }
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  }

  function leave(d) {
    var target = d.getAttribute("data-exit") || "/";
    window.location.assign(target);
  }

  function stopAuto() {
    if (autoTimer !== null) {
      window.clearInterval(autoTimer);
      autoTimer = null;
    }
  }

  function restartAuto(d) {
    stopAuto();
    var seconds = parseFloat(d.getAttribute("data-auto") || "0");
    if (!(seconds > 0)) {
      return;
    }
    autoTimer = window.setInterval(function () {
      var live = deck();
      if (!live) {
        stopAuto();
        return;
      }
      var n = currentIndex(live);
      if (n >= slides(live).length) {
        stopAuto(); /* the last slide stays on screen */
        return;
      }
      show(live, n + 1, false);
    }, seconds * 1000);
  }

  function init(d) {
    d.setAttribute("data-ready", "1");
    show(d, currentIndex(d), false);
    fit();
    restartAuto(d);
    d.focus({ preventScroll: true });
  }

  function onKey(e) {
    var d = deck();
    if (!d || e.altKey || e.ctrlKey || e.metaKey) {
      return;
    }
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA" || t.isContentEditable)) {
      return;
    }
    var n = currentIndex(d);
    var total = slides(d).length;
    switch (e.key) {
      case "ArrowRight":
      case "ArrowDown":
      case "PageDown":
        show(d, n + 1, true);
        break;
      case " ":
      case "Spacebar":
        show(d, e.shiftKey ? n - 1 : n + 1, true);
        break;
      case "ArrowLeft":
      case "ArrowUp":
      case "PageUp":
        show(d, n - 1, true);
        break;
      case "Home":
        show(d, 1, true);
        break;
      case "End":
        show(d, total, true);
        break;
      case "f":
      case "F":
        toggleFullScreen();
        break;
      case "Escape":
      case "Esc":
        if (document.fullscreenElement) {
          toggleFullScreen();
        } else {
          leave(d);
        }
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  /* Downloads (board pack, values) are made on the server in a few seconds: show that
   * something is happening, then hand the file to the browser. */
  function download(d, link) {
    var status = d.querySelector(".session-progress");
    var say = function (key) {
      if (status) {
        status.textContent = d.getAttribute(key) || "";
      }
    };
    if (link.getAttribute("aria-busy") === "true") {
      return;
    }
    link.setAttribute("aria-busy", "true");
    say("data-msg-preparing");
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        var header = response.headers.get("Content-Disposition") || "";
        var match = /filename="([^"]+)"/.exec(header);
        return response.blob().then(function (blob) {
          return { blob: blob, name: match ? match[1] : "informe" };
        });
      })
      .then(function (file) {
        var url = URL.createObjectURL(file.blob);
        var a = document.createElement("a");
        a.href = url;
        a.download = file.name;
        document.body.appendChild(a);
        a.click();
        a.remove();
        window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        say("data-msg-ready");
      })
      .catch(function () {
        say("data-msg-failed");
      })
      .then(function () {
        link.removeAttribute("aria-busy");
      });
  }

  function onClick(e) {
    var d = deck();
    if (!d) {
      return;
    }
    var link = e.target && e.target.closest ? e.target.closest("a[data-session-download]") : null;
    if (link && d.contains(link) && window.fetch) {
      e.preventDefault();
      download(d, link);
      return;
    }
    var button = e.target && e.target.closest ? e.target.closest("[data-session-action]") : null;
    if (!button || !d.contains(button)) {
      return;
    }
    var action = button.getAttribute("data-session-action");
    var n = currentIndex(d);
    if (action === "next") {
      show(d, n + 1, true);
    } else if (action === "prev") {
      show(d, n - 1, true);
    } else if (action === "fullscreen") {
      toggleFullScreen();
    } else if (action === "leave") {
      leave(d);
    } else {
      return;
    }
    e.preventDefault();
  }

  function watch() {
    var d = deck();
    if (d && d.getAttribute("data-ready") !== "1") {
      init(d);
    } else if (!d) {
      stopAuto();
    }
  }

  document.addEventListener("keydown", onKey);
  document.addEventListener("click", onClick);
  window.addEventListener("resize", fit);
  document.addEventListener("fullscreenchange", fit);
  /* Dash renders pages after load and replaces them on navigation: watch for the deck. */
  new MutationObserver(watch).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("load", watch);

  window.seguimentSession = { show: function (n) { var d = deck(); if (d) { show(d, n, true); } } };
})();
