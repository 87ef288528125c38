/*
 * The "Mentora project" block in the browser: plain JavaScript, no build step, no library.
 *
 * MentoraProjectXBlock (the learner's view): the server renders the brief, the dates and the rubric with a skeleton
 * of the learner's workspace; this script fills it from the block's JSON handlers (state, save_draft, upload_file,
 * remove_file, submit, reply, gallery_consent). The draft autosaves (shortly after typing stops, and when the text
 * area loses focus), and a polite live region says when it was saved. Text written by people is only ever set as
 * textContent; the only HTML inserted is what the server rendered from Markdown and sanitised (feedback, replies).
 * Every text comes from the `strings` catalog that `state` returns in the viewer's language; times are formatted by
 * the browser (Intl) in the viewer's own zone.
 *
 * MentoraProjectStudio (the author's form): every setting and a rubric editor (criteria and their levels, added and
 * removed with buttons), the course's rubric library, saved through the `studio_submit` handler, which answers with
 * the refusals of the reviews domain field by field.
 *
 * Keyboard use: native controls only; after each action focus moves to what changed, and a live region announces
 * the outcome.
 */
/* exported MentoraProjectXBlock, MentoraProjectStudio */
(function (global) {
  "use strict";

  function rootOf(element, className) {
    var root = element && element.jquery ? element[0] : element;
    var block = root.classList.contains(className) ? root : root.querySelector("." + className);
    return {root: root, block: block};
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function caller(runtime, root, fallbackError) {
    return function (handler, data, form) {
      var headers = {"X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest"};
      if (!form) { headers["Content-Type"] = "application/json"; }
      return fetch(runtime.handlerUrl(root, handler), {
        method: "POST",
        credentials: "same-origin",
        headers: headers,
        body: form || JSON.stringify(data || {})
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            var error = new Error(body.message || fallbackError());
            error.code = body.error_code;
            error.fields = body.field_errors || {};
            throw error;
          }
          return body;
        });
      });
    };
  }

  function fill(text, values) {
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function liveAnnouncer(live) {
    return function (text, focus) {
      live.textContent = "";
      // A fresh text node on the next frame makes screen readers announce repeated messages too.
      global.setTimeout(function () { live.textContent = text; }, 30);
      if (focus) { live.focus(); }
    };
  }

  // --- the learner's view ----------------------------------------------------------------------------------------

  function MentoraProjectXBlock(runtime, element, args) {
    var found = rootOf(element, "mentora-project");
    var root = found.root;
    var block = found.block;
    if (!block) { return; }

    function $(selector) { return block.querySelector(selector); }
    function $all(selector) { return Array.prototype.slice.call(block.querySelectorAll(selector)); }

    var domId = block.getAttribute("data-dom-id");
    var strings = {};
    var language = document.documentElement.lang || navigator.language || "en";
    var announce = liveAnnouncer($(".mentora-project__live"));
    function t(name, values) { return fill(strings[name] || name, values); }
    var call = caller(runtime, root, function () { return t("error"); });

    function zone() {
      try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { return "UTC"; }
    }

    function formatTime(iso, short) {
      if (!iso) { return ""; }
      var options = short ? {hour: "2-digit", minute: "2-digit"}
        : {weekday: "long", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
           timeZoneName: "short"};
      options.timeZone = zone();
      try { return new Intl.DateTimeFormat(language, options).format(new Date(iso)); } catch (e) { return iso; }
    }

    function timeElement(iso) {
      var node = make("time", null, formatTime(iso));
      node.setAttribute("datetime", iso);
      return node;
    }

    function withTime(className, text, iso) {
      // The translated sentence holds {time} where the <time> element goes, wherever the language puts it.
      var node = make("p", className);
      var parts = text.split("{time}");
      node.appendChild(document.createTextNode(parts[0]));
      node.appendChild(timeElement(iso));
      node.appendChild(document.createTextNode(parts.slice(1).join("")));
      return node;
    }

    function localiseDates() {
      $all(".mentora-project__dates time").forEach(function (node) {
        node.textContent = formatTime(node.getAttribute("datetime"));
      });
    }

    if ((args && args.status !== "ok") || block.getAttribute("data-status") !== "ok") {
      // No workspace here; the page's dates are still shown in the viewer's zone.
      call("state", {}).then(function (body) {
        language = body.language || language;
        localiseDates();
        block.setAttribute("data-ready", "true");
      }).catch(function () { localiseDates(); });
      return;
    }

    var statusText = $(".mentora-project__status");
    var closedText = $(".mentora-project__closed");
    var textArea = $(".mentora-project__text");
    var savedText = $(".mentora-project__saved");
    var linkList = $(".mentora-project__link-list");
    var linkInput = $(".mentora-project__link-input");
    var addLinkButton = $(".mentora-project__add-link");
    var linkError = $("#" + domId + "-link-error");
    var fileForm = $(".mentora-project__files");
    var fileList = $(".mentora-project__file-list");
    var fileInput = $(".mentora-project__file-input");
    var uploadButton = $(".mentora-project__upload");
    var fileError = $("#" + domId + "-file-error");
    var selfBox = $(".mentora-project__self");
    var submitButton = $(".mentora-project__submit");
    var confirmBox = $(".mentora-project__confirm");
    var confirmText = $(".mentora-project__confirm-text");
    var confirmYes = $(".mentora-project__confirm-yes");
    var confirmNo = $(".mentora-project__confirm-no");
    var resubmissionsText = $(".mentora-project__resubmissions");
    var gallerySection = $(".mentora-project__gallery");
    var consentBox = $(".mentora-project__consent");
    var consentState = $(".mentora-project__consent-state");
    var versionList = $(".mentora-project__versions");
    var historyHeading = $("#" + domId + "-history");

    var project = {rubric: []};
    var submission = null;
    var links = [];
    var lastSaved = null;
    var saveTimer = null;
    var saveChain = Promise.resolve();
    var editable = false;

    // --- the draft ---------------------------------------------------------------------------------------------

    function draftPayload() {
      var payload = {};
      if (textArea) { payload.text = textArea.value; }
      if (linkInput) { payload.links = links.slice(); }
      return payload;
    }

    function showSaved(iso) {
      savedText.textContent = iso ? t("draft_saved_at", {time: formatTime(iso, true)}) : t("no_draft_yet");
    }

    function saveNow() {
      global.clearTimeout(saveTimer);
      saveChain = saveChain.then(function () {
        if (!editable) { return null; }
        var payload = draftPayload();
        var key = JSON.stringify(payload);
        if (key === lastSaved) { return null; }
        return call("save_draft", payload).then(function (body) {
          lastSaved = key;
          submission = body.submission;
          showSaved(body.submission.draft_saved_at);
          renderControls();
        }).catch(function (error) {
          savedText.textContent = t("not_saved", {message: error.message});
        });
      });
      return saveChain;
    }

    function scheduleSave() {
      global.clearTimeout(saveTimer);
      saveTimer = global.setTimeout(saveNow, 1200);
    }

    // --- links -------------------------------------------------------------------------------------------------

    function renderLinks() {
      if (!linkList) { return; }
      linkList.innerHTML = "";
      if (!links.length) {
        linkList.appendChild(make("li", "mentora-project__empty", t("no_links")));
        return;
      }
      links.forEach(function (url, index) {
        var item = make("li", "mentora-project__item");
        var anchor = make("a", null, url);
        anchor.href = url;
        anchor.rel = "nofollow noopener noreferrer";
        anchor.target = "_blank";
        item.appendChild(anchor);
        if (editable) {
          var remove = make("button", "mentora-project__secondary mentora-project__remove-link", t("remove"));
          remove.type = "button";
          remove.setAttribute("aria-label", t("remove_link", {url: url}));
          remove.addEventListener("click", function () {
            links.splice(index, 1);
            renderLinks();
            saveNow().then(function () { announce(t("link_removed")); });
            linkInput.focus();
          });
          item.appendChild(document.createTextNode(" "));
          item.appendChild(remove);
        }
        linkList.appendChild(item);
      });
    }

    function addLink() {
      var url = linkInput.value.trim();
      if (!/^https?:\/\/\S+$/i.test(url)) {
        linkError.textContent = t("bad_link");
        linkInput.setAttribute("aria-invalid", "true");
        linkInput.focus();
        return;
      }
      linkError.textContent = "";
      linkInput.removeAttribute("aria-invalid");
      if (links.indexOf(url) === -1) { links.push(url); }
      linkInput.value = "";
      renderLinks();
      saveNow().then(function () { announce(t("link_added")); });
      linkInput.focus();
    }

    // --- files -------------------------------------------------------------------------------------------------

    function sizeLabel(size) {
      if (size >= 1024 * 1024) { return t("size_mb", {size: (size / 1024 / 1024).toFixed(1)}); }
      return t("size_kb", {size: Math.max(1, Math.round(size / 1024))});
    }

    function fileItem(file, removable) {
      var item = make("li", "mentora-project__item");
      item.setAttribute("data-file-id", String(file.id));
      var name;
      if (file.url) {
        name = make("a", null, file.name);
        name.href = file.url;
      } else {
        name = make("span", null, file.name);
      }
      item.appendChild(name);
      item.appendChild(document.createTextNode(" (" + sizeLabel(file.size) + ")"));
      if (removable) {
        var remove = make("button", "mentora-project__secondary mentora-project__remove-file", t("remove"));
        remove.type = "button";
        remove.setAttribute("aria-label", t("remove_file", {name: file.name}));
        remove.addEventListener("click", function () { removeFile(file); });
        item.appendChild(document.createTextNode(" "));
        item.appendChild(remove);
      }
      return item;
    }

    function renderFiles() {
      if (!fileList) { return; }
      fileList.innerHTML = "";
      var files = submission ? submission.files : [];
      if (!files.length) {
        fileList.appendChild(make("li", "mentora-project__empty", t("no_files")));
        return;
      }
      files.forEach(function (file) { fileList.appendChild(fileItem(file, editable)); });
    }

    function setFileError(message) {
      fileError.textContent = message || "";
      if (message) { fileInput.setAttribute("aria-invalid", "true"); } else { fileInput.removeAttribute("aria-invalid"); }
    }

    function upload(event) {
      event.preventDefault();
      if (!fileInput.files || !fileInput.files.length) {
        setFileError(t("choose_file"));
        fileInput.focus();
        return;
      }
      var chosen = fileInput.files[0];
      var form = new FormData();
      form.append("file", chosen, chosen.name);
      uploadButton.disabled = true;
      announce(t("uploading", {name: chosen.name}));
      saveNow().then(function () {
        return call("upload_file", null, form);
      }).then(function (body) {
        setFileError("");
        fileInput.value = "";
        update(body.submission);
        announce(t("file_added", {name: chosen.name}));
        fileInput.focus();
      }).catch(function (error) {
        setFileError(error.message);
        announce(error.message);
        fileInput.focus();
      }).then(function () { uploadButton.disabled = !editable; });
    }

    function removeFile(file) {
      call("remove_file", {file_id: file.id}).then(function (body) {
        update(body.submission);
        announce(t("file_removed", {name: file.name}));
        fileInput.focus();
      }).catch(function (error) { announce(error.message, true); });
    }

    // --- self-assessment and submitting ------------------------------------------------------------------------

    function selfAssessment() {
      if (!selfBox) { return {complete: true, values: null}; }
      var values = {};
      var firstMissing = null;
      $all(".mentora-project__self-criterion").forEach(function (group) {
        var checked = group.querySelector("input:checked");
        if (checked) {
          values[group.getAttribute("data-criterion")] = parseInt(checked.value, 10);
        } else if (!firstMissing) {
          firstMissing = group.querySelector("input");
        }
      });
      return {complete: !firstMissing, values: values, firstMissing: firstMissing};
    }

    function askToSubmit() {
      var assessment = selfAssessment();
      if (!assessment.complete) {
        announce(t("self_assessment_missing"));
        assessment.firstMissing.focus();
        return;
      }
      confirmText.textContent = t("confirm_submit", {number: submission.next_number});
      confirmBox.hidden = false;
      submitButton.hidden = true;
      confirmText.focus();
    }

    function closeConfirm(focusSubmit) {
      confirmBox.hidden = true;
      submitButton.hidden = false;
      if (focusSubmit) { submitButton.focus(); }
    }

    function submitNow() {
      var assessment = selfAssessment();
      confirmYes.disabled = true;
      announce(t("submitting"));
      saveNow().then(function () {
        return call("submit", {self_assessment: assessment.values});
      }).then(function (body) {
        closeConfirm(false);
        update(body.submission);
        announce(t("submitted", {number: body.submission.versions.length ? body.submission.versions[0].number : 1}));
        historyHeading.focus();
      }).catch(function (error) {
        closeConfirm(true);
        announce(error.message, true);
      }).then(function () { confirmYes.disabled = false; });
    }

    // --- versions and feedback ---------------------------------------------------------------------------------

    function criterion(key) {
      return project.rubric.filter(function (item) { return item.key === key; })[0] || null;
    }

    function heading(level, text) { return make("h" + level, "mentora-project__subheading", text); }

    function textWithComments(text, comments, prefix) {
      var box = make("div", "mentora-project__submitted-text");
      var ordered = comments.slice().sort(function (a, b) { return a.start - b.start; });
      var position = 0;
      ordered.forEach(function (comment) {
        var start = Math.max(comment.start, position);
        var end = Math.min(comment.end, text.length);
        if (end <= start) { return; }
        box.appendChild(document.createTextNode(text.slice(position, start)));
        var mark = make("mark", null, text.slice(start, end));
        box.appendChild(mark);
        var ref = make("a", "mentora-project__ref", "[" + comment.number + "]");
        ref.href = "#" + prefix + "-comment-" + comment.number;
        ref.setAttribute("aria-label", t("inline_comment_ref", {number: comment.number}));
        box.appendChild(ref);
        position = end;
      });
      box.appendChild(document.createTextNode(text.slice(position)));
      return box;
    }

    function fileListOf(files) {
      var list = make("ul", "mentora-project__list");
      files.forEach(function (file) { list.appendChild(fileItem(file, false)); });
      return list;
    }

    function reviewSection(review, version, comments, prefix) {
      var section = make("section", "mentora-project__review");
      section.setAttribute("data-review-id", String(review.id));
      section.appendChild(heading(5, t("feedback") + " — " + review.outcome_label +
                                  (review.reviewer ? " · " + t("by", {name: review.reviewer}) : "")));
      if (review.released_at) {
        section.appendChild(withTime("mentora-project__meta", strings.released_on || "{time}", review.released_at));
      }
      if (review.points !== null && review.points !== undefined && review.points_possible) {
        section.appendChild(make("p", "mentora-project__grade", t("grade", {
          points: Math.round(review.points * 100) / 100, possible: review.points_possible
        })));
      }
      if (review.scores.length) {
        var table = make("table", "mentora-project__table mentora-project__scores");
        var head = make("thead");
        var row = make("tr");
        ["criterion", "level", "points", "comment"].forEach(function (name) {
          var cell = make("th", null, t(name));
          cell.scope = "col";
          row.appendChild(cell);
        });
        head.appendChild(row);
        table.appendChild(head);
        var body = make("tbody");
        review.scores.forEach(function (score) {
          var info = criterion(score.criterion);
          var level = info && info.levels[score.level] ? info.levels[score.level] : null;
          var line = make("tr");
          var name = make("th", null, info ? info.title : score.criterion);
          name.scope = "row";
          line.appendChild(name);
          line.appendChild(make("td", null, level ? level.label : ""));
          line.appendChild(make("td", null, level ? t("points_of", {points: level.points, max: info.max_points}) : ""));
          line.appendChild(make("td", null, score.comment || ""));
          body.appendChild(line);
        });
        table.appendChild(body);
        section.appendChild(table);
      }
      if (review.feedback_html) {
        section.appendChild(heading(6, t("overall_feedback")));
        var feedback = make("div", "mentora-project__markdown");
        feedback.innerHTML = review.feedback_html;  // rendered from Markdown and sanitised by the server
        section.appendChild(feedback);
      }
      if (comments.length) {
        section.appendChild(heading(6, t("inline_comments")));
        var list = make("ol", "mentora-project__comments");
        comments.forEach(function (comment) {
          if (comment.review !== review.id) { return; }
          var item = make("li");
          item.id = prefix + "-comment-" + comment.number;
          item.value = comment.number;
          item.appendChild(make("q", null, comment.quote));
          item.appendChild(document.createTextNode(" — " + comment.comment));
          list.appendChild(item);
        });
        if (list.children.length) { section.appendChild(list); }
      }
      if (review.files.length) {
        section.appendChild(heading(6, t("feedback_files")));
        section.appendChild(fileListOf(review.files));
      }
      return section;
    }

    function versionItem(version) {
      var prefix = domId + "-v" + version.number;
      var item = make("li", "mentora-project__version");
      item.setAttribute("data-version-id", String(version.id));
      var article = make("article");
      article.setAttribute("aria-labelledby", prefix + "-title");
      var title = heading(4, t("version", {number: version.number}) + " — " + version.status_label +
                          (version.late ? " (" + t("late") + ")" : ""));
      title.id = prefix + "-title";
      article.appendChild(title);
      var submittedLine = withTime("mentora-project__meta", strings.submitted_on || "{time}", version.submitted_at);
      if (version.submitted_by) {
        submittedLine.appendChild(document.createTextNode(" " + t("by", {name: version.submitted_by})));
      }
      article.appendChild(submittedLine);

      var comments = [];
      version.reviews.forEach(function (review) {
        review.inline_comments.forEach(function (comment) {
          comments.push({start: comment.start, end: comment.end, quote: comment.quote, comment: comment.comment,
                         review: review.id, number: comments.length + 1});
        });
      });
      if (version.text) {
        article.appendChild(heading(5, t("your_text")));
        article.appendChild(textWithComments(version.text, comments, prefix));
      }
      if (version.links.length) {
        article.appendChild(heading(5, t("your_links")));
        var links = make("ul", "mentora-project__list");
        version.links.forEach(function (url) {
          var entry = make("li");
          var anchor = make("a", null, url);
          anchor.href = url;
          anchor.rel = "nofollow noopener noreferrer";
          entry.appendChild(anchor);
          links.appendChild(entry);
        });
        article.appendChild(links);
      }
      if (version.files.length) {
        article.appendChild(heading(5, t("your_files")));
        article.appendChild(fileListOf(version.files));
      }
      if (version.self_assessment.length) {
        article.appendChild(heading(5, t("your_self_assessment")));
        var assessed = make("ul", "mentora-project__list");
        version.self_assessment.forEach(function (entry) {
          var info = criterion(entry.criterion);
          var level = info && info.levels[entry.level] ? info.levels[entry.level].label : String(entry.level);
          assessed.appendChild(make("li", null, (info ? info.title : entry.criterion) + " — " + level));
        });
        article.appendChild(assessed);
      }
      version.reviews.forEach(function (review) {
        article.appendChild(reviewSection(review, version, comments, prefix));
      });
      if (version.replies.length) {
        article.appendChild(heading(5, t("replies")));
        var replies = make("ul", "mentora-project__list mentora-project__replies");
        version.replies.forEach(function (reply) {
          var entry = make("li", "mentora-project__reply");
          var meta = make("p", "mentora-project__meta", reply.author + " · ");
          meta.appendChild(timeElement(reply.created));
          entry.appendChild(meta);
          var body = make("div", "mentora-project__markdown");
          body.innerHTML = reply.body_html;  // rendered from Markdown and sanitised by the server
          entry.appendChild(body);
          replies.appendChild(entry);
        });
        article.appendChild(replies);
      }
      if (version.can_reply) { article.appendChild(replyForm(version, prefix)); }
      item.appendChild(article);
      return item;
    }

    function replyForm(version, prefix) {
      var form = make("form", "mentora-project__reply-form");
      form.noValidate = true;
      var field = make("div", "mentora-project__field");
      var label = make("label", null, t("your_reply"));
      var area = make("textarea", "mentora-project__reply-text");
      area.id = prefix + "-reply";
      area.rows = 3;
      area.maxLength = 20000;
      label.setAttribute("for", area.id);
      field.appendChild(label);
      field.appendChild(area);
      var send = make("button", "mentora-project__secondary mentora-project__send-reply", t("send_reply"));
      send.type = "submit";
      form.appendChild(field);
      form.appendChild(send);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!area.value.trim()) {
          announce(t("reply_empty"));
          area.focus();
          return;
        }
        send.disabled = true;
        call("reply", {version_id: version.id, body: area.value}).then(function (body) {
          update(body.submission);
          announce(t("reply_sent"));
          var again = block.querySelector("#" + prefix + "-reply");
          if (again) { again.focus(); }
        }).catch(function (error) {
          send.disabled = false;
          announce(error.message, true);
        });
      });
      return form;
    }

    function renderVersions() {
      versionList.innerHTML = "";
      var versions = submission ? submission.versions : [];
      if (!versions.length) {
        versionList.appendChild(make("li", "mentora-project__empty", t("no_versions")));
        return;
      }
      versions.forEach(function (version) { versionList.appendChild(versionItem(version)); });
    }

    // --- the whole state ---------------------------------------------------------------------------------------

    function renderControls() {
      editable = !!(submission && submission.can_edit);
      statusText.textContent = t("status", {label: submission.status_label}) + (submission.team_name
        ? " · " + t("team", {name: submission.team_name}) : "");
      var notes = [];
      if (submission.blocked) {
        var when = submission.blocked === "not_open" ? submission.dates.start : submission.dates.cutoff;
        notes.push(t("blocked_" + submission.blocked, {time: formatTime(when)}));
      } else {
        // Approved work that may still be improved: say so, and which grade will count.
        if (submission.improve_note) {
          notes.push(t(submission.improve_note, {count: submission.resubmissions_left}));
        }
        if (submission.is_late) { notes.push(t("late_warning")); }
      }
      if (submission.grade_kept) { notes.push(t("grade_kept")); }
      if (submission.extended) { notes.push(t("extended")); }
      closedText.hidden = !notes.length;
      closedText.textContent = notes.join(" ");
      [textArea, linkInput, addLinkButton, fileInput, uploadButton].forEach(function (control) {
        if (control) { control.disabled = !editable; }
      });
      $all(".mentora-project__self input").forEach(function (radio) { radio.disabled = !submission.can_submit; });
      submitButton.disabled = !submission.can_submit;
      if (submission.versions.length) {
        resubmissionsText.textContent = submission.resubmissions_left > 0
          ? t("resubmissions_left", {count: submission.resubmissions_left}) : t("no_resubmissions_left");
      } else {
        resubmissionsText.textContent = "";
      }
      var gallery = submission.gallery;
      gallerySection.hidden = !(gallery && gallery.featured);
      if (gallery && gallery.featured) {
        consentBox.checked = !!gallery.consent;
        consentState.textContent = gallery.shown ? t("gallery_on")
          : gallery.consent ? t("gallery_waiting_team") : t("gallery_off");
      }
    }

    function update(next, initial) {
      submission = next;
      if (initial) {
        if (textArea) { textArea.value = next.draft_text || ""; }
        links = (next.draft_links || []).slice();
        lastSaved = JSON.stringify(draftPayload());
        showSaved(next.draft_saved_at);
      }
      renderControls();
      renderLinks();
      renderFiles();
      renderVersions();
      if (next.dates) {
        ["start", "due", "cutoff"].forEach(function (name) {
          var node = $('.mentora-project__date[data-date="' + name + '"] time');
          if (node && next.dates[name]) { node.setAttribute("datetime", next.dates[name]); }
        });
      }
      localiseDates();
    }

    // --- start -------------------------------------------------------------------------------------------------

    if (textArea) {
      textArea.addEventListener("input", scheduleSave);
      textArea.addEventListener("blur", saveNow);
    }
    if (addLinkButton) {
      addLinkButton.addEventListener("click", addLink);
      linkInput.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          addLink();
        }
      });
    }
    if (fileForm) { fileForm.addEventListener("submit", upload); }
    block.querySelector(".mentora-project__draft").addEventListener("submit", function (event) {
      event.preventDefault();
      saveNow();
    });
    submitButton.addEventListener("click", askToSubmit);
    confirmYes.addEventListener("click", submitNow);
    confirmNo.addEventListener("click", function () { closeConfirm(true); });
    confirmBox.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { closeConfirm(true); }
    });
    consentBox.addEventListener("change", function () {
      var wanted = consentBox.checked;
      call("gallery_consent", {consent: wanted}).then(function (body) {
        update(body.submission);
        announce(consentState.textContent);
      }).catch(function (error) {
        consentBox.checked = !wanted;
        announce(error.message, true);
      });
    });
    global.addEventListener("beforeunload", function () { if (saveTimer) { saveNow(); } });

    call("state", {}).then(function (body) {
      strings = body.strings || {};
      language = body.language || language;
      project = body.project || project;
      update(body.submission, true);
      block.setAttribute("data-ready", "true");
    }).catch(function (error) { announce(error.message, true); });
  }

  // --- the author's form -----------------------------------------------------------------------------------------

  function MentoraProjectStudio(runtime, element, args) {
    var found = rootOf(element, "mentora-project-studio");
    var root = found.root;
    var block = found.block;
    if (!block) { return; }
    var strings = (args && args.strings) || {};
    function t(name, values) { return fill(strings[name] || name, values); }
    function $(selector) { return block.querySelector(selector); }
    function $all(selector) { return Array.prototype.slice.call(block.querySelectorAll(selector)); }

    var domId = block.getAttribute("data-dom-id");
    var call = caller(runtime, root, function () { return t("error"); });
    var announce = liveAnnouncer($(".mentora-project__live"));
    var form = $(".mentora-project__studio-form");
    var summary = $(".mentora-project__summary");
    var criteriaBox = $(".mentora-project__criteria");
    var rubricError = $("#" + domId + "-rubric-error");
    var templateSelect = $(".mentora-project__templates");
    var templateTitle = $(".mentora-project__template-title");
    var templateError = $("#" + domId + "-template-title-error");
    var dataNode = document.getElementById(domId + "-rubric-data");
    var rubric = [];
    var templates = [];
    try { rubric = JSON.parse(dataNode ? dataNode.textContent : "[]") || []; } catch (e) { rubric = []; }

    function input(type, value, label, className) {
      var control = make(type === "textarea" ? "textarea" : "input", className);
      if (type !== "textarea") { control.type = type; }
      if (type === "number") { control.step = "any"; }
      if (type === "textarea") { control.rows = 2; }
      control.value = value === undefined || value === null ? "" : String(value);
      if (label) { control.setAttribute("aria-label", label); }
      return control;
    }

    function labelled(text, control, id) {
      var wrapper = make("div", "mentora-project__field");
      control.id = id;
      var label = make("label", null, text);
      label.setAttribute("for", id);
      wrapper.appendChild(label);
      wrapper.appendChild(control);
      return wrapper;
    }

    function button(text, className, label) {
      var node = make("button", "mentora-project__secondary " + className, text);
      node.type = "button";
      if (label) { node.setAttribute("aria-label", label); }
      return node;
    }

    function renderRubric() {
      criteriaBox.innerHTML = "";
      rubric.forEach(function (criterion, index) {
        var number = index + 1;
        var box = make("fieldset", "mentora-project__criterion-editor");
        box.setAttribute("data-index", String(index));
        var legend = make("legend", null, t("criterion", {number: number}));
        box.appendChild(legend);
        var prefix = domId + "-c" + number;
        box.appendChild(labelled(t("key"), input("text", criterion.key, null, "mentora-project__c-key"), prefix + "-key"));
        box.appendChild(labelled(t("criterion_title"), input("text", criterion.title, null, "mentora-project__c-title"),
                                 prefix + "-title"));
        box.appendChild(labelled(t("description"),
                                 input("textarea", criterion.description, null, "mentora-project__c-description"),
                                 prefix + "-description"));
        box.appendChild(labelled(t("weight"), input("number", criterion.weight, null, "mentora-project__c-weight"),
                                 prefix + "-weight"));

        var table = make("table", "mentora-project__table mentora-project__levels");
        table.appendChild(make("caption", null, t("levels", {number: number})));
        var head = make("thead");
        var headRow = make("tr");
        [t("points"), t("label"), t("description"), t("actions")].forEach(function (text) {
          var cell = make("th", null, text);
          cell.scope = "col";
          headRow.appendChild(cell);
        });
        head.appendChild(headRow);
        table.appendChild(head);
        var body = make("tbody");
        (criterion.levels || []).forEach(function (level, levelIndex) {
          var values = {level: levelIndex + 1, number: number};
          var row = make("tr", "mentora-project__level-row");
          var cells = [
            input("number", level.points, t("level_points", values), "mentora-project__l-points"),
            input("text", level.label, t("level_label", values), "mentora-project__l-label"),
            input("textarea", level.description, t("level_description", values), "mentora-project__l-description")
          ];
          cells.forEach(function (control) {
            var cell = make("td");
            cell.appendChild(control);
            row.appendChild(cell);
          });
          var remove = button(t("remove"), "mentora-project__remove-level", t("remove_level", values));
          remove.addEventListener("click", function () {
            readRubric();
            rubric[index].levels.splice(levelIndex, 1);
            renderRubric();
            announce(t("level_removed"));
            criteriaBox.querySelector('[data-index="' + index + '"] .mentora-project__add-level').focus();
          });
          var actions = make("td");
          actions.appendChild(remove);
          row.appendChild(actions);
          body.appendChild(row);
        });
        table.appendChild(body);
        box.appendChild(table);

        var addLevel = button(t("add_level"), "mentora-project__add-level", t("add_level") + " — " +
                              t("criterion", {number: number}));
        addLevel.addEventListener("click", function () {
          readRubric();
          var levels = rubric[index].levels;
          var top = levels.reduce(function (most, level) { return Math.max(most, Number(level.points) || 0); }, -1);
          levels.push({points: top + 1, label: "", description: ""});
          renderRubric();
          announce(t("level_added", {number: number}));
          var rows = criteriaBox.querySelectorAll('[data-index="' + index + '"] .mentora-project__l-points');
          rows[rows.length - 1].focus();
        });
        var removeCriterion = button(t("remove_criterion", {number: number}), "mentora-project__remove-criterion");
        removeCriterion.addEventListener("click", function () {
          readRubric();
          rubric.splice(index, 1);
          renderRubric();
          announce(t("criterion_removed"));
          $(".mentora-project__add-criterion").focus();
        });
        var actionsRow = make("p", "mentora-project__row-actions");
        actionsRow.appendChild(addLevel);
        actionsRow.appendChild(removeCriterion);
        box.appendChild(actionsRow);
        criteriaBox.appendChild(box);
      });
    }

    function numberOrText(value) {
      var text = value.trim();
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    }

    function readRubric() {
      rubric = $all(".mentora-project__criterion-editor").map(function (box) {
        return {
          key: box.querySelector(".mentora-project__c-key").value.trim(),
          title: box.querySelector(".mentora-project__c-title").value.trim(),
          description: box.querySelector(".mentora-project__c-description").value.trim(),
          weight: numberOrText(box.querySelector(".mentora-project__c-weight").value),
          levels: Array.prototype.map.call(box.querySelectorAll(".mentora-project__level-row"), function (row) {
            return {
              points: numberOrText(row.querySelector(".mentora-project__l-points").value),
              label: row.querySelector(".mentora-project__l-label").value.trim(),
              description: row.querySelector(".mentora-project__l-description").value.trim()
            };
          })
        };
      });
      return rubric;
    }

    function addCriterion() {
      readRubric();
      rubric.push({key: "criterion-" + (rubric.length + 1), title: "", description: "", weight: 1,
                   levels: [{points: 0, label: "", description: ""}, {points: 1, label: "", description: ""}]});
      renderRubric();
      announce(t("criterion_added", {number: rubric.length}));
      var keys = criteriaBox.querySelectorAll(".mentora-project__c-title");
      keys[keys.length - 1].focus();
    }

    // --- the library -------------------------------------------------------------------------------------------

    function fillTemplates() {
      templateSelect.innerHTML = "";
      if (!templates.length) {
        var none = make("option", null, t("no_templates"));
        none.value = "";
        templateSelect.appendChild(none);
        return;
      }
      templates.forEach(function (template) {
        var option = make("option", null, template.title);
        option.value = String(template.id);
        templateSelect.appendChild(option);
      });
    }

    function useTemplate() {
      var chosen = templates.filter(function (item) { return String(item.id) === templateSelect.value; })[0];
      if (!chosen) {
        announce(t("choose_template"));
        templateSelect.focus();
        return;
      }
      rubric = JSON.parse(JSON.stringify(chosen.criteria));
      renderRubric();
      announce(t("template_loaded", {title: chosen.title}));
    }

    function saveTemplate() {
      templateError.textContent = "";
      templateTitle.removeAttribute("aria-invalid");
      call("save_rubric_template", {title: templateTitle.value, criteria: readRubric()}).then(function (body) {
        templates = templates.filter(function (item) { return item.id !== body.template.id; });
        templates.push(body.template);
        fillTemplates();
        templateSelect.value = String(body.template.id);
        announce(t("template_saved", {title: body.template.title}));
      }).catch(function (error) {
        templateError.textContent = error.message;
        templateTitle.setAttribute("aria-invalid", "true");
        templateTitle.focus();
      });
    }

    // --- saving ------------------------------------------------------------------------------------------------

    function clearErrors() {
      summary.hidden = true;
      summary.textContent = "";
      $all(".mentora-project__error").forEach(function (node) { node.textContent = ""; });
      $all("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
    }

    function values() {
      var result = {rubric: readRubric()};
      $all(".mentora-project__group > [data-field]").forEach(function (wrapper) {
        var name = wrapper.getAttribute("data-field");
        var control = wrapper.querySelector("input, textarea, select");
        if (!control) { return; }
        var kind = control.getAttribute("data-kind");
        if (kind === "checkbox") {
          result[name] = control.checked;
        } else if (kind === "number") {
          result[name] = numberOrText(control.value);
        } else if (kind === "datetime") {
          result[name] = control.value ? control.value : null;
        } else {
          result[name] = control.value;
        }
      });
      return result;
    }

    function showErrors(error) {
      var first = null;
      Object.keys(error.fields || {}).forEach(function (name) {
        var wrapper = block.querySelector('[data-field="' + name + '"]');
        if (!wrapper) { return; }
        var target = name === "rubric" ? rubricError : wrapper.querySelector(".mentora-project__error");
        if (target) { target.textContent = error.fields[name]; }
        var control = name === "rubric" ? null : wrapper.querySelector("input, textarea, select");
        if (control) {
          control.setAttribute("aria-invalid", "true");
          first = first || control;
        } else {
          first = first || rubricError;
        }
      });
      summary.textContent = t("fix_errors") + " " + error.message;
      summary.hidden = false;
      summary.focus();
      return first;
    }

    function save(event) {
      event.preventDefault();
      clearErrors();
      if (runtime.notify) { runtime.notify("save", {state: "start", message: t("saving")}); }
      announce(t("saving"));
      call("studio_submit", {values: values()}).then(function () {
        announce(t("saved"));
        if (runtime.notify) { runtime.notify("save", {state: "end"}); }
      }).catch(function (error) {
        announce("");
        showErrors(error);
        if (runtime.notify) { runtime.notify("error", {title: t("fix_errors"), message: error.message}); }
      });
    }

    renderRubric();
    $(".mentora-project__add-criterion").addEventListener("click", addCriterion);
    $(".mentora-project__use-template").addEventListener("click", useTemplate);
    $(".mentora-project__save-template").addEventListener("click", saveTemplate);
    form.addEventListener("submit", save);
    $(".cancel-button").addEventListener("click", function (event) {
      event.preventDefault();
      if (runtime.notify) { runtime.notify("cancel", {}); }
    });
    call("rubric_templates", {}).then(function (body) {
      templates = body.templates || [];
      fillTemplates();
      block.setAttribute("data-ready", "true");
    }).catch(function () {
      templates = [];
      fillTemplates();
      block.setAttribute("data-ready", "true");
    });
  }

  global.MentoraProjectXBlock = MentoraProjectXBlock;
  global.MentoraProjectStudio = MentoraProjectStudio;
}(window));
