/* Keyboard for the review queue (templates/review/queue.html). No framework: htmx does the
   requests, this file only moves between claims, picks form fields and reads results out.

   j / k      next / previous claim: focus, scroll, aria-current, and open it in context (holds it);
              claims another reviewer holds are skipped
   v / u      choose Verified / Unverified on the current claim
   n / e      go to its note / evidence URL;   x  tick it for a bulk verdict
   r          reuse the verdict its panel suggests (the same fact, judged in another article)
   z          undo the verdict just saved (while the toast offers Undo)
   Enter      save (on the claim, a verdict choice or the evidence field)
   Ctrl+Enter / Cmd+Enter   save from the note, where Enter is a new line
   Esc        leave the field, back to the claim;   ?  show or hide the help

   Everything has a mouse equivalent (the row's buttons and fields). Results of saving, of moving
   and of refusals are announced through the polite live region #queue-announcer. */
(function () {
  "use strict";

  var queue = document.getElementById("queue");
  var announcer = document.getElementById("queue-announcer");
  var panel = document.getElementById("claim-panel");
  var help = document.getElementById("shortcuts");
  if (!queue || !announcer) {
    return;
  }
  var currentId = null;
  var openTimer = null;
  var pendingAction = null;
  var opening = ""; // the claim whose open request is on its way
  var followingIds = [];
  var focusWasInQueue = false;

  function announce(text) {
    // Cleared first, so the same words twice in a row are read twice.
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 60);
  }

  function rows() {
    return Array.prototype.slice.call(queue.querySelectorAll("li.queue-row"));
  }

  function currentRow() {
    return currentId ? document.getElementById("claim-row-" + currentId) : null;
  }

  function textOf(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function describe(row) {
    var group = row.closest(".queue-article");
    var title = group ? textOf(group.querySelector("h2 a")) : "";
    var held = row.querySelector(".hold-badge:not(.hold-mine)");
    return (
      "Claim " + row.dataset.number + (title ? " of " + title : "") + ". " +
      textOf(row.querySelector(".claim-text")) + (held ? " " + textOf(held) : "")
    );
  }

  function openInContext(row) {
    window.clearTimeout(openTimer);
    // Holding a claim is a request: wait until j/k come to rest before taking the hold.
    var claim = row.dataset.claim;
    openTimer = window.setTimeout(function () {
      // Looked up again: a refresh of the list may have replaced the row meanwhile.
      var now = currentRow();
      var current = now && now.dataset.claim === claim ? now.querySelector(".open-claim") : null;
      if (current) {
        openClaim(current);
      }
    }, 150);
  }

  // Opens a row's claim in the panel with the request its link describes. Not link.click(): a
  // row that a refresh of the list swapped in a moment ago is wired by htmx only after the settle
  // delay, and a click before then follows the plain link to the claim's own page.
  // One open of a claim at a time: a second answer for the claim already open would replace
  // its form while the reviewer types in it (the focus would fall to the page, and the letters
  // typed next would be read as shortcuts).
  function openClaim(link) {
    var row = link.closest("li.queue-row");
    var claim = row ? row.dataset.claim : "";
    if (claim && claim === opening) {
      return;
    }
    opening = claim;
    htmx.ajax("POST", link.getAttribute("hx-post"), {
      source: link,
      target: link.getAttribute("hx-target"),
      swap: link.getAttribute("hx-swap"),
    });
  }

  function setCurrent(row, options) {
    options = options || {};
    rows().forEach(function (r) {
      r.removeAttribute("aria-current");
    });
    if (!row) {
      currentId = null;
      return;
    }
    currentId = row.dataset.claim;
    row.setAttribute("aria-current", "true");
    if (options.focus !== false) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: "nearest" });
    }
    if (options.open !== false) {
      openInContext(row);
    }
  }

  // Claims another reviewer holds cannot be judged now: j and k pass over them.
  function isHeld(row) {
    return row.classList.contains("is-held");
  }

  function move(step) {
    var list = rows();
    if (!list.length) {
      announce("No claims on this page of the queue.");
      return;
    }
    var row = currentRow();
    var index = row ? list.indexOf(row) : -1;
    if (index === -1) {
      index = step > 0 ? -1 : list.length;
    }
    var next = null;
    var skipped = 0;
    for (var i = index + step; i >= 0 && i < list.length; i += step) {
      if (!isHeld(list[i])) {
        next = list[i];
        break;
      }
      skipped += 1;
    }
    if (!next) {
      var edge = step > 0 ? "This is the last claim on this page" : "This is the first claim";
      announce(edge + (skipped ? " you can judge now (others hold the rest)." : "."));
      return;
    }
    setCurrent(next);
    announce((skipped ? "Skipped " + skipped + " held by others. " : "") + describe(next));
  }

  function requireRow() {
    var row = currentRow();
    if (!row) {
      announce("Press j to go to a claim first.");
    }
    return row;
  }

  function heldMessage(row) {
    var held = row.querySelector(".hold-badge:not(.hold-mine)");
    return held ? textOf(held) + " You cannot judge it now." : "";
  }

  // The verdict form is in the context panel, for the claim open there.
  function panelForm(row) {
    return panel ? panel.querySelector('form.verdict-form[data-claim="' + row.dataset.claim + '"]') : null;
  }

  function panelShows(row) {
    return Boolean(panel && panel.querySelector('.claim-panel-inner[data-claim="' + row.dataset.claim + '"]'));
  }

  // A key pressed before the claim's panel has arrived is kept and done once it has.
  function whenOpen(row, action) {
    var form = panelForm(row);
    if (form) {
      action(form);
      return;
    }
    if (panelShows(row)) {
      announce(heldMessage(row) || textOf(panel.querySelector(".form-error, .hold-note")) || "This claim cannot be judged here.");
      return;
    }
    pendingAction = { claim: row.dataset.claim, run: action };
    window.clearTimeout(openTimer);
    var button = row.querySelector(".open-claim");
    if (button) {
      openClaim(button);
    }
  }

  function choose(value) {
    var row = requireRow();
    if (!row) {
      return;
    }
    whenOpen(row, function (form) {
      var radio = form.querySelector('input[name="verdict"][value="' + value + '"]');
      if (!radio || radio.disabled || radio.closest("fieldset[disabled]")) {
        announce(heldMessage(row) || "This claim cannot be judged here.");
        return;
      }
      radio.checked = true;
      radio.dispatchEvent(new Event("input", { bubbles: true }));
      radio.dispatchEvent(new Event("change", { bubbles: true }));
      announce(
        (value === "verified" ? "Verified" : "Unverified") + " chosen for claim " +
        row.dataset.number + ". Press n for a note, Enter to save."
      );
    });
  }

  function focusField(name) {
    var row = requireRow();
    if (!row) {
      return;
    }
    whenOpen(row, function (form) {
      var field = form.querySelector('[name="' + name + '"]');
      if (!field || field.disabled) {
        announce(heldMessage(row) || "This claim cannot be judged here.");
        return;
      }
      field.focus();
    });
  }

  // The best suggestion of the claim's panel ("Checked before in other articles"), one key.
  function reuseCurrent() {
    var row = requireRow();
    if (!row) {
      return;
    }
    whenOpen(row, function () {
      var form = panel.querySelector(".reuse-list form");
      if (!form) {
        announce(heldMessage(row) || "No verdict on the same fact to reuse for this claim.");
        return;
      }
      announce("Reusing the verdict…");
      form.requestSubmit();
    });
  }

  // The toast's Undo (templates/includes/toast.html), while it is offered.
  function undoLast() {
    var form = document.querySelector("#toast form.toast-undo");
    if (!form) {
      announce("Nothing to undo.");
      return;
    }
    announce("Undoing…");
    form.requestSubmit();
  }

  function toggleTick() {
    var row = requireRow();
    if (!row) {
      return;
    }
    var box = row.querySelector('input[name="claims"]');
    if (!box || box.disabled) {
      announce(heldMessage(row) || "This claim cannot be ticked.");
      return;
    }
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
    announce("Claim " + row.dataset.number + (box.checked ? " ticked" : " unticked") + " for a bulk verdict.");
  }

  function submit(form) {
    if (!form) {
      announce("Nothing to save here.");
      return;
    }
    if (form.querySelector("fieldset[disabled]")) {
      announce(textOf(form.querySelector(".hold-note")) || "This claim cannot be judged here.");
      return;
    }
    if (!form.querySelector('input[name="verdict"]:checked')) {
      announce("Choose a verdict first: v for verified, u for unverified.");
      return;
    }
    announce("Saving…");
    form.requestSubmit();
  }

  function submitCurrent() {
    var row = requireRow();
    if (row) {
      whenOpen(row, submit);
    }
  }

  function toggleHelp() {
    if (!help) {
      return;
    }
    if (help.open) {
      help.close();
    } else {
      help.showModal();
    }
  }

  function isTypingField(element) {
    if (!element || !element.matches) {
      return false;
    }
    if (element.matches("textarea, select, [contenteditable]")) {
      return true;
    }
    return element.matches("input") && !element.matches('[type="radio"], [type="checkbox"], [type="button"], [type="submit"]');
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) {
      return;
    }
    var target = event.target;
    if (help && help.open) {
      if (event.key === "?") {
        event.preventDefault();
        help.close();
      }
      return; // the dialog closes itself on Esc
    }
    var typing = isTypingField(target);
    var inRow = target.closest ? target.closest("li.queue-row") : null;
    var inPanelForm = target.closest ? target.closest("#claim-panel form.verdict-form") : null;

    if (event.key === "Escape") {
      var row = inRow || (inPanelForm || typing ? currentRow() : null);
      if ((typing || inRow || inPanelForm) && row) {
        event.preventDefault();
        if (typing) {
          target.blur();
        }
        setCurrent(row, { open: false });
        announce("Back to claim " + row.dataset.number + ".");
      }
      return;
    }

    if (event.key === "Enter") {
      if (target.matches("textarea")) {
        if ((event.ctrlKey || event.metaKey) && inPanelForm) {
          event.preventDefault();
          submit(inPanelForm);
        }
        return;
      }
      if (typing || event.ctrlKey || event.metaKey || event.altKey) {
        return; // the evidence field submits its form natively (htmx takes it from there)
      }
      if (target.matches("button, a, summary")) {
        return;
      }
      if (inPanelForm) {
        event.preventDefault();
        submit(inPanelForm);
      } else if (inRow && target === inRow) {
        event.preventDefault();
        submitCurrent();
      }
      return;
    }

    if (typing || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "v":
        choose("verified");
        break;
      case "u":
        choose("unverified");
        break;
      case "n":
        focusField("note");
        break;
      case "e":
        focusField("evidence_url");
        break;
      case "x":
        toggleTick();
        break;
      case "r":
        reuseCurrent();
        break;
      case "z":
        undoLast();
        break;
      case "?":
        toggleHelp();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  // Bulk: "Tick all claims of this article" ticks every claim nobody else holds; the article's
  // bulk bar (sticky at the bottom of the screen) says how many are ticked and opens its form.
  function updateBulkBar(formId) {
    var form = document.getElementById(formId);
    if (!form) {
      return;
    }
    var ticked = queue.querySelectorAll('input[name="claims"][form="' + formId + '"]:checked').length;
    var count = form.querySelector("[data-bulk-count]");
    if (count) {
      count.textContent = ticked ? "(" + ticked + " ticked)" : "";
    }
    form.classList.toggle("has-ticked", ticked > 0);
    var details = form.querySelector("details");
    if (details && ticked > 0) {
      details.open = true;
    }
  }

  queue.addEventListener("change", function (event) {
    var target = event.target;
    var formId = target.getAttribute("data-tick-all");
    if (formId) {
      queue.querySelectorAll('input[name="claims"][form="' + formId + '"]').forEach(function (box) {
        if (!box.disabled) {
          box.checked = target.checked;
        }
      });
      updateBulkBar(formId);
      announce(target.checked ? "Every claim of this article you can judge is ticked." : "Nothing ticked.");
    } else if (target.name === "claims" && target.getAttribute("form")) {
      updateBulkBar(target.getAttribute("form"));
    }
  });

  var helpButton = document.getElementById("shortcuts-button");
  if (helpButton) {
    helpButton.addEventListener("click", toggleHelp);
  }

  // A click into a row makes it the current one, so the keys act where the mouse was.
  queue.addEventListener("focusin", function (event) {
    var row = event.target.closest("li.queue-row");
    if (row && row.dataset.claim !== currentId) {
      setCurrent(row, { focus: false, open: false });
    }
  });

  // The list re-fetches itself only while the reviewer is not in the middle of something.
  window.reviewQueueIdle = function () {
    // (Not any .htmx-request: the version poller itself carries that class while it asks.)
    var busy = "#queue .dirty, #claim-panel .dirty, form.htmx-request";
    if (document.querySelector(busy) || queue.querySelector('input[name="claims"]:checked')) {
      return false;
    }
    var active = document.activeElement;
    return !(isTypingField(active) && (queue.contains(active) || (panel && panel.contains(active))));
  };

  // --- After htmx swaps: keep the place, move on, read out what happened. ---------------------

  // Only the swap of the whole list needs the place remembered before it happens.
  // A refresh of the list asked for before a write (a verdict, a hold, a bulk verdict) was sent
  // can answer after that write's own response, with the rows as they were before it: the claim
  // just saved would show as pending again. Such a refresh is dropped; the poller still sees a
  // newer version than the page's and asks again once the reviewer is idle.
  // The same holds for a write sent before the refresh was asked but answered after it (opening
  // the next claim, say): the refresh would bring back the panel of the claim open when it was
  // asked. So a refresh is dropped when any write was sent or answered while it was under way, or
  // when the panel no longer shows the claim the refresh named.
  var writesSent = 0;
  var writesAnswered = 0;
  var writesWhenRefreshAsked = 0;
  var answeredWhenRefreshAsked = 0;

  function isWrite(config) {
    return Boolean(config && String(config.verb).toLowerCase() !== "get");
  }

  function openPanelClaim() {
    var open = panel && panel.querySelector(".claim-panel-inner[data-claim]");
    return open ? open.dataset.claim : "";
  }

  // Every request from this page names the claim open in the panel: the answer to a write that
  // touched it, and a refresh of the list, bring the panel back re-read from the database
  // (review.views.claims.panel_from_database), never a second, stale copy.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var open = openPanelClaim();
    if (open) {
      event.detail.headers["X-Panel-Claim"] = open;
    }
  });

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "queue-refresh") {
      writesWhenRefreshAsked = writesSent;
      answeredWhenRefreshAsked = writesAnswered;
    } else if (isWrite(event.detail.requestConfig)) {
      writesSent += 1;
    }
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (source && source.classList && source.classList.contains("open-claim")) {
      opening = "";
    }
    if (!(source && source.id === "queue-refresh") && isWrite(event.detail.requestConfig)) {
      writesAnswered += 1;
    }
  });

  function isStaleRefresh(detail) {
    var config = detail.requestConfig;
    var source = config && config.elt;
    if (!(source && source.id === "queue-refresh")) {
      return false;
    }
    var named = (config.headers && config.headers["X-Panel-Claim"]) || "";
    return (
      writesWhenRefreshAsked !== writesSent ||
      answeredWhenRefreshAsked !== writesAnswered ||
      named !== openPanelClaim()
    );
  }

  // The panel is typed in: a copy of the same claim's panel that the reviewer did not ask for
  // (a second open, a refresh) must not replace it.
  function typingInPanelOf(claim) {
    var active = document.activeElement;
    return Boolean(
      claim && claim === openPanelClaim() && isTypingField(active) && panel && panel.contains(active)
    );
  }

  // An open answered after the reviewer moved on to another claim is not shown.
  function isStaleOpen(detail) {
    var source = detail.requestConfig && detail.requestConfig.elt;
    if (!(source && source.classList && source.classList.contains("open-claim"))) {
      return false;
    }
    var row = source.closest("li.queue-row");
    var claim = row ? row.dataset.claim : "";
    return Boolean(claim && ((currentId && claim !== currentId) || typingInPanelOf(claim)));
  }

  // Out-of-band copies of the panel come with the answers to the reviewer's own writes (always
  // shown: they say what the write did) and with refreshes of the list (held back while the
  // reviewer types in that claim's form). htmx swaps them after htmx:beforeSwap.
  var answering = null;

  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    var detail = event.detail;
    if (detail.target !== panel || !detail.fragment || isWrite(answering)) {
      return;
    }
    var incoming = detail.fragment.querySelector && detail.fragment.querySelector(".claim-panel-inner[data-claim]");
    if (incoming && typingInPanelOf(incoming.dataset.claim)) {
      detail.shouldSwap = false;
    }
  });

  document.body.addEventListener("htmx:beforeSwap", function (event) {
    answering = event.detail.requestConfig || null;
    if (event.detail.shouldSwap && event.detail.target === queue && isStaleRefresh(event.detail)) {
      event.detail.shouldSwap = false;
      return;
    }
    if (event.detail.shouldSwap && event.detail.target === panel && isStaleOpen(event.detail)) {
      event.detail.shouldSwap = false;
      return;
    }
    if (event.detail.shouldSwap && event.detail.target === queue) {
      var list = rows();
      var row = currentRow();
      var index = row ? list.indexOf(row) : -1;
      followingIds = index === -1 ? [] : list.slice(index).map(function (r) {
        return r.dataset.claim;
      });
      focusWasInQueue = queue.contains(document.activeElement);
    }
  });

  // One response may settle several elements (its target and out-of-band pieces): act once.
  var handled = typeof WeakSet === "function" ? new WeakSet() : null;

  document.body.addEventListener("htmx:afterSettle", function (event) {
    var detail = event.detail;
    var xhr = detail.xhr;
    var source = detail.requestConfig && detail.requestConfig.elt;
    if (!xhr || !detail.target || (source && source.id === "queue-version")) {
      return;
    }
    if (handled) {
      if (handled.has(xhr)) {
        return;
      }
      handled.add(xhr);
    }
    var targetId = detail.target.id || "";
    if (detail.target === queue) {
      afterQueueRefresh();
    } else if (targetId.indexOf("claim-row-") === 0) {
      afterVerdict(document.getElementById(targetId), xhr.status);
    } else if (targetId.indexOf("panel-form-") === 0) {
      afterRefused(document.getElementById(targetId), xhr.status);
    } else if (targetId.indexOf("queue-group-") === 0) {
      afterBulk(document.getElementById(targetId), xhr.status);
    } else if (targetId === "claim-panel") {
      afterOpen(xhr.status);
    }
  });

  document.body.addEventListener("htmx:sendError", function () {
    announce("The server could not be reached. Nothing was saved; try again.");
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status !== 409 && status !== 422) {
      announce("Something went wrong (error " + status + "). Nothing was saved.");
    }
  });

  function summary() {
    return textOf(document.getElementById("queue-summary"));
  }

  function nextPendingAfter(row) {
    var list = rows();
    var index = list.indexOf(row);
    for (var i = index + 1; i < list.length; i++) {
      if (list[i].dataset.verdict === "pending" && !list[i].classList.contains("is-held")) {
        return list[i];
      }
    }
    return null;
  }

  function afterVerdict(row, status) {
    if (!row || status !== 200) {
      return;
    }
    var badge = textOf(row.querySelector(".verdict-badge"));
    var said = "Claim " + row.dataset.number + " saved: " + badge.toLowerCase() + ". " + summary();
    var next = nextPendingAfter(row);
    if (next) {
      setCurrent(next);
      announce(said + " Next: " + describe(next));
    } else {
      setCurrent(row, { open: false });
      announce(said + " That was the last open claim on this page.");
    }
  }

  function afterRefused(box, status) {
    if (!box) {
      return;
    }
    var error = box.querySelector(".field-error, .form-error");
    announce("Not saved. " + textOf(error));
    if (status === 422) {
      var invalid = box.querySelector('[aria-invalid="true"]') || box.querySelector('textarea[name="note"]');
      if (invalid) {
        invalid.focus();
      }
    }
  }

  function afterBulk(group, status) {
    if (!group) {
      return;
    }
    if (status === 200) {
      announce(textOf(group.querySelector(".notice-inline")) + " " + summary());
      var first = group.querySelector("li.queue-row");
      setCurrent(first || null, { open: false, focus: Boolean(first) });
    } else {
      announce("Nothing was recorded. " + textOf(group.querySelector(".form-error, .field-error")));
    }
  }

  function afterQueueRefresh() {
    var row = currentRow();
    if (!row) {
      for (var i = 0; i < followingIds.length && !row; i++) {
        row = document.getElementById("claim-row-" + followingIds[i]);
      }
    }
    if (row) {
      setCurrent(row, { open: false, focus: focusWasInQueue });
    } else {
      currentId = null;
    }
    followingIds = [];
  }

  // On a phone the open claim is a full-screen sheet (static/css/app.css): focus goes into it
  // when it opens and back to the claim's row when it closes.
  function isSheet() {
    return Boolean(panel && window.getComputedStyle(panel).position === "fixed");
  }

  function afterOpen(status) {
    var inner = panel && panel.querySelector(".claim-panel-inner[data-claim]");
    if (inner && isSheet()) {
      var heading = inner.querySelector("#panel-heading");
      if (heading) {
        heading.focus();
      }
    } else if (!inner && currentRow() && !panel.contains(document.activeElement)) {
      currentRow().focus({ preventScroll: true });
    }
    var box = panel && panel.querySelector(".context-text");
    var mark = box && box.querySelector("mark");
    if (box && mark) {
      // Scroll the text box only, not the page: the reviewer's place in the list stays put.
      box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - box.clientHeight / 3);
    }
    var action = pendingAction;
    pendingAction = null;
    if (action && inner && inner.dataset.claim === action.claim) {
      var form = panel.querySelector("form.verdict-form");
      if (form) {
        action.run(form);
        return;
      }
    }
    if (status === 409) {
      announce(textOf(panel.querySelector(".hold-note, .form-error")));
    }
  }
})();
