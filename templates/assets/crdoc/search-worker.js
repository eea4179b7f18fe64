/* crdoc search worker: mkdocs-material's own worker, plus the reference's compact index.
 *
 * Material's page config ("search" in #__config) names this file; material's worker runs inside
 * it, renamed, and keeps serving the site's other pages. Messages are material's protocol
 * (integrations/search/worker/message): 0 SETUP {config, docs, options} -> 1 READY;
 * 2 QUERY "text" -> 3 RESULT {items: SearchItem[][], suggest?}. Each items[i] is one page: the
 * page's own item (location without "#") plus its sections; title and text are HTML.
 *
 * Works as a real Worker (http/https) and inside the iframe-worker shim (file://, offline
 * plugin): there importScripts loads <script> tags and returns a Promise, and relative URLs
 * are resolved against this script's own URL, as material's worker does for its lunr files.
 */
(function () {
  "use strict"
  var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3
  var MAX_PAGES = 60, MAX_FIELDS = 8, MAX_PATHS = 3000

  var iframe = typeof parent !== "undefined" && parent !== self && "IFrameWorker" in parent
  var scriptUrl = iframe
    ? document.querySelector("script[src*='search']").src
    : self.location.href
  function here(url) { return new URL(url, scriptUrl).href }

  /* Material's worker, captured: its message listener and its replies. */
  var realPost = self.postMessage.bind ? self.postMessage.bind(self) : self.postMessage
  var realAdd = self.addEventListener.bind(self)
  var materialListener = null
  var reply = null
  self.addEventListener = function (type, fn, opts) {
    if (type === "message" && !materialListener) materialListener = fn
    else realAdd(type, fn, opts)
  }
  self.postMessage = function (message) {
    var done = reply
    reply = null
    if (done) done(message)
  }
  var chain = Promise.resolve()
  function askMaterial(data) {
    /* One request at a time: material answers each message with exactly one postMessage. */
    chain = chain.then(function () {
      return new Promise(function (resolve) {
        reply = resolve
        materialListener({ data: data })
      })
    })
    return chain
  }
  var materialLoaded = Promise.resolve(importScripts(here("__MATERIAL_WORKER__")))

  /* ------------------------------------------------------------- the compact index */

  var index = null, loading = null

  function loadIndex() {
    if (loading) return loading
    var url = here("../../../search/crdoc-index")
    if (__CRDOC_INDEX_SCRIPT__) {
      loading = Promise.resolve(importScripts(url + ".js")).then(function () {
        return self.__crdocIndex
      })
    } else {
      loading = fetch(url + ".json").then(function (r) {
        if (!r.ok) throw new Error(r.status + " " + url)
        return r.json()
      })
    }
    loading = loading.then(prepare).catch(function (err) {
      console.warn("crdoc search index not loaded", err)
      return null
    })
    return loading
  }

  function prepare(data) {
    var t0 = Date.now()
    var pages = data.pages.map(function (p) {
      return { url: p[0], kind: p[1], group: p[2], version: p[3],
               kindL: p[1].toLowerCase(), groupL: p[2].toLowerCase() }
    })
    /* a kind that several groups define is titled with its group, so results tell them apart */
    var groupsOf = {}
    pages.forEach(function (page) {
      var seen = groupsOf[page.kind] || (groupsOf[page.kind] = {})
      seen[page.group] = true
    })
    pages.forEach(function (page) {
      page.title = page.kind + " " + page.version
      if (Object.keys(groupsOf[page.kind]).length > 1) page.title += " · " + page.group
    })
    /* the trie of field paths: node i = path(parent[i]) + "." + segs[seg[i]] */
    var np = data.np.split(","), ns = data.ns.split(",")
    var n = np.length + 1
    var paths = new Array(n), lower = new Array(n)
    paths[0] = ""
    lower[0] = ""
    for (var i = 1; i < n; i++) {
      var parent = i - parseInt(np[i - 1], 36)
      var name = data.segs[parseInt(ns[i - 1], 36)]
      paths[i] = parent ? paths[parent] + "." + name : name
      lower[i] = paths[i].toLowerCase()
    }
    /* pages of each node (CSR): count, offsets, fill */
    var runs = data.pages.map(function (p) { return p[4] })
    var count = new Int32Array(n + 1)
    var decoded = runs.map(function (text) {
      var out = [], end = 0
      if (!text) return out
      var tokens = text.split(",")
      for (var t = 0; t < tokens.length; t++) {
        var plus = tokens[t].indexOf("+")
        var start = end + parseInt(plus < 0 ? tokens[t] : tokens[t].slice(0, plus), 36)
        end = start + (plus < 0 ? 0 : parseInt(tokens[t].slice(plus + 1), 36))
        out.push(start, end)
        for (var k = start; k <= end; k++) count[k + 1]++
      }
      return out
    })
    for (var c = 1; c <= n; c++) count[c] += count[c - 1]
    var pagesOf = new Int32Array(count[n]), fill = count.slice(0, n)
    for (var pg = 0; pg < decoded.length; pg++) {
      var r = decoded[pg]
      for (var q = 0; q < r.length; q += 2)
        for (var k2 = r[q]; k2 <= r[q + 1]; k2++) pagesOf[fill[k2]++] = pg
    }
    index = { pages: pages, paths: paths, lower: lower, offsets: count, pagesOf: pagesOf,
              anchors: data.anchors || {} }
    index.prepareMs = Date.now() - t0
    return index
  }

  function postings(node) {
    return index.pagesOf.subarray(index.offsets[node], index.offsets[node + 1])
  }

  function escapeHTML(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]
    })
  }

  /* Score of a page for one term: its kind, then its group. */
  function pageScore(p, t) {
    if (p.kindL === t) return 100
    if (p.kindL.startsWith(t)) return 60
    if (p.groupL === t) return 50
    if (p.kindL.indexOf(t) >= 0) return 30
    if (p.groupL.indexOf(t) >= 0) return 20
    return 0
  }

  /* Score of a field path for one term: whole path, last segments, segment start, substring. */
  function pathScore(path, t) {
    if (path === t) return 90
    var n = path.length - t.length
    if (n > 0 && path.charCodeAt(n - 1) === 46 && path.endsWith(t)) return 70  /* ".t" */
    var i = path.indexOf(t)
    if (i < 0) return 0
    if (i === 0 || path.charCodeAt(i - 1) === 46) return 40
    return t.length >= 3 ? 15 : 0
  }

  function searchIndex(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0 })
    if (!terms.length) return []
    var perPage = new Map()   /* page -> {score, terms matched, fields: Map(pid -> score)} */
    for (var ti = 0; ti < terms.length; ti++) {
      var t = terms[ti]
      var seen = new Map()
      /* kinds and groups (a term with a dot may be a group, never a kind) */
      for (var p = 0; p < index.pages.length; p++) {
        var s = pageScore(index.pages[p], t)
        if (s) seen.set(p, { score: s, fields: null })
      }
      /* field paths: best paths first, capped; a page whose kind is this term lists no
         fields for it (searching "Prometheus" should not list every prometheus* field) */
      if (t.length >= 2) {
        var hits = []
        for (var pid = 1; pid < index.lower.length; pid++) {
          if (index.offsets[pid] === index.offsets[pid + 1]) continue  /* not a field */
          var ps = pathScore(index.lower[pid], t)
          if (ps) hits.push(pid, ps)
        }
        var order = []
        for (var h = 0; h < hits.length; h += 2) order.push(h)
        order.sort(function (a, b) { return hits[b + 1] - hits[a + 1] })
        if (order.length > MAX_PATHS) order.length = MAX_PATHS
        for (var k = 0; k < order.length; k++) {
          var pid2 = hits[order[k]], sc = hits[order[k] + 1]
          var list = postings(pid2)
          for (var j = 0; j < list.length; j++) {
            var e = seen.get(list[j])
            if (!e) { e = { score: 0, fields: null, byField: true }; seen.set(list[j], e) }
            else if (!e.byField) continue
            if (!e.fields) e.fields = new Map()
            e.fields.set(pid2, sc)
            if (sc > e.score) e.score = sc
          }
        }
      }
      /* every term must match the page (its kind/group or one of its fields) */
      if (ti === 0) {
        seen.forEach(function (e, page) { perPage.set(page, { score: e.score, fields: e.fields }) })
      } else {
        perPage.forEach(function (acc, page) {
          var e = seen.get(page)
          if (!e) { perPage.delete(page); return }
          acc.score += e.score
          if (e.fields) {
            if (!acc.fields) acc.fields = e.fields
            else e.fields.forEach(function (v, key) {
              acc.fields.set(key, (acc.fields.get(key) || 0) + v)
            })
          }
        })
      }
    }
    var ranked = []
    perPage.forEach(function (acc, page) { ranked.push([page, acc]) })
    ranked.sort(function (a, b) {
      return b[1].score - a[1].score || a[0] - b[0]
    })
    if (ranked.length > MAX_PAGES) ranked.length = MAX_PAGES
    return ranked.map(function (entry) {
      var page = index.pages[entry[0]], acc = entry[1]
      var top = 1 + acc.score / 100
      var group = [{
        location: page.url,
        title: escapeHTML(page.title),
        text: "<code>" + escapeHTML(page.group + "/" + page.version) + "</code>",
        score: top, terms: {}
      }]
      if (acc.fields) {
        var fields = []
        acc.fields.forEach(function (v, pid) { fields.push([pid, v]) })
        fields.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0] })
        var best = fields.length ? fields[0][1] : 0
        fields.slice(0, MAX_FIELDS).forEach(function (f) {
          var path = index.paths[f[0]]
          var anchor = index.anchors[f[0]] || path
          group.push({
            location: page.url + "#" + anchor,
            title: "<code>" + escapeHTML(path) + "</code>",
            text: "",
            /* material shows sections scoring >= the page's score, the rest under "more" */
            score: f[1] === best ? top : top * f[1] / 100,
            terms: {}
          })
        })
      }
      return group
    })
  }

  /* for tests outside a browser (node): the index functions */
  self.__crdocSearch = { prepare: prepare, search: function (q) { return searchIndex(q) } }

  /* ------------------------------------------------------------- messages */

  /* Material sends a query on every keyup and shows whatever result comes last: a query
     that a newer one overtook while waiting is answered with nothing but skipped work. */
  var latestQuery = null

  realAdd("message", function (ev) {
    var message = ev.data
    if (message.type === QUERY) {
      latestQuery = message
      loadIndex()
    }
    materialLoaded.then(function () {
      if (message.type === SETUP) {
        /* The index is loaded at the first keystroke, not here: over http material sets the
           worker up on every page load (without navigation.instant, which the offline plugin
           rules out), and most page views never search. */
        return askMaterial(message).then(realPost)
      }
      if (message.type === QUERY) {
        return new Promise(function (r) { setTimeout(r, 0) }).then(function () {
          if (message !== latestQuery) return null
          return Promise.all([loadIndex(), askMaterial(message)])
        }).then(function (both) {
          if (!both || message !== latestQuery) return
          var t0 = Date.now()
          var ours = both[0] ? searchIndex(message.data) : []
          var theirs = both[1]
          var taken = new Set(ours.map(function (g) { return g[0].location }))
          var rest = ((theirs.data && theirs.data.items) || []).filter(function (g) {
            return !g.some(function (item) { return taken.has(item.location.split("#")[0]) })
          })
          self.__lastQueryMs = Date.now() - t0
          realPost({ type: RESULT, data: { items: ours.concat(rest),
                                           suggest: theirs.data && theirs.data.suggest } })
        })
      }
      return askMaterial(message).then(realPost)
    })
  })
})()
