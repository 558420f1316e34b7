/* Read-aloud for survey questions: the browser's speech synthesis in the page
   language. The buttons stay hidden where speech synthesis, or a voice for the
   language, is not available — the page works the same without them. */
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

  function activate() {
    if (!hasVoice()) {
      return;
    }
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

  if (hasVoice()) {
    activate();
  } else {
    window.speechSynthesis.addEventListener("voiceschanged", function once() {
      window.speechSynthesis.removeEventListener("voiceschanged", once);
      activate();
    });
  }
})();
