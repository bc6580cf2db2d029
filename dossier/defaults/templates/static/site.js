/* dossier: the search box. Pagefind's bundle is fetched at run time, which browsers refuse
   from file://, so there the box says how to get search instead of failing silently. */
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) { return; }
  var root = box.getAttribute("data-root") || "";
  if (location.protocol === "file:") {
    box.innerHTML = "";
    var note = document.createElement("p");
    note.className = "search-offline";
    note.textContent = "Search works when the site is served, not opened from disk: run " +
      "python -m http.server -d site 8000 in the project folder, then open " +
      "http://localhost:8000/. Everything else works from disk.";
    box.appendChild(note);
    return;
  }
  if (typeof PagefindUI === "undefined") { return; }
  new PagefindUI({
    element: "#search",
    // absolute paths: a bare "pagefind/" would be read as a module name by import()
    bundlePath: new URL(root + "pagefind/", location.href).pathname,
    baseUrl: new URL(root || "./", location.href).pathname,
    showImages: false,
    showSubResults: true,
    resetStyles: false,
    translations: { placeholder: "Search" },
    // A hit in a source's text opens at the paragraph that holds it: Pagefind lists every
    // element with an id (its anchors) and where the matched words are (locations).
    processResult: function (result) {
      var first = (result.locations || [])[0], best = null;
      if (first === undefined) { return result; }
      (result.anchors || []).forEach(function (a) {
        if (/^p-\d+$/.test(a.id) && a.location <= first &&
            (!best || a.location >= best.location)) { best = a; }
      });
      if (best) { result.url = result.url.split("#")[0] + "#" + best.id; }
      return result;
    }
  });
  // Pagefind's input is named only by its placeholder; give it a real accessible name.
  var input = box.querySelector("input");
  if (input) { input.setAttribute("aria-label", "Search sources, names and passages"); }
})();

/* dossier: highlighting of each kind of mention can be switched off (and back on). The
   choice is remembered across pages; links keep working with highlighting off. */
(function () {
  "use strict";
  var KEY = "dossier-hidden-kinds";
  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(hidden) {
    try { localStorage.setItem(KEY, JSON.stringify(hidden)); } catch (e) { /* private mode */ }
  }
  function apply(hidden) {
    ["person", "unit", "organisation", "place", "extra1", "extra2", "extra3", "extra4",
     "date"].forEach(function (kind) {
      document.documentElement.classList.toggle("hide-" + kind, hidden.indexOf(kind) >= 0);
    });
  }
  apply(load());
  var box = document.getElementById("highlight");
  if (!box) { return; }
  box.querySelector("legend").textContent = "Highlight in the text";
  box.querySelectorAll(".legend-item").forEach(function (item) {
    var kind = item.getAttribute("data-kind");
    var input = document.createElement("input");
    input.type = "checkbox";
    input.id = "hl-" + kind;
    input.checked = load().indexOf(kind) < 0;
    input.addEventListener("change", function () {
      var hidden = load().filter(function (k) { return k !== kind; });
      if (!input.checked) { hidden.push(kind); }
      save(hidden);
      apply(hidden);
    });
    var label = document.createElement("label");
    label.htmlFor = input.id;
    while (item.firstChild) { label.appendChild(item.firstChild); }
    item.appendChild(input);
    item.appendChild(label);
  });
})();
