/* Behaviour every page shares, kept out of the markup: the Content-Security-Policy allows scripts
   from our own files only (script-src 'self'), so no inline handler, no hx-on attribute and no
   htmx expression (hx-trigger filters, js: values), which htmx would have to eval (allowEval is
   off in base.html's htmx-config).

   data-mark-dirty         on a form: typing in it adds the class "dirty" (a refresh of the list
                           or of the gate then leaves it alone).
   data-hold-while="SEL"   on an htmx element: its request is skipped while an element matching
                           SEL exists (unsaved work that the swap would throw away).
   data-hold-polls-only    with data-hold-while: only its "every Ns" polls are skipped; a request
                           an event asked for (a verdict recorded on this page) still goes.
   #queue-refresh          the review queue's list refresh asks review-keys.js (reviewQueueIdle),
                           which knows more about what the reviewer is doing.
   data-hold-seconds="N"   a claim hold's countdown (templates/includes/hold_note.html): its
                           .hold-left ticks every second from N (the server's count, so the
                           browser's clock does not matter); at zero the note goes and the page
                           fires queueChanged, on which the queue and its panel re-read the
                           database.
   #toast                  the toast after a verdict (templates/includes/toast.html): shown when
                           something is swapped into it, emptied and hidden again after its
                           form's data-toast-seconds (the Undo offer), or 10 s. */
(function () {
  "use strict";

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-mark-dirty]");
    if (form) {
      form.classList.add("dirty");
    }
  });

  function busy(elt) {
    if (elt.id === "queue-refresh" && typeof window.reviewQueueIdle === "function") {
      return !window.reviewQueueIdle();
    }
    return document.querySelector(elt.getAttribute("data-hold-while")) !== null;
  }

  var toastTimer = null;

  function showToast(toast) {
    window.clearTimeout(toastTimer);
    if (!toast.textContent.trim()) {
      toast.hidden = true;
      return;
    }
    toast.hidden = false;
    var offer = toast.querySelector("[data-toast-seconds]");
    var seconds = offer ? Number(offer.getAttribute("data-toast-seconds")) || 10 : 10;
    toastTimer = window.setTimeout(function () {
      // Not while the Undo request is on its way: its answer refills the toast.
      if (toast.querySelector(".htmx-request")) {
        return;
      }
      toast.hidden = true;
      toast.textContent = "";
    }, seconds * 1000);
  }

  // A verdict's answer fills the toast out of band; Undo's answer swaps into it.
  document.addEventListener("htmx:afterSettle", function (event) {
    var toast = document.getElementById("toast");
    if (toast && (event.detail.target === toast || event.detail.elt === toast)) {
      showToast(toast);
    }
  });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var toast = document.getElementById("toast");
    if (toast && event.detail.target === toast) {
      showToast(toast);
    }
  });

  // htmx asks before every request it is about to send; cancelling the event skips the request.
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    if (!elt.hasAttribute("data-hold-while")) {
      return;
    }
    // A poll ("every 5s") has no triggering event; an event trigger ("claimJudged") has one.
    if (elt.hasAttribute("data-hold-polls-only") && event.detail.triggeringEvent) {
      return;
    }
    if (busy(elt)) {
      event.preventDefault();
    }
  });

  function duration(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes ? minutes + " min " + (rest < 10 ? "0" : "") + rest + " s" : rest + " s";
  }

  function tickHolds() {
    var now = Date.now();
    var expired = false;
    document.querySelectorAll("[data-hold-seconds]").forEach(function (note) {
      if (!note.dataset.holdUntil) {
        note.dataset.holdUntil = String(now + Number(note.dataset.holdSeconds) * 1000);
      }
      var left = Math.max(0, Math.ceil((Number(note.dataset.holdUntil) - now) / 1000));
      if (left > 0) {
        var shown = note.querySelector(".hold-left");
        if (shown) {
          shown.textContent = duration(left);
        }
        return;
      }
      var holder = note.closest(".hold-note, .hold-badge") || note;
      holder.remove();
      expired = true;
    });
    if (expired && window.htmx) {
      window.htmx.trigger(document.body, "queueChanged");
    }
  }

  window.setInterval(tickHolds, 1000);
})();

/* data-use-evidence="URL" data-claim="PK" on a button (a source the article cites, in the claim's
   evidence list): puts URL into that claim's verdict form's evidence field (the queue's panel or
   the claim page) and moves the focus there. */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-use-evidence]");
    if (!button) {
      return;
    }
    var claim = button.getAttribute("data-claim");
    var field =
      document.getElementById("panel-" + claim + "-evidence") ||
      document.getElementById("claim-" + claim + "-evidence");
    if (!field) {
      return;
    }
    field.value = button.getAttribute("data-use-evidence");
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  });
})();

/* A claim's conversation (templates/includes/claim_thread.html): picking a person in the mention
   autocomplete (a button with data-mention="username") inserts "@username " into the comment at
   the cursor, clears the search and its choices, and puts the focus back in the comment. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-mention]");
    if (!button) {
      return;
    }
    var form = button.closest("form");
    var field = form && form.querySelector("[data-mention-target]");
    if (!field) {
      return;
    }
    var text = "@" + button.getAttribute("data-mention") + " ";
    var start = field.selectionStart || field.value.length;
    var end = field.selectionEnd || start;
    var before = field.value.slice(0, start);
    if (before && !/\s$/.test(before)) {
      text = " " + text;
    }
    field.value = before + text + field.value.slice(end);
    field.selectionStart = field.selectionEnd = before.length + text.length;
    var search = form.querySelector(".mention-picker input[type=search]");
    if (search) {
      search.value = "";
    }
    var choices = button.closest(".mention-choices");
    if (choices) {
      choices.textContent = "";
    }
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  });
})();
