// Draft safety: what someone types into an update form is kept in this browser until the
// update is saved, so it survives a failed save, an expired session or a closed tab.
// Fields opt in with data-draft-key; nothing leaves the browser.
(function () {
  "use strict";
  var PREFIX = "tracker-draft:";

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // storage switched off: the forms still work, without drafts
    }
  }

  function clearKeysStartingWith(start) {
    var store = storage();
    if (!store) return;
    Object.keys(store)
      .filter(function (key) { return key.indexOf(PREFIX + start) === 0; })
      .forEach(function (key) { store.removeItem(key); });
  }

  function clearForm(form) {
    var store = storage();
    if (!store) return;
    form.querySelectorAll("[data-draft-key]").forEach(function (field) {
      store.removeItem(PREFIX + field.dataset.draftKey);
    });
  }

  function restore(root) {
    var store = storage();
    if (!store) return;
    root.querySelectorAll("[data-draft-key]").forEach(function (field) {
      var saved = store.getItem(PREFIX + field.dataset.draftKey);
      if (!saved || field.value) return;
      field.value = saved;
      field.dispatchEvent(new Event("input", { bubbles: true }));
      var note = document.createElement("p");
      note.className = "govuk-body-s app-draft-note";
      note.textContent = "This is text you typed earlier that was not saved yet.";
      field.insertAdjacentElement("afterend", note);
    });
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    var store = storage();
    if (!store || !field.dataset || !field.dataset.draftKey) return;
    if (field.value) {
      store.setItem(PREFIX + field.dataset.draftKey, field.value);
    } else {
      store.removeItem(PREFIX + field.dataset.draftKey);
    }
  });

  // An update saved in place (htmx): its draft is no longer needed. Checked before the swap,
  // while the form is still in the page (events from a removed form never reach document).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    var status = event.detail.xhr.status;
    if (status >= 200 && status < 300 && form && form.matches && form.matches("[data-draft-form]")) {
      clearForm(form);
    }
  });
  // New forms swapped in by htmx get their drafts back too.
  document.addEventListener("htmx:afterSettle", function (event) {
    restore(event.detail.elt);
  });

  // A saved update reached by a full page load: the server names it in a meta tag.
  var saved = document.querySelector('meta[name="tracker-saved-draft"]');
  if (saved) clearKeysStartingWith(saved.content);
  restore(document);
})();
