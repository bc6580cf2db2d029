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
    bundlePath: root + "pagefind/",
    baseUrl: new URL(root || "./", location.href).pathname,
    showImages: false,
    showSubResults: true,
    resetStyles: false,
    translations: { placeholder: "Search sources, names, passages" }
  });
})();
