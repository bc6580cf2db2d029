/* dossier live preview: annotating in the browser. Served by `dossier serve` only, never part
   of site/. Keys on a source page: select words, then
     a   annotate the selection as a mention (picker: type, arrows, Enter; Escape closes)
     d   annotate the selection as a date (the value the tool works out, to confirm or edit)
     u   undo the last write of this session
     e   on a focused mention (or Alt+click on one): change its entity, or remove it
   Every write goes to the preview server (POST, JSON, with this run's secret), which writes
   content/ and rebuilds; the page then reloads where it was. */
(function () {
  "use strict";
  var cfgEl = document.getElementById("dossier-edit-config");
  if (!cfgEl) return;
  var cfg = JSON.parse(cfgEl.textContent);
  var article = document.querySelector("article");
  var STATE = "dossier-edit-state";
  var registry = null;
  var openBox = null;
  var lastFocus = null;

  /* ------------------------------------------------------------ talking to the server */

  function call(op, body) {
    body = Object.assign({token: cfg.token, source: cfg.source}, body || {});
    return fetch(cfg.api + op, {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-Dossier-Secret": cfg.secret},
      body: JSON.stringify(body),
      credentials: "same-origin"
    }).then(function (r) {
      return r.json().catch(function () { return {error: "HTTP " + r.status}; })
        .then(function (data) {
          if (!r.ok) {
            var err = new Error(data.error || ("HTTP " + r.status));
            err.status = r.status;
            throw err;
          }
          return data;
        });
    });
  }

  function getRegistry() {
    if (registry) return Promise.resolve(registry);
    return call("registry").then(function (data) { registry = data; return data; });
  }

  function failed(err) {
    toast(err.message, true);
    if (err.status === 409) setTimeout(function () { location.reload(); }, 1500);
  }

  function written(data, after) {
    /* The server rebuilds; the live-reload script reloads the page. Remember where we were. */
    var state = Object.assign({y: window.scrollY, written: data.written}, after || {});
    sessionStorage.setItem(STATE, JSON.stringify(state));
    toast("Saved " + data.written.map(function (w) { return w.file + ":" + w.line; })
      .join(", ") + "; rebuilding…", false);
  }

  /* ------------------------------------------------------------ the selection */

  function blockOf(node) {
    var el = node.nodeType === 1 ? node : node.parentElement;
    while (el && el !== article) {
      if (el.parentElement === article && /^p-\d+$/.test(el.id)) return el;
      el = el.parentElement;
    }
    return null;
  }

  function visibleText(fragment) {
    var skip = fragment.querySelectorAll("[data-dossier-extra]");
    for (var i = 0; i < skip.length; i++) skip[i].remove();
    return fragment.textContent;
  }

  function offsetIn(block, node, offset) {
    var r = document.createRange();
    r.setStart(block, 0);
    r.setEnd(node, offset);
    return visibleText(r.cloneContents()).length;
  }

  function selection() {
    var sel = window.getSelection();
    if (!article || !sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    var range = sel.getRangeAt(0);
    var block = blockOf(range.startContainer);
    if (!block || block !== blockOf(range.endContainer)) return null;
    var start = offsetIn(block, range.startContainer, range.startOffset);
    var end = offsetIn(block, range.endContainer, range.endOffset);
    var text = visibleText(range.cloneContents());
    if (!text.trim()) return null;
    return {block: parseInt(block.id.slice(2), 10) - 1, start: start, end: end, text: text,
            rect: range.getBoundingClientRect()};
  }

  /* ------------------------------------------------------------ boxes: picker, forms, toast */

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }

  function box(title) {
    close();
    lastFocus = document.activeElement;
    var d = el("div", {"class": "dossier-edit-box", role: "dialog", "aria-modal": "true",
                       "aria-labelledby": "dossier-edit-title"});
    d.appendChild(el("h2", {id: "dossier-edit-title"}, title));
    d.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { ev.preventDefault(); close(); }
    });
    document.body.appendChild(d);
    openBox = d;
    return d;
  }

  function close() {
    if (openBox) { openBox.remove(); openBox = null; }
    if (lastFocus && lastFocus.focus) lastFocus.focus();
    lastFocus = null;
  }

  function toast(text, bad) {
    var t = document.getElementById("dossier-edit-toast");
    if (!t) {
      t = el("div", {id: "dossier-edit-toast", role: "status", "aria-live": "polite"});
      document.body.appendChild(t);
    }
    t.className = bad ? "bad" : "";
    t.textContent = "";
    t.appendChild(el("span", {}, text));
    return t;
  }

  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[\u2018\u2019]/g, "'").replace(/\s+/g, " ").trim();
  }

  function score(entity, q) {
    if (!q) return 1;
    var best = 0;
    [entity.name].concat(entity.variants, [entity.id]).forEach(function (n, i) {
      var f = fold(n);
      var s = f === q ? 100 : f.indexOf(q) === 0 ? 80 : (" " + f).indexOf(" " + q) >= 0 ? 60
        : f.indexOf(q) >= 0 ? 40 : 0;
      if (s && i > 0) s -= 5;  /* the canonical name first */
      best = Math.max(best, s);
    });
    return best;
  }

  function picker(title, seed, onPick, allowNew) {
    getRegistry().then(function (reg) {
      var d = box(title);
      var label = el("label", {"for": "dossier-edit-q"}, "Entity (name, variant or id)");
      var input = el("input", {id: "dossier-edit-q", type: "text", role: "combobox",
                               "aria-expanded": "true", "aria-controls": "dossier-edit-list",
                               "aria-autocomplete": "list", autocomplete: "off"});
      var list = el("ul", {id: "dossier-edit-list", role: "listbox",
                           "aria-label": "Matching entities"});
      d.appendChild(label); d.appendChild(input); d.appendChild(list);
      var shown = [], active = 0;
      function render() {
        var q = fold(input.value);
        shown = reg.entities.map(function (e) { return [score(e, q), e]; })
          .filter(function (p) { return p[0] > 0; })
          .sort(function (a, b) { return b[0] - a[0] || a[1].name.localeCompare(b[1].name); })
          .slice(0, 40).map(function (p) { return p[1]; });
        if (allowNew) shown.push(null);
        active = Math.min(active, shown.length - 1);
        list.textContent = "";
        shown.forEach(function (e, i) {
          var li = el("li", {role: "option", id: "dossier-edit-o" + i,
                             "aria-selected": i === active ? "true" : "false"});
          if (e) {
            li.appendChild(el("span", {"class": "name"}, e.name));
            li.appendChild(el("span", {"class": "kind"}, e.label));
          } else {
            li.appendChild(el("span", {"class": "name"}, "New entity…"));
          }
          li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(i); });
          list.appendChild(li);
        });
        if (shown.length) input.setAttribute("aria-activedescendant", "dossier-edit-o" + active);
      }
      function choose(i) {
        var e = shown[i];
        if (e === undefined) return;
        if (e === null) newEntity(seed, input.value); else onPick(e);
      }
      input.addEventListener("input", function () { active = 0; render(); });
      input.addEventListener("keydown", function (ev) {
        if (ev.key === "ArrowDown") { active = Math.min(active + 1, shown.length - 1); }
        else if (ev.key === "ArrowUp") { active = Math.max(active - 1, 0); }
        else if (ev.key === "Enter") { ev.preventDefault(); choose(active); return; }
        else return;
        ev.preventDefault();
        render();
      });
      input.value = seed ? seed.text.trim() : "";
      render();
      if (seed && !shown[0]) { input.value = ""; render(); }
      input.select();
      input.focus();
    }).catch(failed);
  }

  function field(d, id, labelText, value, multiline) {
    d.appendChild(el("label", {"for": id}, labelText));
    var input = el(multiline ? "textarea" : "input", {id: id});
    if (!multiline) input.type = "text";
    input.value = value || "";
    d.appendChild(input);
    return input;
  }

  function buttons(d, pairs) {
    var row = el("p", {"class": "buttons"});
    pairs.forEach(function (p) {
      var b = el("button", {type: "button"}, p[0]);
      b.addEventListener("click", p[1]);
      row.appendChild(b);
    });
    d.appendChild(row);
  }

  function slug(s) {
    return fold(s).replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  function newEntity(seed, typed) {
    var reg = registry;
    var d = box("New entity");
    var name = field(d, "dossier-edit-name", "Name", typed || seed.text.trim());
    d.appendChild(el("label", {"for": "dossier-edit-kind"}, "Kind"));
    var kind = el("select", {id: "dossier-edit-kind"});
    reg.kinds.forEach(function (k) { kind.appendChild(el("option", {value: k.id}, k.label)); });
    d.appendChild(kind);
    var id = field(d, "dossier-edit-id", "Id (the page's address)", slug(name.value));
    var edited = false;
    id.addEventListener("input", function () { edited = true; });
    name.addEventListener("input", function () { if (!edited) id.value = slug(name.value); });
    function save() {
      call("entity", Object.assign(spotOf(seed), {name: name.value, kind: kind.value,
                                                  id: id.value}))
        .then(function (data) { written(data, {tag: {entity: id.value, text: seed.text}}); })
        .catch(failed);
    }
    d.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && ev.target.tagName !== "BUTTON") { ev.preventDefault(); save(); }
    });
    buttons(d, [["Create and annotate", save], ["Cancel", close]]);
    name.focus();
  }

  function spotOf(seed) {
    return {block: seed.block, start: seed.start, end: seed.end, text: seed.text};
  }

  /* ------------------------------------------------------------ the actions */

  function annotate() {
    var seed = selection();
    if (!seed) { toast("Select words of one paragraph of the article first.", true); return; }
    picker("Annotate “" + seed.text.trim() + "”", seed, function (e) {
      call("mention", Object.assign(spotOf(seed), {entity: e.id}))
        .then(function (data) { written(data, {tag: {entity: e.id, text: seed.text}}); })
        .catch(failed);
    }, true);
  }

  function annotateDate() {
    var seed = selection();
    if (!seed) { toast("Select the words of a date first.", true); return; }
    call("date-proposal", spotOf(seed)).then(function (data) {
      var p = data.proposal || {value: "", reasoning: "", inferred: false, approximate: false};
      var d = box("Date “" + seed.text.trim() + "”");
      var value = field(d, "dossier-edit-value", "Value (ISO 8601: 2015-10-15, 2015-10, " +
                        "2015, or start/end)", p.value);
      if (p.inferred) {
        d.appendChild(el("p", {"class": "note"}, "Inferred from the publication date: " +
                         "check the value; the reasoning says how."));
      } else if (!p.value) {
        d.appendChild(el("p", {"class": "note"}, "No value could be worked out: give one."));
      }
      var approx = el("input", {id: "dossier-edit-approx", type: "checkbox"});
      approx.checked = !!p.approximate;
      var row = el("p", {"class": "checks"});
      row.appendChild(approx);
      row.appendChild(el("label", {"for": "dossier-edit-approx"}, "approximate (a vague span)"));
      d.appendChild(row);
      var reasoning = field(d, "dossier-edit-reasoning", "Reasoning", p.reasoning, true);
      var event = field(d, "dossier-edit-event", "Event (what happened then)", "");
      function save() {
        call("date", Object.assign(spotOf(seed), {value: value.value, reasoning: reasoning.value,
                                                  event: event.value,
                                                  approximate: approx.checked}))
          .then(function (data) { written(data); }).catch(failed);
      }
      event.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter") { ev.preventDefault(); save(); }
      });
      buttons(d, [["Save date", save], ["Cancel", close]]);
      (p.value ? event : value).focus();
    }).catch(failed);
  }

  function mentionMenu(m) {
    var d = box("Mention “" + m.textContent + "”");
    buttons(d, [
      ["Change entity…", function () {
        picker("Change “" + m.textContent + "” to", null, function (e) {
          call("change", {mention: m.id, entity: e.id}).then(written).catch(failed);
        }, false);
      }],
      ["Remove mention", function () {
        call("remove", {mention: m.id}).then(written).catch(failed);
      }],
      ["Cancel", close]]);
    d.querySelector("button").focus();
  }

  function undo() {
    call("undo").then(written).catch(failed);
  }

  function tagAll(tag) {
    call("candidates", {entity: tag.entity, text: tag.text}).then(function (data) {
      var found = data.candidates;
      if (!found.length) { toast("No other unannotated occurrence.", false); return; }
      var d = box("Tag all: " + found.length + " more occurrence(s)");
      var list = el("ul", {"class": "kwic"});
      found.forEach(function (c, i) {
        var li = el("li");
        var box_ = el("input", {type: "checkbox", id: "dossier-edit-c" + i});
        box_.checked = true;
        var lab = el("label", {"for": "dossier-edit-c" + i});
        lab.appendChild(el("span", {"class": "src"}, c.headline + ": "));
        lab.appendChild(document.createTextNode(c.before));
        lab.appendChild(el("mark", {}, c.text));
        lab.appendChild(document.createTextNode(c.after));
        li.appendChild(box_); li.appendChild(lab);
        list.appendChild(li);
      });
      d.appendChild(list);
      function accept(all) {
        var items = found.filter(function (c, i) {
          return all || d.querySelector("#dossier-edit-c" + i).checked;
        }).map(function (c) {
          return {source: c.source, start: c.start, end: c.end, text: c.text};
        });
        if (!items.length) { close(); return; }
        call("accept", {entity: tag.entity, items: items}).then(written).catch(failed);
      }
      buttons(d, [["Accept all", function () { accept(true); }],
                  ["Accept checked", function () { accept(false); }], ["Skip all", close]]);
      d.querySelector("button").focus();
    }).catch(failed);
  }

  /* ------------------------------------------------------------ after a reload */

  function restore() {
    var raw = sessionStorage.getItem(STATE);
    if (!raw) return;
    sessionStorage.removeItem(STATE);
    var state = JSON.parse(raw);
    window.scrollTo(0, state.y || 0);
    var t = toast("Written: " + state.written.map(function (w) {
      return w.file + ":" + w.line + " (" + w.what + ")";
    }).join("; ") + ".", false);
    if (state.tag) {
      var marks = article ? article.querySelectorAll("a.m, .m-in") : [];
      for (var i = 0; i < marks.length; i++) {
        if (marks[i].textContent === state.tag.text.trim()) marks[i].classList.add("dossier-new");
      }
      var b = el("button", {type: "button"}, "Tag all…");
      b.addEventListener("click", function () { tagAll(state.tag); });
      t.appendChild(b);
    }
    var u = el("button", {type: "button"}, "Undo (u)");
    u.addEventListener("click", undo);
    t.appendChild(u);
  }

  /* ------------------------------------------------------------ wiring */

  var floating = el("div", {id: "dossier-edit-float", hidden: ""});
  [["Annotate (a)", annotate], ["Date (d)", annotateDate]].forEach(function (p) {
    var b = el("button", {type: "button"}, p[0]);
    b.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
    b.addEventListener("click", p[1]);
    floating.appendChild(b);
  });
  document.body.appendChild(floating);

  document.addEventListener("selectionchange", function () {
    var s = openBox ? null : selection();
    if (!s) { floating.hidden = true; return; }
    floating.hidden = false;
    floating.style.top = (window.scrollY + s.rect.bottom + 6) + "px";
    floating.style.left = (window.scrollX + s.rect.left) + "px";
  });

  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey || openBox) return;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var key = ev.key;
    var focused = t && t.closest ? t.closest("[id^='m-']") : null;
    if (key === "a") { ev.preventDefault(); annotate(); }
    else if (key === "d") { ev.preventDefault(); annotateDate(); }
    else if (key === "u") { ev.preventDefault(); undo(); }
    else if (key === "e" && focused && article && article.contains(focused)) {
      ev.preventDefault(); mentionMenu(focused);
    }
  });

  if (article) {
    article.addEventListener("click", function (ev) {
      if (!ev.altKey) return;
      var m = ev.target.closest("[id^='m-']");
      if (!m) return;
      ev.preventDefault();
      mentionMenu(m);
    });
  }

  var style = el("style", {}, [
    ".dossier-edit-box{position:fixed;z-index:2147483646;top:10vh;left:50%;",
    "transform:translateX(-50%);width:min(34rem,92vw);max-height:76vh;overflow:auto;",
    "background:#fff;color:#111;border:1px solid #555;border-radius:6px;padding:1rem;",
    "box-shadow:0 8px 30px rgba(0,0,0,.3);font:16px/1.4 system-ui,sans-serif}",
    ".dossier-edit-box h2{font-size:1.1rem;margin:0 0 .6rem}",
    ".dossier-edit-box label{display:block;margin:.5rem 0 .2rem;font-weight:600}",
    ".dossier-edit-box .checks label{display:inline;margin:0 1rem 0 .3rem}",
    ".dossier-edit-box input[type=text],.dossier-edit-box textarea,.dossier-edit-box select",
    "{width:100%;box-sizing:border-box;font:inherit;padding:.3rem}",
    ".dossier-edit-box ul{list-style:none;margin:.4rem 0;padding:0}",
    ".dossier-edit-box [role=option]{display:flex;justify-content:space-between;",
    "padding:.25rem .4rem;cursor:pointer}",
    ".dossier-edit-box [role=option][aria-selected=true]{background:#0b57d0;color:#fff}",
    ".dossier-edit-box .kind{color:inherit;font-size:.85em}",
    ".dossier-edit-box .kwic li{display:flex;gap:.4rem;margin:.3rem 0}",
    ".dossier-edit-box .kwic label{font-weight:400;margin:0}",
    ".dossier-edit-box .buttons button,#dossier-edit-toast button,#dossier-edit-float button",
    "{font:inherit;margin-right:.4rem}",
    "#dossier-edit-float{position:absolute;z-index:2147483645;font:14px system-ui,sans-serif}",
    "#dossier-edit-toast{position:fixed;z-index:2147483646;bottom:1rem;left:1rem;",
    "max-width:40rem;background:#1d1d1d;color:#fff;padding:.6rem .8rem;border-radius:6px;",
    "font:14px/1.4 system-ui,sans-serif}",
    "#dossier-edit-toast.bad{background:#8b0000}",
    "#dossier-edit-toast button{margin:0 0 0 .6rem}",
    ".dossier-new{outline:3px solid #f5b400;outline-offset:2px}"].join(""));
  document.head.appendChild(style);

  restore();
  /* Once the page has loaded: fetch the registry, and have the server parse this source's
     file, so that neither waits until the first a or d. */
  function prepare() {
    setTimeout(function () {
      call("prepare").then(function (data) { registry = registry || data; })
        .catch(function () { /* the first real request says what is wrong */ });
    }, 0);
  }
  if (document.readyState === "complete") prepare();
  else window.addEventListener("load", prepare);
  window.dossierEdit = {annotate: annotate, annotateDate: annotateDate, undo: undo,
                        tagAll: tagAll, selection: selection};
})();
