/*
 * trip-map.js: the parts of a trip map that Leaflet does not have built in.
 *
 * Written for trip (not third-party code). trip/render.py embeds the trip as
 * JSON and calls these functions; every piece of user text reaches the page
 * through textContent or a DOM attribute, never as markup, so a stop
 * called "<img src=x onerror=alert(1)>" is shown as those characters.
 *
 *   TripMap.prepare(map, data)          -> ctx (shared by the layers below)
 *   TripMap.stopsLayer(ctx)             -> one GeoJSON layer of numbered stops, decluttered
 *                                          per zoom (icons fanned out, leader lines, labels placed)
 *   TripMap.routeLayer(ctx, mode)       -> the legs arriving by the given mode, with arrows
 *   TripMap.controls(ctx, options)      -> title, legend, fullscreen, minimap, story player
 */
(function () {
  "use strict";

  var STATUSES = { visited: 1, planned: 1, origin: 1 };
  var TripMap = {};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
    return node;
  }

  /* An http(s) URL, or null: the only links a map will make. */
  function safeUrl(value) {
    if (typeof value !== "string" || !value) return null;
    try {
      var url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }
  TripMap.safeUrl = safeUrl;

  function statusOf(value) {
    return STATUSES.hasOwnProperty(value) ? value : "visited";
  }

  function wrapLon(lon) {
    return ((((lon + 180) % 360) + 360) % 360) - 180;
  }

  /* Turn the compact rows trip/render.py sends into one GeoJSON FeatureCollection
     (stops) and leg objects whose lines start and end exactly at their stops. */
  TripMap.prepare = function (map, data) {
    var statuses = data.statuses || [], modes = data.modeNames || [];
    var features = [], byNumber = {};
    var rows = data.stops || [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var props = { n: r[0], p: r[3] };
      if (r[4]) props.d = r[4];
      if (r[5]) props.ds = r[5];
      props.s = statuses[r[6] || 0] || "visited";
      props.m = modes[r[7] || 0] || "unknown";
      if (r[8]) props.t = r[8];
      if (r[9]) props.src = r[9];
      if (r[10]) props.k = r[10];
      var feature = { type: "Feature", geometry: { type: "Point", coordinates: [r[1], r[2]] },
                      properties: props };
      features.push(feature);
      byNumber[r[0]] = feature;
    }
    var legs = [], rawLegs = data.legs || [];
    for (var j = 0; j < rawLegs.length; j++) {
      var g = rawLegs[j], a = byNumber[g[0]], b = byNumber[g[1]];
      if (!a || !b) continue;
      var parts = g[4];
      if (!parts) {
        var ca = a.geometry.coordinates, cb = b.geometry.coordinates;
        parts = [[[ca[1], ca[0]]].concat(g[3] || [], [[cb[1], cb[0]]])];
      }
      legs.push({ i: j + 1, a: g[0], b: g[1], km: g[2], c: parts, w: g[5] || "", v: g[6] || "",
                  m: b.properties.m, s: b.properties.s, approx: !!data.approxKm });
    }
    return { map: map, data: data, stops: { type: "FeatureCollection", features: features },
             legs: legs, byNumber: byNumber, routes: [], markers: {} };
  };

  /* ---- stops --------------------------------------------------------- */

  function stopTitle(p) {
    return p.n + ". " + p.p;
  }

  function tooltipFor(p) {
    var box = el("div", "trip-tip");
    box.appendChild(el("strong", null, stopTitle(p)));
    if (p.d) box.appendChild(el("span", "trip-tip-date", " \u2014 " + p.d));
    return box;
  }

  function popupFor(feature) {
    var p = feature.properties;
    var box = el("div", "trip-popup");
    box.appendChild(el("div", "trip-popup-title", stopTitle(p)));
    if (p.d) box.appendChild(el("div", "trip-popup-date", p.d));
    var facts = [];
    if (p.m && p.m !== "unknown") facts.push("arrived by " + p.m);
    if (p.s) facts.push(p.s);
    if (facts.length) box.appendChild(el("div", "trip-popup-facts", facts.join(" \u00b7 ")));
    if (p.t) box.appendChild(el("div", "trip-popup-note", p.t));
    var sources = p.src || [];
    if (sources.length) {
      var list = el("ul", "trip-popup-sources");
      for (var i = 0; i < sources.length; i++) {
        var title = sources[i][0], href = safeUrl(sources[i][1]);
        var item = el("li");
        if (href) {
          var a = el("a", null, title || href);
          a.href = href;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          item.appendChild(a);
        } else {
          item.textContent = title || sources[i][1] || "";
        }
        list.appendChild(item);
      }
      box.appendChild(el("div", "trip-popup-label", sources.length > 1 ? "Sources" : "Source"));
      box.appendChild(list);
    }
    var c = feature.geometry.coordinates;
    var where = c[1].toFixed(4) + ", " + wrapLon(c[0]).toFixed(4);
    if (p.k) where += " (" + p.k + ")";
    box.appendChild(el("div", "trip-popup-coords", where));
    return box;
  }
  TripMap.popupFor = popupFor;

  function stopIcon(p, showDate) {
    var root = el("div", "trip-stop-inner");
    root.setAttribute("aria-label", stopTitle(p) + (p.d ? ", " + p.d : ""));
    root.appendChild(el("span", "trip-stop-number", p.n));
    if (showDate && (p.ds || p.d)) root.appendChild(el("span", "trip-stop-date", p.ds || p.d));
    return L.divIcon({
      className: "trip-stop trip-status-" + statusOf(p.s),
      html: root,
      iconSize: [26, 26],
      iconAnchor: [13, 13],
      popupAnchor: [0, -12],
      tooltipAnchor: [12, 0]
    });
  }

  /* ---- decluttering -------------------------------------------------- */

  /* Stops a few kilometres apart share one spot at the zoom that fits a long trip.
     At every zoom level each numbered icon that would overlap one placed before it
     is moved to the nearest free spot around its true point (searched ring by ring,
     starting on the side away from the icons in its way), and a thin leader line
     and a small dot (both under every icon) show where it really is. Stops are
     placed in trip order, so the first stop of a cluster keeps its true position and the layout depends on the
     zoom alone: the same trip always looks the same. When nothing overlaps (high
     zoom), every icon sits on its true point. Date labels then take the first side
     of their icon where they cover no icon and no other label, or are left out
     (the tooltip, the popup and the icon's aria-label still give the date).

     Only the icon's offset from its point changes (its anchors and margins): the
     marker keeps its true position, so clicks report the true point, and popups,
     tooltips, keyboard focus and the DOM node stay as they were. */

  var ICON = 26, HALF = ICON / 2;    /* the icon's size in trip-map.css */
  var CLEAR = ICON + 2;              /* two icons' centres are at least this far apart in x or y */
  var MAX_RINGS = 40;  /* how far (in icons) a stop may move; beyond, icons overlap */
  var LABEL_H = 16, LABEL_GAP = 15;
  /* Where a date label may go, relative to its icon's centre, in order of preference
     (the box's left edge is given as a function of the label's width). */
  var LABEL_SPOTS = [
    function (w) { return [LABEL_GAP, -LABEL_H / 2]; },
    function (w) { return [-LABEL_GAP - w, -LABEL_H / 2]; },
    function (w) { return [LABEL_GAP, -LABEL_H - 8]; },
    function (w) { return [LABEL_GAP, 8]; },
    function (w) { return [-LABEL_GAP - w, -LABEL_H - 8]; },
    function (w) { return [-LABEL_GAP - w, 8]; },
    function (w) { return [-w / 2, -LABEL_GAP - LABEL_H]; },
    function (w) { return [-w / 2, LABEL_GAP]; }
  ];

  /* Axis-aligned boxes in buckets of CELL pixels, so a look-up reads a few buckets
     whatever the number of stops. Written without closures: it runs in the inner loop. */
  var CELL = 32, ROW = 8388608;  /* bucket key = column * ROW + row */
  function BoxGrid() { this.cells = new Map(); this.x0 = []; this.y0 = []; this.x1 = []; this.y1 = []; }
  BoxGrid.prototype.add = function (x0, y0, x1, y1) {
    var index = this.x0.length;
    this.x0.push(x0); this.y0.push(y0); this.x1.push(x1); this.y1.push(y1);
    for (var i = Math.floor(x0 / CELL), i1 = Math.floor(x1 / CELL); i <= i1; i++) {
      for (var j = Math.floor(y0 / CELL), j1 = Math.floor(y1 / CELL); j <= j1; j++) {
        var key = i * ROW + j, list = this.cells.get(key);
        if (list) list.push(index); else this.cells.set(key, [index]);
      }
    }
  };
  /* The index of a stored box that overlaps (not merely touches) the given one, or -1. */
  BoxGrid.prototype.hit = function (x0, y0, x1, y1) {
    for (var i = Math.floor(x0 / CELL), i1 = Math.floor(x1 / CELL); i <= i1; i++) {
      for (var j = Math.floor(y0 / CELL), j1 = Math.floor(y1 / CELL); j <= j1; j++) {
        var list = this.cells.get(i * ROW + j);
        if (!list) continue;
        for (var k = 0; k < list.length; k++) {
          var b = list[k];
          if (x0 < this.x1[b] && this.x0[b] < x1 && y0 < this.y1[b] && this.y0[b] < y1) return b;
        }
      }
    }
    return -1;
  };

  function iconFree(grid, x, y) {
    var h = CLEAR / 2;
    return grid.hit(x - h, y - h, x + h, y + h) < 0;
  }

  /* Spots a moved icon may take: a square lattice of icon-sized slots round its true
     point, nearest first, in groups of equal distance (one group is one "ring"). */
  var SLOTS = null;
  function slots() {
    if (SLOTS) return SLOTS;
    var r = MAX_RINGS, list = [];
    for (var i = -r; i <= r; i++) {
      for (var j = -r; j <= r; j++) {
        var d2 = i * i + j * j;
        /* Not the four slots right beside the point: there the icon in the way hides
           the whole leader line, and the reader could not tell the icon was moved. */
        if (d2 > 1 && d2 <= r * r) list.push([i * CLEAR, j * CLEAR, d2, Math.atan2(j, i)]);
      }
    }
    list.sort(function (a, b) { return a[2] - b[2] || a[3] - b[3]; });
    var groups = [0];
    for (var k = 1; k < list.length; k++) if (list[k][2] !== list[k - 1][2]) groups.push(k);
    groups.push(list.length);
    SLOTS = { list: list, groups: groups };
    return SLOTS;
  }

  /* The offset from true point p to the nearest free slot, taking from the nearest
     ring the slot that points most directly away from the icons in the way (straight
     up for a stop on the very same spot). "hints" remembers, per patch of map, the
     ring where the last search there succeeded: the next search nearby starts a
     little inside it, so a crowd of n stops costs about n look-ups each instead of
     n squared. The hint only decides where to start looking; every slot taken is
     checked to be free. */
  function freeSpot(grid, p, hints) {
    var h = CLEAR / 2, sx = 0, sy = 0, count = 0;
    var b = grid.hit(p.x - h, p.y - h, p.x + h, p.y + h);
    if (b >= 0) {
      sx = (grid.x0[b] + grid.x1[b]) / 2; sy = (grid.y0[b] + grid.y1[b]) / 2; count = 1;
    }
    var awayX = count ? p.x - sx : 0, awayY = count ? p.y - sy : 0;
    var norm = Math.sqrt(awayX * awayX + awayY * awayY);
    if (norm < 0.5) { awayX = 0; awayY = -1; } else { awayX /= norm; awayY /= norm; }
    var s = slots(), list = s.list, groups = s.groups;
    var key = Math.floor(p.x / CLEAR) * ROW + Math.floor(p.y / CLEAR);
    var g = hints.get(key) || 0;
    for (; g < groups.length - 1; g++) {
      var best = -1, bestScore = -2;
      for (var k = groups[g]; k < groups[g + 1]; k++) {
        var slot = list[k];
        if (!iconFree(grid, p.x + slot[0], p.y + slot[1])) continue;
        var score = (slot[0] * awayX + slot[1] * awayY) / Math.sqrt(slot[2]);
        if (score > bestScore + 1e-9) { best = k; bestScore = score; }
      }
      if (best >= 0) {
        /* Start the next search here three rings further in. */
        var back = g;
        while (back > 0 && list[groups[back]][2] > Math.pow(Math.max(0, Math.sqrt(list[groups[g]][2]) - 3), 2)) back--;
        hints.set(key, back);
        return [list[best][0], list[best][1]];
      }
    }
    return [0, 0];  /* nowhere free within reach: overlap rather than vanish */
  }

  function labelWidth(state) {
    if (!state.labelW) {
      /* Measured once (the text never changes); estimated while the map is hidden. */
      var measured = state.label.offsetWidth;
      if (!measured) return 8 + 6.5 * state.label.textContent.length;
      state.labelW = measured;
    }
    return state.labelW;
  }

  function declutter(map, layer) {
    var drawn = { interactive: false, smoothFactor: 0, opacity: 1, lineCap: "round" };
    var leaderLines = L.polyline([], L.extend({}, drawn, { className: "trip-leader", weight: 1.25,
                                                            color: "#1f2933", opacity: 0.9 }));
    var dotRings = L.polyline([], L.extend({}, drawn, { className: "trip-leader-dot", weight: 8, color: "#ffffff" }));
    var dotCentres = L.polyline([], L.extend({}, drawn, { className: "trip-leader-dot", weight: 5, color: "#1f2933" }));
    var leaders = L.layerGroup([leaderLines, dotRings, dotCentres]);
    var states = [];  /* per marker, in trip order: its label and current offsets */
    var laidOutAt = null;  /* the zoom of the current layout */

    function stateOf(marker) {
      if (!marker._tripLayout) {
        var node = marker.getElement();
        marker._tripLayout = { dx: 0, dy: 0, node: node,
                               label: node ? node.querySelector(".trip-stop-date") : null,
                               labelX: null, labelY: null, labelShown: true };
      }
      return marker._tripLayout;
    }

    function layout() {
      if (!map._loaded) return;
      var zoom = laidOutAt = map.getZoom();
      var markers = layer.getLayers();
      var n = markers.length, i;
      var points = new Array(n), offsets = new Array(n), waiting = [];
      var grid = new BoxGrid(), h = CLEAR / 2;
      states = new Array(n);
      for (i = 0; i < n; i++) {
        states[i] = stateOf(markers[i]);
        if (states[i].label) labelWidth(states[i]);  /* reads before any write: one reflow at most */
        var p = map.project(markers[i].getLatLng(), zoom);
        points[i] = p;
        if (iconFree(grid, p.x, p.y)) {
          grid.add(p.x - h, p.y - h, p.x + h, p.y + h);
          offsets[i] = [0, 0];
        } else {
          waiting.push(i);
        }
      }
      var hints = new Map();
      for (var w = 0; w < waiting.length; w++) {
        i = waiting[w];
        var d = freeSpot(grid, points[i], hints);
        var cx = points[i].x + d[0], cy = points[i].y + d[1];
        grid.add(cx - h, cy - h, cx + h, cy + h);
        offsets[i] = d;
      }

      var labels = new BoxGrid(), placed = new Array(n);
      for (i = 0; i < n; i++) {
        var st = states[i];
        if (!st.label) continue;
        var width = labelWidth(st), x = points[i].x + offsets[i][0], y = points[i].y + offsets[i][1];
        placed[i] = null;
        for (var s = 0; s < LABEL_SPOTS.length; s++) {
          var o = LABEL_SPOTS[s](width), x0 = x + o[0], y0 = y + o[1], x1 = x0 + width, y1 = y0 + LABEL_H;
          if (grid.hit(x0, y0, x1, y1) < 0 && labels.hit(x0, y0, x1, y1) < 0) {
            labels.add(x0, y0, x1, y1);
            placed[i] = o;
            break;
          }
        }
      }

      /* All leader lines are one SVG path and all dots two (a white ring under a dark
         centre, drawn as round caps of zero-length segments): a few hundred moved
         icons cost three elements to draw, not a few hundred. */
      var lines = [], dots = [];
      for (i = 0; i < n; i++) {
        var moved = apply(markers[i], states[i], offsets[i], placed[i]);
        if (offsets[i][0] || offsets[i][1]) {
          var at = markers[i].getLatLng();
          lines.push([at, map.unproject(points[i].add(L.point(offsets[i][0], offsets[i][1])), zoom)]);
          dots.push([at, at]);
        }
        if (moved) {
          if (markers[i].isPopupOpen()) markers[i].getPopup().update();
          if (markers[i].isTooltipOpen()) markers[i].getTooltip().update();
        }
      }
      leaderLines.setLatLngs(lines);
      dotRings.setLatLngs(dots);
      dotCentres.setLatLngs(dots);
    }

    /* Moves one icon (and its label) to the computed offset; true when the icon moved. */
    function apply(marker, st, d, labelAt) {
      var node = marker.getElement();
      var moved = st.dx !== d[0] || st.dy !== d[1];
      /* A marker taken off the map and put back gets a fresh icon element. */
      if (moved || node !== st.node) {
        st.node = node;
        st.dx = d[0];
        st.dy = d[1];
        var o = marker.options.icon.options;
        o.iconAnchor = [HALF - d[0], HALF - d[1]];
        o.popupAnchor = [d[0], d[1] - 12];
        o.tooltipAnchor = [d[0] + 12, d[1]];
        if (node) {
          node.style.marginLeft = (d[0] - HALF) + "px";
          node.style.marginTop = (d[1] - HALF) + "px";
          L.DomUtil[d[0] || d[1] ? "addClass" : "removeClass"](node, "trip-stop-fanned");
        }
      }
      if (st.label) {
        var shown = !!labelAt;
        if (shown !== st.labelShown) {
          L.DomUtil[shown ? "removeClass" : "addClass"](st.label, "trip-stop-date-hidden");
          st.labelShown = shown;
        }
        if (shown && (labelAt[0] !== st.labelX || labelAt[1] !== st.labelY)) {
          st.labelX = labelAt[0];
          st.labelY = labelAt[1];
          st.label.style.left = (HALF + labelAt[0]) + "px";
          st.label.style.top = (HALF + labelAt[1]) + "px";
        }
      }
      return moved;
    }

    function layoutIfStale() {
      if (laidOutAt !== map.getZoom()) layout();
    }
    layer.on("add", function () {
      leaders.addTo(map);
      map.on("zoomend", layout);
      /* The page's fitBounds, run right after the layers are added, usually changes the
         zoom and so lays the map out (synchronously, with zoom animation off); this
         catches a map that keeps its first zoom, still before the first frame is painted. */
      L.Util.requestAnimFrame(function () { map.whenReady(layoutIfStale); });
    });
    layer.on("remove", function () {
      map.off("zoomend", layout);
      map.removeLayer(leaders);
      laidOutAt = null;
    });
  }

  TripMap.stopsLayer = function (ctx) {
    var data = ctx.data;
    var numbered = data.numbered !== false;
    var showDates = !!data.dateLabels;
    var canvas = numbered ? null : L.canvas({ padding: 0.3 });
    var layer = L.geoJSON(ctx.stops, {
      pointToLayer: function (feature, latlng) {
        var p = feature.properties;
        if (numbered) {
          /* Above the direction arrows, which are markers too. */
          return L.marker(latlng, { icon: stopIcon(p, showDates), riseOnHover: true, keyboard: true,
                                    alt: stopTitle(p), zIndexOffset: 10000 });
        }
        return L.circleMarker(latlng, { renderer: canvas, radius: 5, weight: 1.5,
                                        className: "trip-dot trip-status-" + statusOf(p.s),
                                        color: "#1f2933", fillColor: p.s === "planned" ? "#ffffff" : "#1f2933",
                                        fillOpacity: 0.9 });
      },
      onEachFeature: function (feature, layer) {
        ctx.markers[feature.properties.n] = layer;  /* the story player opens its popup */
        layer.bindTooltip(function () { return tooltipFor(feature.properties); }, { direction: "right" });
        /* Pan far enough that the title box (top right) does not cover the popup. */
        layer.bindPopup(function () { return popupFor(feature); },
                        { maxWidth: 320, autoPanPaddingTopLeft: [20, 110], autoPanPaddingBottomRight: [20, 20] });
      }
    });
    if (numbered) declutter(ctx.map, layer);
    return layer;
  };

  /* ---- route --------------------------------------------------------- */

  function legTooltip(ctx, leg) {
    var a = ctx.byNumber[leg.a], b = ctx.byNumber[leg.b];
    var box = el("div", "trip-tip");
    box.appendChild(el("strong", null, "Leg " + leg.i));
    var names = (a ? a.properties.p : "stop " + leg.a) + " \u2192 " + (b ? b.properties.p : "stop " + leg.b);
    box.appendChild(el("div", null, names));
    var facts = [];
    if (leg.m && leg.m !== "unknown") facts.push(leg.m);
    if (leg.s) facts.push(leg.s);
    if (typeof leg.km === "number") facts.push((leg.approx ? "\u2248 " : "") + Math.round(leg.km).toLocaleString("en") + " km");
    if (leg.v) facts.push(leg.v);  /* the speed range the dates allow, e.g. "7.9–24 km/h" */
    box.appendChild(el("div", null, facts.join(" \u00b7 ")));
    if (leg.w) box.appendChild(el("div", "trip-tip-warning", leg.w));
    return box;
  }

  /* The point half-way along a leg and the direction the traveller goes there. */
  function midArrow(parts) {
    var longest = parts[0];
    for (var i = 1; i < parts.length; i++) if (parts[i].length > longest.length) longest = parts[i];
    if (longest.length < 2) return null;
    var k = Math.max(0, Math.floor((longest.length - 1) / 2));
    var p = longest[k], q = longest[Math.min(k + 1, longest.length - 1)];
    if (longest.length === 2) {
      var mid = [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2];
      return { at: mid, from: p, to: q };
    }
    return { at: p, from: p, to: q };
  }

  TripMap.routeLayer = function (ctx, mode) {
    var map = ctx.map, data = ctx.data;
    var style = (data.styles && data.styles[mode]) || { color: "#555555", weight: 3 };
    var group = L.featureGroup();
    var arrows = L.layerGroup().addTo(group);
    var legs = [];
    var all = ctx.legs;
    for (var i = 0; i < all.length; i++) {
      var leg = all[i];
      if (leg.m !== mode) continue;
      var planned = statusOf(leg.s) === "planned";
      var line = L.polyline(leg.c, {
        color: leg.w ? (data.warningColor || "#d7301f") : style.color,
        weight: style.weight || 3,
        opacity: 0.85,
        dashArray: planned ? (data.plannedDash || "8 8") : null,
        className: "trip-leg trip-mode-" + mode + (planned ? " trip-planned" : ""),
        interactive: true
      });
      (function (leg) {
        line.bindTooltip(function () { return legTooltip(ctx, leg); }, { sticky: true });
      })(leg);
      line.addTo(group);
      leg.line = line;  /* the story player restyles it */
      legs.push({ leg: leg, arrow: midArrow(leg.c), color: line.options.color });
    }

    /* Arrows are redrawn per zoom level and only on legs long enough to show one,
       so a long trip does not bury the map in arrowheads. */
    function drawArrows() {
      arrows.clearLayers();
      if (!map._loaded) return;
      var budget = data.maxArrows || 2000;
      for (var j = 0; j < legs.length && budget > 0; j++) {
        var arrow = legs[j].arrow;
        if (!arrow) continue;
        var leg = legs[j].leg;
        var a = map.latLngToLayerPoint(leg.c[0][0]);
        var lastPart = leg.c[leg.c.length - 1];
        var b = map.latLngToLayerPoint(lastPart[lastPart.length - 1]);
        if (leg.c.length === 1 && a.distanceTo(b) < 40) continue;
        var p = map.latLngToLayerPoint(arrow.from), q = map.latLngToLayerPoint(arrow.to);
        var angle = Math.atan2(q.y - p.y, q.x - p.x) * 180 / Math.PI;
        var head = el("div", "trip-arrow-head");
        head.style.transform = "rotate(" + angle.toFixed(1) + "deg)";
        head.style.borderLeftColor = legs[j].color;
        arrows.addLayer(L.marker(arrow.at, {
          icon: L.divIcon({ className: "trip-arrow", html: head, iconSize: [14, 14], iconAnchor: [7, 7] }),
          interactive: false, keyboard: false
        }));
        budget--;
      }
    }
    group.on("add", function () { map.on("zoomend", drawArrows); map.whenReady(drawArrows); });
    group.on("remove", function () { map.off("zoomend", drawArrows); });
    ctx.routes.push(group);
    return group;
  };

  /* ---- controls ------------------------------------------------------ */

  var Title = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      var box = el("div", "trip-title");
      box.appendChild(el("div", "trip-title-main", this.options.title));
      if (this.options.subtitle) box.appendChild(el("div", "trip-title-sub", this.options.subtitle));
      L.DomEvent.disableClickPropagation(box);
      return box;
    }
  });

  var Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd: function () {
      var o = this.options, box = el("div", "trip-legend leaflet-bar");
      box.appendChild(el("div", "trip-legend-title", "Legend"));
      for (var i = 0; i < o.modes.length; i++) {
        var m = o.modes[i], style = o.styles[m] || {};
        var row = el("div", "trip-legend-row");
        var swatch = el("span", "trip-legend-line");
        swatch.style.borderTopColor = style.color || "#555";
        swatch.style.borderTopWidth = (style.weight || 3) + "px";
        row.appendChild(swatch);
        row.appendChild(el("span", null, style.label || m));
        box.appendChild(row);
      }
      var solid = el("div", "trip-legend-row");
      var s1 = el("span", "trip-legend-line");
      solid.appendChild(s1);
      solid.appendChild(el("span", null, "visited (solid)"));
      var dashed = el("div", "trip-legend-row");
      var s2 = el("span", "trip-legend-line trip-legend-dashed");
      dashed.appendChild(s2);
      dashed.appendChild(el("span", null, "planned (dashed)"));
      box.appendChild(solid);
      box.appendChild(dashed);
      var stops = el("div", "trip-legend-row");
      var dot = el("span", "trip-legend-stop", "1");
      stops.appendChild(dot);
      stops.appendChild(el("span", null, "stop, numbered in order"));
      box.appendChild(stops);
      if (o.hasWarnings) {
        var warn = el("div", "trip-legend-row");
        var s3 = el("span", "trip-legend-line");
        s3.style.borderTopColor = o.warningColor || "#d7301f";
        warn.appendChild(s3);
        warn.appendChild(el("span", null, "implausibly fast leg"));
        box.appendChild(warn);
      }
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    }
  });

  var Fullscreen = L.Control.extend({
    options: { position: "topleft" },
    onAdd: function (map) {
      var bar = el("div", "leaflet-bar trip-fullscreen-control");
      var button = el("a", "trip-fullscreen-button");
      button.appendChild(el("span", "trip-fullscreen-icon"));
      button.href = "#";
      button.title = "Full screen";
      button.setAttribute("role", "button");
      button.setAttribute("aria-label", "Toggle full screen");
      bar.appendChild(button);
      var container = map.getContainer();
      function isFull() {
        return document.fullscreenElement === container || L.DomUtil.hasClass(container, "trip-pseudo-fullscreen");
      }
      L.DomEvent.on(button, "click", function (e) {
        L.DomEvent.preventDefault(e);
        if (isFull()) {
          if (document.fullscreenElement === container && document.exitFullscreen) document.exitFullscreen();
          L.DomUtil.removeClass(container, "trip-pseudo-fullscreen");
        } else if (container.requestFullscreen) {
          /* Inside an iframe without allowfullscreen the request fails; fill the frame instead. */
          container.requestFullscreen().catch(function () {
            L.DomUtil.addClass(container, "trip-pseudo-fullscreen");
            map.invalidateSize();
          });
        } else {
          L.DomUtil.addClass(container, "trip-pseudo-fullscreen");
        }
        setTimeout(function () { map.invalidateSize(); }, 200);
      });
      L.DomEvent.disableClickPropagation(bar);
      return bar;
    }
  });

  var MiniMap = L.Control.extend({
    options: { position: "bottomleft", width: 160, height: 120 },
    onAdd: function (main) {
      var o = this.options, box = el("div", "trip-minimap leaflet-bar");
      box.style.width = o.width + "px";
      box.style.height = o.height + "px";
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      var self = this;
      setTimeout(function () { self._build(main, box); }, 0);
      return box;
    },
    _build: function (main, box) {
      var o = this.options;
      var mini = L.map(box, { attributionControl: false, zoomControl: false, dragging: false,
                              scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false,
                              keyboard: false, touchZoom: false });
      if (o.tiles && o.tiles.url) L.tileLayer(o.tiles.url, o.tiles.options || {}).addTo(mini);
      if (o.line && o.line.length > 1) {
        L.polyline(o.line, { color: "#3b4a5a", weight: 1.5, opacity: 0.9, interactive: false }).addTo(mini);
      }
      var view = L.rectangle(main.getBounds(), { color: "#d7301f", weight: 1.5, fillOpacity: 0.08,
                                                 interactive: false }).addTo(mini);
      function sync() {
        var zoom = Math.max(0, main.getZoom() - (o.zoomOffset || 5));
        mini.setView(main.getCenter(), zoom, { animate: false });
        view.setBounds(main.getBounds());
      }
      main.on("moveend zoomend resize", sync);
      mini.on("click", function (e) { main.panTo(e.latlng); });
      mini.invalidateSize();
      sync();
    }
  });


  /* ---- story player -------------------------------------------------- */

  /* Tells the trip stop by stop, as a slide show would, but from the trip itself and
     offline: each step flies to the leg just travelled and its stop, opens the stop's
     popup, and draws earlier legs as travelled and later ones faded. Stops with no
     coordinates cannot be shown; they are skipped but named in the readout, so
     "Stop 5 of 7" still counts every stop of the trip. */

  var FADED = 0.2, TRAVELLED = 0.95, NORMAL = 0.85;  /* NORMAL: routeLayer's opacity */
  /* Room kept clear of the title (top right), the legend and this player (bottom);
     at the top also room for the popup, which opens above its stop. */
  var STEP_FIT = { paddingTopLeft: [50, 90], paddingBottomRight: [50, 110], maxZoom: 10 };
  var NARROWEST = 340;  /* px: below this between legend and minimap, the bar moves up */

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  /* Fly there, or jump when the reader asked for less motion. A jump asked for while
     Leaflet is still zooming (the page's first fitBounds) would be dropped: it waits. */
  function moveTo(map, bounds, fit) {
    if (!reducedMotion()) {
      map.flyToBounds(bounds, L.extend({ duration: 1.2 }, fit));
    } else if (map._animatingZoom) {
      map.once("zoomend", function () { map.fitBounds(bounds, L.extend({ animate: false }, fit)); });
    } else {
      map.fitBounds(bounds, L.extend({ animate: false }, fit));
    }
  }

  /* Leaflet has no bottom-centre corner; add one beside its own four. */
  function bottomCentre(map) {
    var corners = map._controlCorners;
    if (!corners.bottomcentre) {
      corners.bottomcentre = L.DomUtil.create("div", "leaflet-bottom trip-bottom-centre", map._controlContainer);
    }
  }

  function button(text, label, className) {
    var b = el("button", "trip-story-button " + className, text);
    b.type = "button";
    b.title = label;
    b.setAttribute("aria-label", label);
    return b;
  }

  var Story = L.Control.extend({
    options: { position: "bottomcentre", total: 0, missing: [], interval: 2500 },

    initialize: function (ctx, options) {
      L.setOptions(this, options);
      this._ctx = ctx;
      this._stops = ctx.stops.features;  /* trip order; only stops with coordinates */
      this._legTo = {};
      for (var i = 0; i < ctx.legs.length; i++) this._legTo[ctx.legs[i].b] = ctx.legs[i];
      this._index = -1;                  /* -1: the whole trip */
      this._timer = null;
    },

    onAdd: function (map) {
      var box = el("div", "trip-story leaflet-bar");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "Trip story: step through the stops");
      this._prev = button("\u25c0", "Previous stop", "trip-story-prev");
      this._play = button("Play", "Play the trip stop by stop", "trip-story-play");
      this._next = button("\u25b6", "Next stop", "trip-story-next");
      var readout = el("div", "trip-story-readout");
      readout.setAttribute("aria-live", "polite");
      this._text = el("div", "trip-story-text");
      this._note = el("div", "trip-story-note");
      readout.appendChild(this._text);
      readout.appendChild(this._note);
      this._whole = button("Whole trip", "Show the whole trip", "trip-story-whole");
      box.appendChild(this._prev);
      box.appendChild(this._play);
      box.appendChild(this._next);
      box.appendChild(readout);
      box.appendChild(this._whole);
      var self = this;
      L.DomEvent.on(this._prev, "click", function () { self._pause(); self.go(self._index - 1); });
      L.DomEvent.on(this._next, "click", function () { self._pause(); self.go(self._index + 1); });
      L.DomEvent.on(this._whole, "click", function () { self._pause(); self.go(-1); });
      L.DomEvent.on(this._play, "click", function () { self._playing() ? self._pause() : self._start(); });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);

      /* Left/right step through the stops while the map (or anything in it but a form
         field) has focus; Leaflet would pan. Shift+arrows still pan. Caught on the way
         down, before the map's own keyboard handler sees the key. */
      var container = map.getContainer();
      this._onKey = function (e) {
        if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
        if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
        var t = e.target;
        if (!t || !container.contains(t) || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName) || t.isContentEditable) return;
        L.DomEvent.stop(e);
        self._pause();
        self.go(self._index + (e.key === "ArrowLeft" ? -1 : 1));
      };
      document.addEventListener("keydown", this._onKey, true);

      this._box = box;
      this._fitWidth = function () { self._keepClear(map); };
      map.on("resize", this._fitWidth);
      setTimeout(this._fitWidth, 0);  /* after the minimap and the footer have their size */
      this._footer = document.getElementById("trip-provenance-footer");
      if (this._footer) this._footer.addEventListener("toggle", this._fitWidth, true);
      this._show();
      return box;
    },

    onRemove: function (map) {
      this._pause();
      document.removeEventListener("keydown", this._onKey, true);
      map.off("resize", this._fitWidth);
      if (this._footer) this._footer.removeEventListener("toggle", this._fitWidth, true);
    },

    /* Keep the bar between the legend and the minimap (the readout gives way, with an
       ellipsis); where the gap is too narrow for a readable readout, stand above them. */
    _keepClear: function (map) {
      var container = map.getContainer(), m = container.getBoundingClientRect();
      var side = 0, above = 0;
      var others = container.querySelectorAll(".trip-legend, .trip-minimap");
      for (var i = 0; i < others.length; i++) {
        side = Math.max(side, others[i].offsetWidth + 20);
        above = Math.max(above, m.bottom - others[i].getBoundingClientRect().top);
      }
      var gap = container.clientWidth - 2 * side - 16, lift = 0;
      if (gap < NARROWEST) {
        gap = container.clientWidth - 20;
        lift = above - 6;  /* the control's own 10 px margin is below it */
      }
      this._box.style.maxWidth = Math.max(180, gap) + "px";
      /* The exported page's provenance footer (trip/formats/html.py) is fixed at the
         bottom centre too, and grows when opened: stand just above it. */
      var footer = document.getElementById("trip-provenance-footer");
      if (footer) {
        var f = footer.getBoundingClientRect();
        if (f.height && f.top < m.bottom && f.bottom > m.top) lift = Math.max(lift, m.bottom - f.top - 4);
      }
      var corner = this._box.parentNode;
      if (corner) corner.style.bottom = lift > 14 ? lift + "px" : "";
    },

    /* Step to stop index i (into the located stops), or -1 for the whole trip. */
    go: function (i) {
      var last = this._stops.length - 1;
      i = Math.max(-1, Math.min(last, i));
      this._index = i;
      if (i < 0) this._wholeView(); else this._visit(this._stops[i]);
      this._restyle();
      this._show();
    },

    _visit: function (feature) {
      var map = this._map, n = feature.properties.n, c = feature.geometry.coordinates;
      var bounds = L.latLngBounds([[c[1], c[0]]]);
      var leg = this._legTo[n];
      if (leg) {
        for (var i = 0; i < leg.c.length; i++) {
          for (var j = 0; j < leg.c[i].length; j++) bounds.extend(leg.c[i][j]);
        }
      }
      /* The popup opens first (without panning) so the view can leave room for it:
         panning for it after the flight would push the leg out of sight. */
      var marker = this._ctx.markers[n], room = [0, 0];
      if (marker && marker._map && marker.getPopup()) {
        var popup = marker.getPopup(), autoPan = popup.options.autoPan;
        popup.options.autoPan = false;
        marker.openPopup();
        popup.options.autoPan = autoPan;
        var node = popup.getElement();
        if (node) room = [node.offsetWidth / 2, node.offsetHeight];
      }
      var size = map.getSize();
      var side = Math.min(Math.max(STEP_FIT.paddingTopLeft[0], room[0] + 10), size.x * 0.35);
      var top = Math.min(Math.max(STEP_FIT.paddingTopLeft[1], room[1] + 90), size.y * 0.65);
      /* Below: clear of this bar, wherever _keepClear put it. */
      var bar = this._box.getBoundingClientRect(), box = map.getContainer().getBoundingClientRect();
      var bottom = Math.min(Math.max(30, box.bottom - bar.top + 20), size.y * 0.5);
      top = Math.max(STEP_FIT.paddingTopLeft[1] / 2, Math.min(top, size.y * 0.9 - bottom));
      var fit = { paddingTopLeft: [side, top], paddingBottomRight: [side, bottom], maxZoom: STEP_FIT.maxZoom };
      moveTo(map, bounds, fit);
    },

    _wholeView: function () {
      var map = this._map, b = this._ctx.data.bounds;
      map.closePopup();
      if (!b) return;
      var pad = b[0][0] === b[1][0] && b[0][1] === b[1][1] ? 0.05 : 0;
      var bounds = L.latLngBounds([b[0][0] - pad, b[0][1] - pad], [b[1][0] + pad, b[1][1] + pad]);
      /* The same view as the page's first one (render_map's fit_bounds). */
      var fit = { paddingTopLeft: [40, 70], paddingBottomRight: [40, 50], maxZoom: 12 };
      moveTo(map, bounds, fit);
    },

    /* Legs up to the current stop as travelled, the rest faded; all as drawn for the whole trip. */
    _restyle: function () {
      var legs = this._ctx.legs, here = this._index < 0 ? null : this._stops[this._index].properties.n;
      for (var i = 0; i < legs.length; i++) {
        var leg = legs[i], line = leg.line;
        if (!line) continue;
        var state = here === null ? "" : leg.b <= here ? "travelled" : "faded";
        if (leg.story === state) continue;
        leg.story = state;
        line.setStyle({ opacity: state === "faded" ? FADED : state === "travelled" ? TRAVELLED : NORMAL });
        var path = line.getElement && line.getElement();
        if (path) {
          L.DomUtil[state === "travelled" ? "addClass" : "removeClass"](path, "trip-leg-travelled");
          L.DomUtil[state === "faded" ? "addClass" : "removeClass"](path, "trip-leg-faded");
        }
      }
    },

    /* The stops with no coordinates passed over on the way to stop index i. */
    _skipped: function (i) {
      var n = this._stops[i].properties.n;
      var before = i > 0 ? this._stops[i - 1].properties.n : 0;
      var isLast = i === this._stops.length - 1;  /* the last also owns those after it */
      var found = [], missing = this.options.missing || [];
      for (var k = 0; k < missing.length; k++) {
        var m = missing[k][0];
        if ((m > before && m < n) || (isLast && m > n)) found.push(missing[k]);
      }
      return found;
    },

    _show: function () {
      var total = this.options.total || this._stops.length, i = this._index, last = this._stops.length - 1;
      var text, note = "";
      if (i < 0) {
        text = "Whole trip \u00b7 " + total + " stop" + (total === 1 ? "" : "s");
        var unplaced = (this.options.missing || []).length;
        if (unplaced) note = unplaced + " with no location";
      } else {
        var p = this._stops[i].properties;
        text = "Stop " + p.n + " of " + total + (p.d ? " \u00b7 " + p.d : "") + " \u00b7 " + p.p;
        var skipped = this._skipped(i);
        if (skipped.length === 1) {
          note = "Skipped stop " + skipped[0][0] + " of " + total + " (" + skipped[0][1] + ") \u2014 no location";
        } else if (skipped.length > 1) {
          var numbers = [];
          for (var k = 0; k < skipped.length; k++) numbers.push(skipped[k][0]);
          note = "Skipped stops " + numbers.join(", ") + " of " + total + " \u2014 no location";
        }
      }
      this._text.textContent = text;
      this._text.title = text;
      this._note.textContent = note;
      this._note.title = note;
      this._note.style.display = note ? "" : "none";
      this._prev.disabled = i < 0;
      this._next.disabled = i >= last;
      this._whole.disabled = i < 0;
      var playing = this._playing();
      this._play.textContent = playing ? "Pause" : "Play";
      this._play.setAttribute("aria-label", playing ? "Pause the trip" : "Play the trip stop by stop");
      this._play.title = this._play.getAttribute("aria-label");
      this._play.setAttribute("aria-pressed", playing ? "true" : "false");
    },

    _playing: function () {
      return !!this._isPlaying;
    },

    /* Play from the next stop (from the first when at the last) and stop at the end. */
    _start: function () {
      var self = this, last = this._stops.length - 1;
      var wait = Math.max(200, this.options.interval || 2500);
      if (this._index >= last) this._index = -1;
      this._isPlaying = true;
      function tick() {
        self._timer = null;
        if (!self._isPlaying) return;
        self.go(self._index + 1);
        if (self._index >= last) self._pause(); else self._timer = setTimeout(tick, wait);
      }
      tick();
    },

    _pause: function () {
      this._isPlaying = false;
      if (this._timer !== null) clearTimeout(this._timer);
      this._timer = null;
      if (this._box) this._show();
    }
  });
  TripMap.Story = Story;

  TripMap.controls = function (ctx, options) {
    var map = ctx.map, data = ctx.data;
    if (options.title) new Title({ title: options.title, subtitle: options.subtitle }).addTo(map);
    if (options.legend) {
      new Legend({ modes: data.modes || [], styles: data.styles || {}, hasWarnings: !!data.hasWarnings,
                   warningColor: data.warningColor }).addTo(map);
    }
    if (options.fullscreen) new Fullscreen().addTo(map);
    if (options.minimap) {
      new MiniMap({ tiles: options.minimap.tiles, line: options.minimap.line,
                    zoomOffset: options.minimap.zoomOffset }).addTo(map);
    }
    if (options.story && ctx.stops.features.length) {
      bottomCentre(map);
      ctx.story = new Story(ctx, options.story).addTo(map);
    }
  };

  window.TripMap = TripMap;
})();
