// A request made in place (htmx) that fails shows why, next to what was being done, and
// leaves the page as it was: nothing is swapped, so whatever was typed is still there.
(function () {
  "use strict";
  var CLASS = "app-request-error";

  function messageFor(status) {
    if (status === 0) {
      return "The tracker could not be reached. Nothing was saved and what you typed is still here: check your connection, then try again.";
    }
    if (status === 503) {
      return "The tracker is busy. Nothing was saved and what you typed is still here: try again in a few seconds.";
    }
    if (status === 413) {
      return "That was too large to send. Nothing was saved.";
    }
    if (status === 429) {
      return "Too many attempts. Nothing was saved: wait a few minutes, then try again.";
    }
    if (status === 403) {
      return "Your account cannot do that. Nothing was saved.";
    }
    if (status >= 500) {
      return "Something went wrong and this may not have been saved. What you typed is still here: try again, and tell your administrator if it keeps happening.";
    }
    return "That could not be done. Nothing was saved: reload the page and try again.";
  }

  // Where the message goes: before the form (or the element) that made the request.
  function anchorFor(element) {
    return (element && element.closest && element.closest("form")) || element;
  }

  function clear(anchor) {
    var previous = anchor && anchor.previousElementSibling;
    if (previous && previous.classList.contains(CLASS)) previous.remove();
  }

  function show(element, status) {
    var anchor = anchorFor(element);
    if (!anchor || !anchor.isConnected) return;
    clear(anchor);
    var box = document.createElement("div");
    box.className = "govuk-error-summary " + CLASS;
    box.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.className = "govuk-body govuk-!-margin-bottom-0";
    text.textContent = messageFor(status);
    box.appendChild(text);
    anchor.insertAdjacentElement("beforebegin", box);
    // The button pressed may be far below: bring the message into view, as GOV.UK's error
    // summary does, and let keyboard users carry on from it.
    box.tabIndex = -1;
    box.focus();
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    clear(anchorFor(event.detail.elt));
  });
  document.addEventListener("htmx:responseError", function (event) {
    // A sign-in page or a refresh that htmx follows needs no message.
    var xhr = event.detail.xhr;
    if (xhr.getResponseHeader("HX-Redirect") || xhr.getResponseHeader("HX-Refresh")) return;
    show(event.detail.elt, xhr.status);
  });
  document.addEventListener("htmx:sendError", function (event) {
    show(event.detail.elt, 0);
  });
  document.addEventListener("htmx:timeout", function (event) {
    show(event.detail.elt, 0);
  });
})();
