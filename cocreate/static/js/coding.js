/* Code a passage: selecting text inside a unit fills that unit's coding form with
   the passage's start and end, counted in Unicode code points (Array.from), as the
   server counts them. JavaScript strings count UTF-16 units, in which an emoji or
   another character outside the Basic Multilingual Plane takes two, so lengths are
   never taken with .length. Without JavaScript the form codes the whole unit. */
(function () {
  "use strict";

  document.addEventListener("mouseup", capture);
  document.addEventListener("keyup", capture);
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".coding-clear");
    if (button) {
      reset(button.closest(".coding-form"));
    }
  });

  function codePoints(text) {
    return Array.from(text).length;
  }

  function formFor(element) {
    var unit = element && element.closest(".coding-unit");
    return unit && unit.querySelector(".coding-form");
  }

  function reset(form) {
    if (!form) {
      return;
    }
    form.querySelector(".coding-start").value = "";
    form.querySelector(".coding-end").value = "";
    form.querySelector(".coding-quote").hidden = true;
    form.querySelector(".coding-quote-text").textContent = "";
  }

  function capture() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount !== 1) {
      return;
    }
    var range = selection.getRangeAt(0);
    var start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
    var end = range.endContainer.nodeType === 1 ? range.endContainer : range.endContainer.parentElement;
    var text = start && start.closest(".unit-text");
    // Only a selection that starts and ends inside one unit's text is a passage of it.
    if (!text || !end || end.closest(".unit-text") !== text) {
      return;
    }
    var form = formFor(text);
    if (!form) {
      return;
    }
    var before = document.createRange();
    before.setStart(text, 0);
    before.setEnd(range.startContainer, range.startOffset);
    var selected = range.toString();
    var from = codePoints(before.toString());
    // Leave out white space around the selection (double clicks often take a trailing space).
    var leading = codePoints(selected) - codePoints(selected.replace(/^\s+/, ""));
    var passage = selected.trim();
    if (!passage) {
      return;
    }
    from += leading;
    var to = from + codePoints(passage);
    if (to > codePoints(text.textContent)) {
      return;
    }
    form.querySelector(".coding-start").value = String(from);
    form.querySelector(".coding-end").value = String(to);
    form.querySelector(".coding-quote-text").textContent = passage;
    form.querySelector(".coding-quote").hidden = false;
  }
})();
