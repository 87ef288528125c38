/*
 * The "Mentora booking" block in the learner's browser: plain JavaScript, no build step, no library.
 *
 * The server renders a skeleton; this script fills it from the block's JSON handlers (state, slots, book, cancel,
 * reschedule, join_waitlist, accept_offer, leave_waitlist, save_notes, rate, choose_mentor). Text written by people
 * (goals, notes, comments) is only ever set as textContent: Markdown source shown as plain text, never as HTML. Every text comes from the `strings` catalog that `state` returns in the viewer's language; times are
 * formatted by the browser (Intl) in the zone the viewer picks, which defaults to the browser's own zone.
 * Keyboard use: native buttons and selects only; after each action focus moves to what changed, and a live region
 * announces the outcome.
 */
/* exported MentoraBookingXBlock */
function MentoraBookingXBlock(runtime, element, args) {
  "use strict";

  var root = element && element.jquery ? element[0] : element;
  var block = root.classList.contains("mentora-booking") ? root : root.querySelector(".mentora-booking");
  if (!block || (args && args.status !== "ok") || block.getAttribute("data-status") !== "ok") {
    return;
  }

  function $(selector) { return block.querySelector(selector); }

  var live = $(".mentora-booking__live");
  var typeSelect = $(".mentora-booking__type");
  var zoneSelect = $(".mentora-booking__tz");
  var chooseForm = $(".mentora-booking__choose");
  var typeInfo = $(".mentora-booking__type-info");
  var slotsSection = $(".mentora-booking__slots-section");
  var slotsBox = $(".mentora-booking__slots");
  var slotsHeading = slotsSection.querySelector("h3");
  var confirmSection = $(".mentora-booking__confirm");
  var confirmHeading = confirmSection.querySelector("h3");
  var selectedText = $(".mentora-booking__selected");
  var goalInput = $(".mentora-booking__goal");
  var bookButton = $(".mentora-booking__book");
  var upcomingList = $(".mentora-booking__upcoming");
  var pastList = $(".mentora-booking__past");
  var upcomingHeading = $("#" + block.getAttribute("data-dom-id") + "-upcoming");
  var reschedulingBox = $(".mentora-booking__rescheduling");
  var reschedulingText = $(".mentora-booking__rescheduling-text");
  var stopButton = $(".mentora-booking__stop");
  var mentorBox = $(".mentora-booking__mentor");

  var strings = {};
  var sessionTypes = [];
  var selectedSlot = null;
  var idempotencyKey = null;
  var rescheduling = null;
  var language = document.documentElement.lang || navigator.language || "en";

  function t(name, values) {
    var text = strings[name] || name;
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function announce(text, focus) {
    live.textContent = "";
    // A fresh text node on the next frame makes screen readers announce repeated messages too.
    window.setTimeout(function () { live.textContent = text; }, 30);
    if (focus) { live.focus(); }
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function call(handler, data) {
    return fetch(runtime.handlerUrl(root, handler), {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest"},
      body: JSON.stringify(data || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          var error = new Error(body.message || t("error"));
          error.code = body.error_code;
          throw error;
        }
        return body;
      });
    });
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // --- time zones and formatting ---------------------------------------------------------------------------------

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { return "UTC"; }
  }

  function chooseZone(zone) {
    var found = Array.prototype.some.call(zoneSelect.options, function (option) { return option.value === zone; });
    if (!found) {
      var option = document.createElement("option");
      option.value = zone;
      option.textContent = zone;
      zoneSelect.insertBefore(option, zoneSelect.firstChild);
    }
    zoneSelect.value = zone;
  }

  function format(iso, options) {
    var settings = Object.assign({timeZone: zoneSelect.value}, options);
    try {
      return new Intl.DateTimeFormat(language, settings).format(new Date(iso));
    } catch (e) {
      return iso;
    }
  }

  function dayLabel(iso) { return format(iso, {weekday: "long", day: "numeric", month: "long"}); }
  function timeLabel(iso) { return format(iso, {hour: "2-digit", minute: "2-digit"}); }
  function fullLabel(iso) {
    return format(iso, {weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit",
                        timeZoneName: "short"});
  }

  // --- session types ---------------------------------------------------------------------------------------------

  function fillTypes() {
    typeSelect.innerHTML = "";
    sessionTypes.forEach(function (item) {
      var option = document.createElement("option");
      option.value = String(item.id);
      option.textContent = item.label;
      typeSelect.appendChild(option);
    });
    typeSelect.disabled = sessionTypes.length === 0;
    chooseForm.querySelector("button").disabled = sessionTypes.length === 0;
    if (!sessionTypes.length) {
      var none = document.createElement("option");
      none.textContent = t("no_types");
      typeSelect.appendChild(none);
    }
    describeType();
  }

  function currentType() {
    var id = Number(typeSelect.value);
    return sessionTypes.filter(function (item) { return item.id === id; })[0] || null;
  }

  function describeType() {
    var item = currentType();
    typeInfo.hidden = !item;
    if (item) {
      typeInfo.textContent = [item.location, item.description].filter(Boolean).join(" — ");
      typeInfo.hidden = !typeInfo.textContent;
    }
  }

  // --- slots -----------------------------------------------------------------------------------------------------

  function loadSlots() {
    var item = currentType();
    if (!item) { return Promise.resolve(); }
    hideConfirm();
    announce(t("loading"));
    return call("slots", {session_type_id: item.id, tz: zoneSelect.value}).then(function (body) {
      renderSlots(body.slots);
      if (!rescheduling) { renderFull(body.full_sessions || []); }
      slotsSection.hidden = false;
      announce(body.slots.length ? t("slots_found", {count: body.slots.length}) + " " + t("choose_slot")
                                 : t("no_slots"));
      slotsHeading.focus();
    }).catch(function (error) { announce(error.message, true); });
  }

  function renderSlots(slots) {
    slotsBox.innerHTML = "";
    if (!slots.length) {
      var empty = document.createElement("p");
      empty.textContent = t("no_slots");
      slotsBox.appendChild(empty);
      return;
    }
    var days = {};
    var order = [];
    slots.forEach(function (slot) {
      var day = slot.start.slice(0, 10);  // the slot's own date, in the zone the server was asked for
      if (!days[day]) { days[day] = []; order.push(day); }
      days[day].push(slot);
    });
    order.forEach(function (day, index) {
      var group = document.createElement("div");
      group.className = "mentora-booking__day";
      var heading = document.createElement("h4");
      heading.className = "mentora-booking__day-title";
      heading.id = block.getAttribute("data-dom-id") + "-day-" + index;
      heading.textContent = dayLabel(days[day][0].start);
      var list = document.createElement("ul");
      list.className = "mentora-booking__times";
      list.setAttribute("aria-labelledby", heading.id);
      days[day].forEach(function (slot) {
        var entry = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "mentora-booking__slot";
        button.setAttribute("data-start", slot.start);
        button.setAttribute("aria-pressed", "false");
        var label = timeLabel(slot.start);
        if (slot.session_id) { label += " (" + t("seats_left", {count: slot.seats_left}) + ")"; }
        button.textContent = rescheduling ? label + " — " + t("move") : label;
        button.setAttribute("aria-label", (rescheduling ? t("move") + ": " : "") + fullLabel(slot.start));
        button.addEventListener("click", function () { chooseSlot(slot, button); });
        entry.appendChild(button);
        list.appendChild(entry);
      });
      group.appendChild(heading);
      group.appendChild(list);
      slotsBox.appendChild(group);
    });
  }

  function renderFull(sessions) {
    if (!sessions.length) { return; }
    var heading = document.createElement("h4");
    heading.className = "mentora-booking__day-title";
    heading.id = block.getAttribute("data-dom-id") + "-full";
    heading.textContent = t("full_sessions");
    var list = document.createElement("ul");
    list.className = "mentora-booking__full";
    list.setAttribute("aria-labelledby", heading.id);
    sessions.forEach(function (session) {
      var entry = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "mentora-booking__join mentora-booking__secondary";
      button.textContent = t("join_waitlist", {time: fullLabel(session.start)});
      button.addEventListener("click", function () { joinWaitlist(session); });
      entry.appendChild(button);
      list.appendChild(entry);
    });
    slotsBox.appendChild(heading);
    slotsBox.appendChild(list);
  }

  function joinWaitlist(session) {
    announce(t("loading"));
    call("join_waitlist", {session_id: session.session_id}).then(function (body) {
      renderBookings(body);
      slotsSection.hidden = true;
      announce(t("joined_waitlist", {time: fullLabel(session.start)}));
      upcomingHeading.focus();
    }).catch(function (error) { announce(error.message, true); });
  }

  function simpleAction(handler, booking, done) {
    announce(t("loading"));
    call(handler, {booking_id: booking.id}).then(function (body) {
      renderBookings(body);
      announce(t(done, {time: fullLabel(booking.start)}));
      upcomingHeading.focus();
    }).catch(function (error) {
      announce(error.message, true);
      if (error.code === "offer_expired") { call("state", {}).then(renderBookings); }
    });
  }

  function chooseSlot(slot, button) {
    if (rescheduling) {
      moveTo(slot);
      return;
    }
    Array.prototype.forEach.call(slotsBox.querySelectorAll(".mentora-booking__slot"), function (other) {
      other.setAttribute("aria-pressed", other === button ? "true" : "false");
    });
    selectedSlot = slot;
    idempotencyKey = newKey();
    selectedText.textContent = t("selected", {time: fullLabel(slot.start)});
    confirmSection.hidden = false;
    confirmHeading.focus();
  }

  function hideConfirm() {
    selectedSlot = null;
    confirmSection.hidden = true;
  }

  // --- booking, cancelling, rescheduling -------------------------------------------------------------------------

  function book() {
    var item = currentType();
    if (!item || !selectedSlot) { return; }
    bookButton.disabled = true;
    announce(t("booking"));
    call("book", {session_type_id: item.id, start: selectedSlot.start, goal: goalInput.value,
                  idempotency_key: idempotencyKey})
      .then(function (body) {
        renderBookings(body);
        goalInput.value = "";
        hideConfirm();
        slotsSection.hidden = true;
        var values = {title: body.booking.title, time: fullLabel(body.booking.start)};
        announce(t(body.booking.status === "requested" ? "requested" : "booked", values));
        upcomingHeading.focus();
      })
      .catch(function (error) {
        announce(error.message, true);
        if (error.code === "slot_unavailable" || error.code === "session_full") { loadSlots(); }
      })
      .then(function () { bookButton.disabled = false; });
  }

  function cancel(booking) {
    announce(t("loading"));
    call("cancel", {booking_id: booking.id}).then(function (body) {
      renderBookings(body);
      announce(t("cancelled", {time: fullLabel(booking.start)}));
      upcomingHeading.focus();
    }).catch(function (error) { announce(error.message, true); });
  }

  function startRescheduling(booking) {
    var offered = sessionTypes.some(function (item) { return item.id === booking.session_type_id; });
    if (!offered) { announce(t("error"), true); return; }
    rescheduling = booking;
    typeSelect.value = String(booking.session_type_id);
    describeType();
    reschedulingText.textContent = t("rescheduling", {time: fullLabel(booking.start)});
    reschedulingBox.hidden = false;
    loadSlots();
  }

  function stopRescheduling(focusList) {
    rescheduling = null;
    reschedulingBox.hidden = true;
    slotsSection.hidden = true;
    if (focusList) { upcomingHeading.focus(); }
  }

  function moveTo(slot) {
    var booking = rescheduling;
    announce(t("loading"));
    call("reschedule", {booking_id: booking.id, start: slot.start}).then(function (body) {
      renderBookings(body);
      stopRescheduling(false);
      announce(t("rescheduled", {time: fullLabel(body.booking.start)}));
      upcomingHeading.focus();
    }).catch(function (error) { announce(error.message, true); });
  }

  // --- the viewer's bookings -------------------------------------------------------------------------------------

  function bookingItem(booking, withActions) {
    var entry = document.createElement("li");
    entry.className = "mentora-booking__item";
    entry.setAttribute("data-booking-id", String(booking.id));
    entry.setAttribute("data-status", booking.status);
    var when = document.createElement("p");
    when.className = "mentora-booking__when";
    var time = document.createElement("time");
    time.setAttribute("datetime", booking.start);
    time.textContent = fullLabel(booking.start);
    when.appendChild(time);
    var what = document.createElement("p");
    what.textContent = booking.title + " " + t("with_trainer", {name: booking.trainer_name}) + " · " +
      booking.location + " · " + booking.status_label;
    entry.appendChild(when);
    entry.appendChild(what);
    if (booking.location_detail) {
      var where = document.createElement("p");
      where.className = "mentora-booking__where";
      where.textContent = booking.location_detail;
      entry.appendChild(where);
    }
    if (booking.goal) {
      var goal = document.createElement("p");
      goal.className = "mentora-booking__item-goal";
      goal.textContent = t("goal", {goal: booking.goal});
      entry.appendChild(goal);
    }
    if (withActions && (booking.can_accept || booking.can_leave_waitlist)) {
      var waitActions = document.createElement("p");
      waitActions.className = "mentora-booking__actions";
      if (booking.offer_expires_at) {
        var until = document.createElement("span");
        until.textContent = t("offer_until", {time: fullLabel(booking.offer_expires_at)}) + " ";
        waitActions.appendChild(until);
      }
      if (booking.can_accept) {
        var take = document.createElement("button");
        take.type = "button";
        take.className = "mentora-booking__accept";
        take.textContent = t("accept_offer");
        take.setAttribute("aria-label", t("accept_offer_label", {time: fullLabel(booking.start)}));
        take.addEventListener("click", function () { simpleAction("accept_offer", booking, "accepted"); });
        waitActions.appendChild(take);
      }
      var leave = document.createElement("button");
      leave.type = "button";
      leave.className = "mentora-booking__leave mentora-booking__secondary";
      leave.textContent = t("leave_waitlist");
      leave.addEventListener("click", function () { simpleAction("leave_waitlist", booking, "left_waitlist"); });
      waitActions.appendChild(leave);
      entry.appendChild(waitActions);
    }
    if (booking.can_write_notes) { entry.appendChild(notesForm(booking)); }
    if (booking.rating_stars) {
      var rated = document.createElement("p");
      rated.className = "mentora-booking__rating";
      rated.textContent = t("your_rating", {stars: booking.rating_stars}) +
        (booking.rating_comment ? " — " + booking.rating_comment : "");
      entry.appendChild(rated);
    }
    if (booking.can_rate) { entry.appendChild(ratingForm(booking)); }
    if (withActions && booking.can_change) {
      var actions = document.createElement("p");
      actions.className = "mentora-booking__actions";
      var move = document.createElement("button");
      move.type = "button";
      move.className = "mentora-booking__reschedule mentora-booking__secondary";
      move.textContent = t("reschedule");
      move.setAttribute("aria-label", t("reschedule_label", {time: fullLabel(booking.start)}));
      move.addEventListener("click", function () { startRescheduling(booking); });
      var drop = document.createElement("button");
      drop.type = "button";
      drop.className = "mentora-booking__cancel mentora-booking__secondary";
      drop.textContent = t("cancel");
      drop.setAttribute("aria-label", t("cancel_label", {time: fullLabel(booking.start)}));
      drop.addEventListener("click", function () { cancel(booking); });
      actions.appendChild(move);
      actions.appendChild(drop);
      entry.appendChild(actions);
    }
    return entry;
  }

  var fieldCount = 0;

  function field(labelText, control) {
    var wrapper = document.createElement("div");
    wrapper.className = "mentora-booking__field";
    var label = document.createElement("label");
    fieldCount += 1;
    control.id = block.getAttribute("data-dom-id") + "-field-" + fieldCount;
    label.setAttribute("for", control.id);
    label.textContent = labelText;
    wrapper.appendChild(label);
    wrapper.appendChild(control);
    return wrapper;
  }

  function notesForm(booking) {
    var details = document.createElement("details");
    details.className = "mentora-booking__notes";
    var summary = document.createElement("summary");
    summary.textContent = t("shared_notes");
    var area = document.createElement("textarea");
    area.rows = 4;
    area.maxLength = 20000;
    area.value = booking.shared_notes || "";
    var save = document.createElement("button");
    save.type = "button";
    save.className = "mentora-booking__secondary";
    save.textContent = t("save_notes");
    save.addEventListener("click", function () {
      call("save_notes", {booking_id: booking.id, shared_notes: area.value}).then(function (body) {
        renderBookings(body);
        announce(t("notes_saved"));
      }).catch(function (error) { announce(error.message, true); });
    });
    details.appendChild(summary);
    details.appendChild(field(t("shared_notes"), area));
    details.appendChild(save);
    return details;
  }

  function ratingForm(booking) {
    var details = document.createElement("details");
    details.className = "mentora-booking__rate";
    var summary = document.createElement("summary");
    summary.textContent = t("rate");
    var stars = document.createElement("select");
    [5, 4, 3, 2, 1].forEach(function (value) {
      var option = document.createElement("option");
      option.value = String(value);
      option.textContent = String(value);
      if (booking.rating_stars === value) { option.selected = true; }
      stars.appendChild(option);
    });
    var comment = document.createElement("textarea");
    comment.rows = 2;
    comment.maxLength = 2000;
    comment.value = booking.rating_comment || "";
    var send = document.createElement("button");
    send.type = "button";
    send.textContent = t("send_rating");
    send.addEventListener("click", function () {
      call("rate", {booking_id: booking.id, stars: parseInt(stars.value, 10), comment: comment.value})
        .then(function (body) {
          renderBookings(body);
          announce(t("rated", {stars: body.stars}));
        }).catch(function (error) { announce(error.message, true); });
    });
    details.appendChild(summary);
    details.appendChild(field(t("stars"), stars));
    details.appendChild(field(t("comment"), comment));
    details.appendChild(send);
    return details;
  }

  function renderMentor(body) {
    if (!mentorBox) { return; }
    var text = mentorBox.querySelector(".mentora-booking__mentor-text");
    var form = mentorBox.querySelector(".mentora-booking__mentor-form");
    var select = mentorBox.querySelector(".mentora-booking__mentor-select");
    mentorBox.hidden = false;
    text.textContent = body.mentor ? t("mentor_is", {name: body.mentor.name}) : t("no_mentor");
    var options = body.mentor_options || [];
    form.hidden = !body.can_choose_mentor || !options.length;
    select.innerHTML = "";
    options.forEach(function (option) {
      var item = document.createElement("option");
      item.value = String(option.trainer_id);
      item.textContent = option.label;
      item.disabled = !option.has_room && !(body.mentor && body.mentor.trainer_id === option.trainer_id);
      if (body.mentor && body.mentor.trainer_id === option.trainer_id) { item.selected = true; }
      select.appendChild(item);
    });
  }

  function chooseMentor(event) {
    event.preventDefault();
    var select = mentorBox.querySelector(".mentora-booking__mentor-select");
    call("choose_mentor", {trainer_id: parseInt(select.value, 10)}).then(function (body) {
      renderMentor(body);
      announce(t("mentor_chosen", {name: body.mentor ? body.mentor.name : ""}));
    }).catch(function (error) { announce(error.message, true); });
  }

  function renderList(list, bookings, emptyText, withActions) {
    list.innerHTML = "";
    if (!bookings.length) {
      var empty = document.createElement("li");
      empty.className = "mentora-booking__empty";
      empty.textContent = emptyText;
      list.appendChild(empty);
      return;
    }
    bookings.forEach(function (booking) { list.appendChild(bookingItem(booking, withActions)); });
  }

  var lastBookings = {upcoming: [], past: []};

  function renderBookings(body) {
    lastBookings = {upcoming: body.upcoming || [], past: body.past || []};
    renderList(upcomingList, lastBookings.upcoming, t("no_upcoming"), true);
    renderList(pastList, lastBookings.past, t("no_past"), false);
  }

  // --- start -----------------------------------------------------------------------------------------------------

  chooseZone(browserZone());
  chooseForm.addEventListener("submit", function (event) {
    event.preventDefault();
    loadSlots();
  });
  typeSelect.addEventListener("change", function () {
    describeType();
    if (rescheduling) { stopRescheduling(false); }
    slotsSection.hidden = true;
    hideConfirm();
  });
  zoneSelect.addEventListener("change", function () {
    renderBookings(lastBookings);  // the same sessions, in the new zone
    slotsSection.hidden = true;
    hideConfirm();
  });
  bookButton.addEventListener("click", book);
  stopButton.addEventListener("click", function () { stopRescheduling(true); });
  if (mentorBox) {
    mentorBox.querySelector(".mentora-booking__mentor-form").addEventListener("submit", chooseMentor);
  }

  call("state", {}).then(function (body) {
    strings = body.strings || {};
    language = body.language || language;
    sessionTypes = body.session_types || [];
    fillTypes();
    renderBookings(body);
    renderMentor(body);
    block.setAttribute("data-ready", "true");
  }).catch(function (error) { announce(error.message, true); });
}
