// parknews: small progressive enhancements. Every page works without this file; it only
// saves round trips. Loaded with `defer` from a static file so a strict
// Content-Security-Policy (no inline script) can be added.
(function () {
  "use strict";

  // Park directory: filter the zones as the reader types, and keep ?q= in the address
  // bar so the filtered list can be shared. The server renders the same filter for ?q=.
  function parkFilter(form) {
    var input = form.querySelector("input[name=q]");
    var items = document.querySelectorAll("[data-key]");
    var groups = document.querySelectorAll("[data-park-group]");
    var empty = document.querySelector("[data-park-empty]");
    var echo = document.querySelector("[data-park-q]");
    if (!input) return;

    function apply() {
      var q = input.value.trim().toLowerCase();
      var shown = 0;
      items.forEach(function (item) {
        var match = !q || item.getAttribute("data-key").indexOf(q) !== -1;
        item.hidden = !match;
        if (match) shown += 1;
      });
      groups.forEach(function (group) {
        var any = group.querySelector("[data-key]:not([hidden])") !== null;
        group.hidden = !any;
        var toc = document.querySelector('[data-park-toc="' + group.getAttribute("data-park-group") + '"]');
        if (toc) toc.hidden = !any;
      });
      if (empty) empty.hidden = shown > 0 || !q;
      if (echo) echo.textContent = input.value.trim();
      var url = new URL(window.location.href);
      if (q) url.searchParams.set("q", input.value.trim());
      else url.searchParams.delete("q");
      window.history.replaceState(null, "", url.pathname + url.search + url.hash);
    }

    input.addEventListener("input", apply);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply();
    });
  }

  // Filter forms: apply a choice as soon as it is made, and leave empty fields out of
  // the URL so shared links stay short.
  function autosubmit(form) {
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () {
        if (form.requestSubmit) form.requestSubmit();
        else form.submit();
      });
    });
    form.addEventListener("submit", function () {
      form.querySelectorAll("input, select").forEach(function (field) {
        if (field.name && !field.value) field.disabled = true;
      });
    });
    // Fields disabled for a submit come back when the page is restored from history.
    window.addEventListener("pageshow", function () {
      form.querySelectorAll("[disabled]").forEach(function (field) { field.disabled = false; });
    });
  }

  // The page text starts wherever the page does; when it is opened, bring this
  // article's first span into view inside its scroll box.
  function showFirstSpan(details) {
    details.addEventListener("toggle", function () {
      if (!details.open) return;
      var box = details.querySelector(".page-text");
      var mark = box && box.querySelector("mark");
      // .page-text is position: relative, so offsetTop is measured from its top.
      if (mark) box.scrollTop = Math.max(0, mark.offsetTop - 24);
    });
  }

  // Opening a link to the page text (#source) opens its <details>.
  function openSource() {
    if (window.location.hash !== "#source") return;
    var details = document.getElementById("source");
    if (details) details.open = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-park-filter]").forEach(parkFilter);
    document.querySelectorAll("form[data-autosubmit]").forEach(autosubmit);
    var source = document.getElementById("source");
    if (source) showFirstSpan(source);
    openSource();
    window.addEventListener("hashchange", openSource);
  });
})();
