/*
 * The "Mentora community" block: ask a question (or start a thread) inline. Plain JavaScript, no build step.
 *
 * The form posts its fields as JSON to the block's `post_thread` handler; a refusal is shown next to its field and
 * announced; a success adds the new thread at the top of the list and says so in the live region. Similar
 * questions come from the `similar` handler while the title is typed (communities.js). Without the script the
 * block still lists the threads and links to the full community, where everything works without JavaScript.
 */
/* exported MentoraCommunityBlock */
(function (global) {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function MentoraCommunityBlock(runtime, element, args) {
    var root = element && element.jquery ? element[0] : element;
    var block = root.classList.contains("mentora-community") ? root : root.querySelector(".mentora-community");
    if (!block) { return; }
    var strings = (args && args.strings) || {};
    var form = block.querySelector("form.mentora-community__form");
    var live = block.querySelector(".mentora-community__live");

    function call(handler, data) {
      return fetch(runtime.handlerUrl(root, handler), {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest"},
        body: JSON.stringify(data),
      }).then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      });
    }

    if (global.MentoraCommunitySimilar && form && form.querySelector(".mc-similar")) {
      global.MentoraCommunitySimilar.attach(form, function (title) {
        return call("similar", {title: title}).then(function (answer) { return answer.body.questions || []; });
      }, {found: strings.similar || ""});
    }
    block.setAttribute("data-ready", "true");
    if (!form) { return; }

    function clearErrors() {
      Array.prototype.forEach.call(form.querySelectorAll(".mentora-community__error"), function (node) {
        node.textContent = "";
      });
      Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (node) {
        node.removeAttribute("aria-invalid");
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors();
      var data = {
        title: form.querySelector('[name="title"]').value,
        body: form.querySelector('[name="body"]').value,
      };
      var privateBox = form.querySelector('[name="private"]');
      if (privateBox) { data["private"] = privateBox.checked; }
      var button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      live.textContent = strings.posting || "";
      call("post_thread", data).then(function (answer) {
        button.disabled = false;
        if (!answer.ok) {
          var field = answer.body.field || "";
          var error = field && form.querySelector('[data-error-for="' + field + '"]');
          if (error) {
            error.textContent = answer.body.message;
            var input = form.querySelector('[name="' + field + '"]');
            if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
          } else {
            form.querySelector('[data-error-for=""]').textContent = answer.body.message;
          }
          live.textContent = answer.body.message || strings.error || "";
          return;
        }
        var list = block.querySelector(".mentora-community__threads");
        var empty = block.querySelector(".mentora-community__empty");
        if (empty) { empty.parentNode.removeChild(empty); }
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = answer.body.thread.url;
        link.target = "_top";
        link.textContent = answer.body.thread.title;
        li.appendChild(link);
        list.insertBefore(li, list.firstChild);
        form.reset();
        var suggestions = form.querySelector(".mc-similar");
        if (suggestions) { suggestions.textContent = ""; }
        live.textContent = answer.body.message;
      }, function () {
        button.disabled = false;
        live.textContent = strings.error || "";
      });
    });
  }

  global.MentoraCommunityBlock = MentoraCommunityBlock;
}(window));
