/*
 * The "Mentora badges" block's Studio form: plain JavaScript, no build step, no library. The learner's view needs
 * no script at all (it is rendered on the server; the criteria open in a native <details>).
 *
 * MentoraBadgesStudio posts the title, the ticked badges and (in runtimes without courses) the course key to the
 * block's `studio_submit` handler; its refusals are shown next to their field, summarised in an alert that takes
 * the focus, and announced. Native controls only, so the form is keyboard-usable as it is.
 */
/* exported MentoraBadgesStudio */
(function (global) {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function MentoraBadgesStudio(runtime, element, args) {
    var root = element && element.jquery ? element[0] : element;
    var block = root.classList.contains("mentora-badges-studio") ? root : root.querySelector(".mentora-badges-studio");
    if (!block) { return; }
    var strings = (args && args.strings) || {};
    var form = block.querySelector("form");
    var summary = block.querySelector(".mentora-badges__summary");
    var live = block.querySelector(".mentora-badges__live");

    function clearErrors() {
      summary.hidden = true;
      summary.textContent = "";
      Array.prototype.forEach.call(block.querySelectorAll(".mentora-badges__error"), function (node) {
        node.textContent = "";
      });
      Array.prototype.forEach.call(block.querySelectorAll("[aria-invalid]"), function (node) {
        node.removeAttribute("aria-invalid");
      });
    }

    function showErrors(body) {
      var fields = (body && body.field_errors) || {};
      Object.keys(fields).forEach(function (name) {
        var wrapper = block.querySelector('[data-field="' + name + '"]');
        if (!wrapper) { return; }
        wrapper.querySelector(".mentora-badges__error").textContent = fields[name];
        var input = wrapper.querySelector("input");
        if (input) { input.setAttribute("aria-invalid", "true"); }
      });
      summary.textContent = (body && body.message) || strings.error || "";
      summary.hidden = false;
      summary.focus();
    }

    function values() {
      var found = {badge_classes: []};
      var title = form.querySelector('[name="display_name"]');
      found.display_name = title ? title.value : "";
      var fallback = form.querySelector('[name="fallback_course_key"]');
      if (fallback) { found.fallback_course_key = fallback.value; }
      Array.prototype.forEach.call(form.querySelectorAll('[name="badge_classes"]:checked'), function (box) {
        found.badge_classes.push(box.value);
      });
      return found;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors();
      live.textContent = strings.saving || "";
      if (runtime.notify) { runtime.notify("save", {state: "start", message: strings.saving}); }
      fetch(runtime.handlerUrl(root, "studio_submit"), {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(),
                  "X-Requested-With": "XMLHttpRequest"},
        body: JSON.stringify({values: values()})
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) { throw body; }
          live.textContent = strings.saved || "";
          if (runtime.notify) { runtime.notify("save", {state: "end"}); }
        });
      }).catch(function (body) {
        live.textContent = "";
        showErrors(body && body.message ? body : {message: strings.error});
        if (runtime.notify) { runtime.notify("error", {title: strings.fix_errors, message: summary.textContent}); }
      });
    });

    var cancel = block.querySelector(".cancel-button");
    if (cancel) {
      cancel.addEventListener("click", function () {
        if (runtime.notify) { runtime.notify("cancel", {}); }
      });
    }
  }

  global.MentoraBadgesStudio = MentoraBadgesStudio;
}(window));
