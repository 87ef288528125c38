/*
 * The reviewing page's inline comments: selecting a passage of the submission's text fills the comment form's
 * fields (its start and end offsets into the text, and the quoted passage), and a live region says what was
 * selected. Plain JavaScript, no build step, no library.
 *
 * Offsets count the characters of the text as the server stores it: the links to comments that the page puts
 * after marked passages (elements with data-anchor-skip) are not counted. Without this script, or without a mouse,
 * the reviewer quotes the passage in the form and the server finds it in the text.
 */
(function () {
  "use strict";

  var text = document.querySelector("[data-review-text]");
  var start = document.getElementById("id_inline-start");
  var end = document.getElementById("id_inline-end");
  var quote = document.getElementById("id_inline-quote");
  var occurrence = document.getElementById("id_inline-occurrence");
  var status = document.getElementById("review-anchor-status");
  if (!text || !start || !end || !quote) {
    return;
  }

  /* The text between the start of the passage's container and (node, offset), without the skipped elements. */
  function textBefore(node, offset) {
    var range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(node, offset);
    return visibleText(range);
  }

  function visibleText(range) {
    var fragment = range.cloneContents();
    Array.prototype.forEach.call(fragment.querySelectorAll("[data-anchor-skip]"), function (element) {
      element.parentNode.removeChild(element);
    });
    return fragment.textContent;
  }

  function announce(message) {
    if (status) {
      status.textContent = message;
    }
  }

  function update() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return;
    }
    var range = selection.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) {
      return;
    }
    var from = textBefore(range.startContainer, range.startOffset).length;
    var passage = visibleText(range);
    if (!passage) {
      return;
    }
    start.value = String(from);
    end.value = String(from + passage.length);
    quote.value = passage;
    if (occurrence) {
      occurrence.value = "";
    }
    var template = status ? status.getAttribute("data-template") : "";
    if (template) {
      announce(template.replace("{quote}", passage.length > 80 ? passage.slice(0, 79) + "…" : passage)
        .replace("{start}", start.value).replace("{end}", end.value));
    }
  }

  text.addEventListener("mouseup", update);
  text.addEventListener("keyup", update);
  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (selection && selection.rangeCount && text.contains(selection.getRangeAt(0).commonAncestorContainer)) {
      update();
    }
  });
}());
