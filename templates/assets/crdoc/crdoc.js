/* crdoc: collapsible field rows, expand/collapse all, deep links into recovered types.
   Without this script a page still reads whole: every row is open. */
(function () {
  "use strict"

  /* Rows nested deeper than this start collapsed (0: top-level fields). */
  var OPEN_DEPTH = 1

  function depthOf(row) {
    var depth = 0
    for (var el = row.parentElement; el && !el.classList.contains("crdoc-outline"); el = el.parentElement) {
      if (el.classList.contains("cf")) depth++
    }
    return depth
  }

  function setAll(outline, open) {
    outline.querySelectorAll("details.cf").forEach(function (row) { row.open = open })
  }

  function tools(outline) {
    if (outline.previousElementSibling && outline.previousElementSibling.classList.contains("crdoc-tools")) return
    var bar = document.createElement("div")
    bar.className = "crdoc-tools"
    ;[["Expand all", true], ["Collapse all", false]].forEach(function (pair) {
      var button = document.createElement("button")
      button.type = "button"
      button.textContent = pair[0]
      button.addEventListener("click", function () { setAll(outline, pair[1]) })
      bar.appendChild(button)
    })
    outline.parentNode.insertBefore(bar, outline)
  }

  function targets(page) {
    var found = {}
    page.querySelectorAll("script.crdoc-targets").forEach(function (script) {
      try { Object.assign(found, JSON.parse(script.textContent)) } catch (e) { /* ignore */ }
    })
    return found
  }

  /* The element a hash names: its own id, or (for a path into a type used here) the type's
     row: "#spec.template.spec.containers.image" → "#type-Container.image". A target on
     another page is followed there. */
  function resolve(id, map) {
    var asked = id
    for (var step = 0; step < 32; step++) {
      var el = document.getElementById(id)
      if (el) {
        if (asked !== id) el.setAttribute("data-path", asked)  /* the path the reader followed */
        return el
      }
      var best = null
      for (var key in map) {
        if ((id === key || id.indexOf(key + ".") === 0) && (best === null || key.length > best.length)) best = key
      }
      if (best === null) return null
      var href = map[best], cut = href.indexOf("#")
      var anchor = href.slice(cut + 1) + id.slice(best.length)
      if (cut > 0) {
        try { sessionStorage.setItem("crdoc-asked", asked) } catch (e) { /* private mode */ }
        location.replace(href.slice(0, cut) + "#" + encodeURIComponent(anchor).replace(/%2E/gi, "."))
        return null
      }
      id = anchor
    }
    return null
  }

  function reveal(el) {
    for (var up = el; up; up = up.parentElement) {
      if (up.tagName === "DETAILS") up.open = true
    }
    document.querySelectorAll(".crdoc .crdoc-hit").forEach(function (hit) { hit.classList.remove("crdoc-hit") })
    if (el.classList.contains("cf")) el.classList.add("crdoc-hit")
    el.scrollIntoView({ block: "start" })
  }

  function follow(map) {
    if (!location.hash || location.hash.length < 2) return
    var id
    try { id = decodeURIComponent(location.hash.slice(1)) } catch (e) { id = location.hash.slice(1) }
    var el = resolve(id, map)
    if (!el) return
    var asked = null
    try { asked = sessionStorage.getItem("crdoc-asked"); sessionStorage.removeItem("crdoc-asked") } catch (e) { /* private mode */ }
    if (asked) el.setAttribute("data-path", asked)  /* followed from another page */
    reveal(el)
  }

  function init() {
    var page = document.querySelector("article .crdoc")
    if (!page || page.dataset.crdocReady) return
    page.dataset.crdocReady = "1"
    page.querySelectorAll(".cf").forEach(function (row) {
      row.setAttribute("data-path", row.id.replace(/^type-/, ""))
    })
    /* A field's name links to its row (copy it, share it). */
    page.addEventListener("click", function (event) {
      var name = event.target.closest && event.target.closest(".cn")
      if (!name) return
      var row = name.closest(".cf")
      if (!row) return
      event.preventDefault()
      history.replaceState(null, "", "#" + row.id)
      reveal(row)
    })
    page.querySelectorAll(".crdoc-outline").forEach(function (outline) {
      tools(outline)
      outline.querySelectorAll("details.cf").forEach(function (row) {
        if (depthOf(row) >= OPEN_DEPTH) row.open = false
      })
    })
    var map = targets(page)
    follow(map)
    window.addEventListener("hashchange", function () { follow(map) })
    /* A version switch keeps the field the reader is on. */
    page.querySelectorAll("a[data-crdoc-keep-hash]").forEach(function (link) {
      link.addEventListener("click", function () {
        if (location.hash) link.href = link.href.split("#")[0] + location.hash
      })
    })
  }

  if (typeof document$ !== "undefined" && document$.subscribe) document$.subscribe(init)
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init)
  else init()
})()
