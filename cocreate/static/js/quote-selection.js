/* Comment on a passage: selecting text inside a paragraph fills that paragraph's
   comment form with the quote. Without JavaScript people comment on the whole
   paragraph, which works the same. */
(function () {
  "use strict";
  document.addEventListener("mouseup", capture);
  document.addEventListener("keyup", capture);

  function capture() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed) {
      return;
    }
    var node = selection.anchorNode && selection.anchorNode.parentElement;
    var block = node && node.closest(".plan-block");
    if (!block) {
      return;
    }
    var text = selection.toString().trim().slice(0, 500);
    var section = block.closest(".plan-paragraph");
    var form = section && section.querySelector(".comment-form");
    if (!text || !form) {
      return;
    }
    form.querySelector(".quote-field").value = text;
    var preview = form.querySelector(".quote-preview");
    preview.textContent = "“" + text + "”";
    preview.hidden = false;
    var details = section.querySelector("details.paragraph-comments");
    if (details) {
      details.open = true;
    }
  }
})();
