/*
 * Communities' pages and block: similar questions while a learner types a new one. Plain JavaScript, no build step.
 * Nothing essential lives here: without it the form posts as it is.
 *
 * A form with `data-similar-url` (the REST endpoint `.../courses/<course_id>/similar/`) and `data-thread-url` (a
 * thread page's URL with the id 0) asks, 400 ms after the title last changed and from 5 characters on, for the
 * questions already asked that look like it, and lists them as links in `.mc-similar`; `.mc-similar-status` (an
 * aria-live region) says how many were found, so screen-reader users hear it without losing their place.
 * The block passes a function instead of a URL (`MentoraCommunitySimilar.attach(form, ask)`).
 */
/* exported MentoraCommunitySimilar */
(function (global) {
  "use strict";

  var DELAY_MS = 400;
  var MIN_CHARS = 5;

  function restAsk(url) {
    return function (title) {
      return fetch(url + "?title=" + encodeURIComponent(title), {
        credentials: "same-origin", headers: {"Accept": "application/json"},
      }).then(function (response) { return response.ok ? response.json() : []; });
    };
  }

  function asList(body) {
    if (Array.isArray(body)) { return body; }
    return (body && (body.results || body.questions)) || [];
  }

  function attach(form, ask, strings) {
    var title = form.querySelector('input[name$="title"]');
    var list = form.querySelector(".mc-similar");
    var status = form.querySelector(".mc-similar-status");
    if (!title || !list || !status) { return; }
    var pattern = form.getAttribute("data-thread-url") || "";
    var template = document.getElementById("mc-similar-strings");
    strings = strings || {
      found: template ? template.getAttribute("data-found") : "Similar questions already asked:",
    };
    var timer = null;
    var asked = "";

    function show(items, query) {
      if (query !== title.value.trim()) { return; }  // an older answer arriving late
      list.textContent = "";
      items.slice(0, 5).forEach(function (item) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        var id = item.thread_id || item.id;
        link.href = item.url || pattern.replace(/\/0\/$/, "/" + encodeURIComponent(id) + "/");
        link.textContent = item.title;
        link.target = pattern ? "_self" : "_top";
        li.appendChild(link);
        if (item.replies_label) {  // pluralised by the server, in the reader's language
          li.appendChild(document.createTextNode(" (" + item.replies_label + ")"));
        }
        list.appendChild(li);
      });
      status.textContent = items.length ? strings.found + " " + Math.min(items.length, 5) : "";
    }

    title.addEventListener("input", function () {
      if (timer) { global.clearTimeout(timer); }
      timer = global.setTimeout(function () {
        var query = title.value.trim();
        if (query === asked) { return; }
        asked = query;
        if (query.length < MIN_CHARS) { list.textContent = ""; status.textContent = ""; return; }
        ask(query).then(function (body) { show(asList(body), query); }, function () { /* suggestions only */ });
      }, DELAY_MS);
    });
  }

  global.MentoraCommunitySimilar = {attach: attach, restAsk: restAsk};

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-similar-url]"), function (form) {
      attach(form, restAsk(form.getAttribute("data-similar-url")));
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}(window));
