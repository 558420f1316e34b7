/* Read-aloud for survey questions: the browser's speech synthesis in the page
   language. The buttons stay hidden where speech synthesis, or a voice for the
   language, is not available — the page works the same without them, and says so
   when the device can speak but has no voice for this language (often the case for
   Tigrinya, Somali or Pashto). */
(function () {
  "use strict";
  if (!("speechSynthesis" in window) || !("SpeechSynthesisUtterance" in window)) {
    return;
  }
  var lang = (document.documentElement.lang || "").toLowerCase();
  var buttons = document.querySelectorAll(".read-aloud");
  if (!buttons.length) {
    return;
  }

  function hasVoice() {
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if ((voices[i].lang || "").toLowerCase().split("-")[0] === lang.split("-")[0]) {
        return true;
      }
    }
    return false;
  }

  function textOf(question) {
    var parts = [];
    question.querySelectorAll("legend, .hint, label").forEach(function (el) {
      if (!el.classList.contains("visually-hidden")) {
        parts.push(el.textContent.trim());
      }
    });
    return parts.join(". ");
  }

  var wired = false;
  var waited = false;  // the browser had its chance to load voices

  function wire() {
    wired = true;
    buttons.forEach(function (button) {
      var original = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        var synth = window.speechSynthesis;
        if (synth.speaking) {
          synth.cancel();
          button.textContent = original;
          return;
        }
        var utterance = new SpeechSynthesisUtterance(textOf(button.closest(".question")));
        utterance.lang = lang;
        utterance.onend = function () { button.textContent = original; };
        button.textContent = button.getAttribute("data-label-speaking") || original;
        synth.speak(utterance);
      });
    });
  }

  function refresh() {
    var voice = hasVoice();
    if (voice && !wired) {
      wire();
    }
    var note = document.querySelector(".read-aloud-missing");
    if (note) {
      note.hidden = voice || !waited;
    }
  }

  window.speechSynthesis.addEventListener("voiceschanged", function () {
    waited = true;
    refresh();
  });
  // Some browsers never fire "voiceschanged" when they have no voices at all.
  window.setTimeout(function () {
    waited = true;
    refresh();
  }, 2000);
  refresh();
})();
