/* The import's forms (templates/registry/_unggah.html and the confirmation): once sent, the form
   says that the file is being uploaded, checked or saved, with a moving bar, and its button
   cannot send it twice. The page that follows shows the outcome; an import that waits its turn
   shows its rows read on its own page. Without this script the forms work as they are. */
(function () {
  "use strict";
  if (window.wksbmImpor) { return; }
  window.wksbmImpor = true;

  function wire(form) {
    form.addEventListener("submit", function (event) {
      var busy = form.querySelector(".sibuk");
      /* "Cancel" sends the form elsewhere (formaction): nothing is being saved. */
      if (busy && !(event.submitter && event.submitter.hasAttribute("formaction"))) {
        busy.querySelector("span").textContent = form.dataset.sibuk;
        busy.hidden = false;
      }
      window.setTimeout(function () {  /* after the browser has taken the form's data */
        form.querySelectorAll("button[type=submit]").forEach(function (button) {
          button.disabled = true;
        });
      }, 0);
    });
  }

  function wireAll() {
    document.querySelectorAll("form[data-sibuk]").forEach(wire);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wireAll);
  } else {
    wireAll();
  }
}());
