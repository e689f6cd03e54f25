/* The maps' own script (mobility.viz.maps): draws the embedded data, places the labels, fits the
   theatre beside the panels, prints, and runs the time slider. No third-party code but
   Leaflet; every HTML string in `data` was escaped in Python. */
function mobilityClosureMap(map, layers, data) {
  "use strict";
  data.panes.forEach(function (pane) {
    map.createPane(pane[0]).style.zIndex = String(pane[1]);
  });
  map.attributionControl.setPrefix(data.attribution);
  if (window.self !== window.top) {
    document.documentElement.classList.add("mobility-embedded");
  }
  map.options.zoomSnap = 0.25;
  map.options.zoomDelta = 0.5;
  map.setMinZoom(data.zoom_range[0]);
  map.setMaxZoom(data.zoom_range[1]);
  map.setMaxBounds(L.latLngBounds(data.max_bounds));

  function control(position, className, contentHtml) {
    var Box = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "mobility-box " + className);
        div.innerHTML = contentHtml;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    var box = new Box({position: position});
    box.addTo(map);
    return box.getContainer();
  }

  // the gradients the basemap's fading edge is filled with (mobility.viz.maps.fade_frame)
  function addFadeGradients(path, colour) {
    var svg = map.getRenderer(path)._container;
    var defs = L.SVG.create("defs");
    // side: x1, y1 → x2, y2 in the strip's box, from opaque at the edge to clear
    [["n", 0, 0, 0, 1], ["s", 0, 1, 0, 0], ["e", 1, 0, 0, 0], ["w", 0, 0, 1, 0]]
      .forEach(function (side) {
        var gradient = L.SVG.create("linearGradient");
        gradient.setAttribute("id", "mobility-fade-" + side[0]);
        ["x1", "y1", "x2", "y2"].forEach(function (name, k) {
          gradient.setAttribute(name, String(side[k + 1]));
        });
        [[0, 1], [1, 0]].forEach(function (stop) {
          var element = L.SVG.create("stop");
          element.setAttribute("offset", String(stop[0]));
          element.setAttribute("stop-color", colour);
          element.setAttribute("stop-opacity", String(stop[1]));
          gradient.appendChild(element);
        });
        defs.appendChild(gradient);
      });
    svg.insertBefore(defs, svg.firstChild);
  }
  data.basemap.forEach(function (item) {
    var geo = L.geoJSON(item.geojson, {
      interactive: false, pane: item.style.pane,
      style: function (feature) {
        return Object.assign({}, item.style, (feature.properties || {}).style || {});
      }
    }).addTo(layers[item.layer]);
    if (item.fade) { addFadeGradients(geo.getLayers()[0], item.style.fadeColour); }
  });
  data.areas.forEach(function (area) {
    L.geoJSON(area.geojson, {style: area.style, pane: area.style.pane})
      .bindTooltip(area.tooltip, {sticky: true}).addTo(layers[area.layer]);
  });
  data.lines.forEach(function (line) {
    L.polyline(line.coords, line.style)
      .bindTooltip(line.tooltip, {sticky: true}).bindPopup(line.tooltip)
      .addTo(layers[line.layer]);
  });
  var pointByNode = {};
  data.points.forEach(function (point) {
    var marker = L.circleMarker(point.latlon, point.style)
      .bindTooltip(point.tooltip).bindPopup(point.tooltip).addTo(layers[point.layer]);
    if (point.node) { pointByNode[point.node] = {marker: marker, tooltip: point.tooltip}; }
  });
  var badges = data.ranks.map(function (rank) {
    var marker = L.marker(rank.latlon, {
      pane: "mobility-labels", keyboard: false, zIndexOffset: 1000,
      // rank.colour is a #rrggbb checked in Python; rank.rank a number
      icon: L.divIcon({className: "mobility-rank", iconSize: null,
                       html: "<span style='background:" + rank.colour + "'>" + rank.rank +
                             "</span>"})
    }).bindTooltip(rank.tooltip).bindPopup(rank.tooltip).addTo(layers[rank.layer]);
    marker.rank = rank.rank;
    return marker;
  });
  var BADGE_HALF_PX = 11;
  // badges by rank (stable: the bottlenecks' before an analysis layer's of the same rank)
  var badgeOrder = badges.slice().sort(function (a, b) { return a.rank - b.rank; });

  // --- badges: placed by rank; one that would overlap a better-ranked badge is hidden at
  // this zoom (the title panel still lists it, and it shows again when zoomed in)
  function layoutBadges() {
    var placed = [];
    badgeOrder.forEach(function (badge) {
      var element = badge.getElement();
      if (!element || !map.hasLayer(badge)) { return; }
      element.style.display = "";
      var r = element.firstChild.getBoundingClientRect();
      var box = [r.left - 1, r.top - 1, r.right + 1, r.bottom + 1];
      var free = placed.every(function (other) { return !overlaps(box, other); });
      element.style.display = free ? "" : "none";
      if (free) { placed.push(box); }
    });
  }

  // --- labels: placed in priority order beside their point, never over another label or
  // another labelled point; a label that finds no free place, or whose zoom has not come,
  // is hidden. Relative screen positions only change with the zoom, so this runs on zoomend.
  function labelMarker(latlon, className, html, layer) {
    var marker = L.marker(latlon, {
      pane: "mobility-labels", interactive: false, keyboard: false,
      icon: L.divIcon({className: "mobility-label " + className, html: html, iconSize: null})
    }).addTo(layer);
    return marker;
  }
  var labels = data.place_labels.map(function (label) {
    var marker = labelMarker(label.latlon, "mobility-place",
      "<span class='" + label.css + "'>" + label.html + "</span>", layers.labels);
    return {latlon: label.latlon, radius: label.radius, minZoom: label.min_zoom,
            layer: layers.labels, marker: marker, centred: false};
  });
  var labelByNode = {};
  data.place_labels.forEach(function (label, k) { labelByNode[label.node] = labels[k]; });
  data.labels.forEach(function (label) {
    labels.push({latlon: label.latlon, radius: 0, minZoom: 0, layer: layers.basemap,
                 marker: labelMarker(label.latlon, "mobility-country",
                                     "<span>" + label.html + "</span>", layers.basemap),
                 centred: true});
  });

  function overlaps(a, b) {
    return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  }
  function layoutLabels() {
    layoutBadges();
    var zoom = map.getZoom();
    var shown = labels.filter(function (label) {
      var element = label.marker.getElement();
      if (!element || !map.hasLayer(label.layer)) { return false; }
      var visible = zoom >= label.minZoom;
      element.style.display = visible ? "" : "none";
      label.point = map.latLngToContainerPoint(label.latlon);
      return visible;
    });
    var taken = shown.filter(function (label) { return label.radius > 0; })
      .map(function (label) {
        var p = label.point, r = label.radius;
        return [p.x - r, p.y - r, p.x + r, p.y + r];
      });
    // the panels: a label under one could not be read
    var origin = map.getContainer().getBoundingClientRect();
    map.getContainer().querySelectorAll(".leaflet-control").forEach(function (panel) {
      var rect = panel.getBoundingClientRect();
      if (rect.width > 0) {
        taken.push([rect.left - origin.left, rect.top - origin.top,
                    rect.right - origin.left, rect.bottom - origin.top]);
      }
    });
    badges.forEach(function (badge) {
      var element = badge.getElement();
      if (!map.hasLayer(badge) || !element || element.style.display === "none") { return; }
      var p = map.latLngToContainerPoint(badge.getLatLng()), r = BADGE_HALF_PX;
      taken.push([p.x - r, p.y - r, p.x + r, p.y + r]);
    });
    shown.forEach(function (label) {
      var element = label.marker.getElement();
      var span = element.firstChild;
      var w = span.offsetWidth, h = span.offsetHeight, r = label.radius + 2, p = label.point;
      var offsets = [[-w / 2, -h / 2]];
      if (!label.centred) {
        // beside the point, then diagonally, then a ring further out (past a badge)
        offsets = [];
        [r, r + 2 * BADGE_HALF_PX].forEach(function (d) {
          offsets.push([d, -h / 2], [-d - w, -h / 2], [-w / 2, -d - h], [-w / 2, d],
                       [d - 2, -d - h + 2], [d - 2, d - 2], [-d - w + 2, -d - h + 2],
                       [-d - w + 2, d - 2]);
        });
      }
      var own = [p.x - label.radius, p.y - label.radius, p.x + label.radius, p.y + label.radius];
      for (var k = 0; k < offsets.length; k++) {
        var box = [p.x + offsets[k][0], p.y + offsets[k][1],
                   p.x + offsets[k][0] + w, p.y + offsets[k][1] + h];
        var free = taken.every(function (other) {
          return (other[0] === own[0] && other[1] === own[1]) || !overlaps(box, other);
        });
        if (free) {
          taken.push(box);
          // the span's box is placed relative to the marker's point (its top-left corner)
          span.style.transform = label.centred ? "translate(-50%, -50%)" :
            "translate(" + offsets[k][0] + "px, " + offsets[k][1] + "px)";
          element.style.visibility = "";
          return;
        }
      }
      element.style.visibility = "hidden";
    });
  }
  map.on("zoomend viewreset overlayadd overlayremove", layoutLabels);

  L.control.scale({metric: true, imperial: false, position: "bottomleft"}).addTo(map);
  control("topleft", "mobility-title", data.briefing_html);
  control("bottomright", "mobility-legend", data.legend_html);

  // --- fitting the theatre beside the panels (they sit in the left and right columns)
  var userMoved = false;
  function sideWidth(side) {
    var width = 0;
    map.getContainer().querySelectorAll(".leaflet-" + side + " .leaflet-control")
      .forEach(function (element) { width = Math.max(width, element.offsetWidth + 10); });
    return width;
  }
  function fitTheatre(options) {
    var size = map.getSize();
    var left = sideWidth("left"), right = sideWidth("right");
    var padding = {paddingTopLeft: [left + 6, 6], paddingBottomRight: [right + 6, 6]};
    if (options && options.noPanels) {
      padding = {padding: [6, 6]};
    } else if (size.x - left - right < 0.35 * size.x) {
      padding = {padding: [6, 6]};  // a narrow window: the panels may cover the theatre
    }
    map.fitBounds(data.theatre, Object.assign({animate: false}, padding));
    layoutLabels();
  }
  map.on("dragstart zoomstart", function (event) {
    if (!fitting) { userMoved = true; }
    return event;
  });
  var fitting = true;
  fitTheatre();
  fitting = false;
  map.on("resize", function () {
    if (!userMoved) { fitting = true; fitTheatre(); fitting = false; }
  });

  // --- printing: refit to the printed size with the theatre filling the page
  var savedView = null;
  function preparePrint() {
    if (savedView) { return; }
    savedView = {center: map.getCenter(), zoom: map.getZoom()};
    document.documentElement.classList.add("mobility-printing");
    map.getContainer().querySelectorAll("details.mobility-collapsible")
      .forEach(function (element) { element.open = true; });
    fitting = true;
    map.invalidateSize({animate: false, pan: false});
    fitTheatre();
    fitting = false;
  }
  function finishPrint() {
    if (!savedView) { return; }
    document.documentElement.classList.remove("mobility-printing");
    fitting = true;
    map.invalidateSize({animate: false, pan: false});
    map.setView(savedView.center, savedView.zoom, {animate: false});
    fitting = false;
    savedView = null;
    layoutLabels();
  }
  window.addEventListener("beforeprint", preparePrint);
  window.addEventListener("afterprint", finishPrint);

  var handle = {map: map, layers: layers, data: data, setDay: null, layoutLabels: layoutLabels,
                fitTheatre: fitTheatre, preparePrint: preparePrint, finishPrint: finishPrint};
  window.mobilityMap = handle;
  var tl = data.timeline;
  if (!tl) { return handle; }

  function fmt(x) {
    if (Math.abs(x) >= 100) { return Math.round(x).toLocaleString("en-US"); }
    if (Math.abs(x - Math.round(x)) < 0.05) { return String(Math.round(x)); }
    return x.toFixed(1);
  }
  function at(value, i) { return Array.isArray(value) ? value[i] : value; }
  function flowColour(share) {
    for (var k = 0; k < tl.flow_colours.length; k++) {
      var limit = tl.flow_colours[k][1];
      if (limit === null || share < limit) { return tl.flow_colours[k][0]; }
    }
    return tl.flow_colours[tl.flow_colours.length - 1][0];
  }
  // Same wording as mobility.viz.maps.use_text and flow_text.
  function useText(units, capacity, unitHtml) {
    var share = capacity > 0 ? units / capacity : 0;
    return fmt(units) + " " + unitHtml + "/day of " + fmt(capacity) + " " + unitHtml +
      "/day (" + Math.round(share * 100) + " %)";
  }
  function flowText(troops, units, capacity, unitHtml) {
    return fmt(troops) + " troops/day = " + useText(units, capacity, unitHtml);
  }

  var last = tl.days.length - 1;
  var flowLines = tl.flows.map(function (flow) {
    var line = L.polyline(flow.coords, {pane: "mobility-flows", opacity: 1, lineCap: "round"})
      .bindTooltip("", {sticky: true}).bindPopup("");
    return line;
  });
  var destinations = tl.destinations.map(function (dest) {
    var marker = L.circleMarker(dest.latlon, {
      pane: "mobility-nodes", radius: 8, color: "#ffffff", weight: 2,
      fillColor: "#1b7837", fillOpacity: 1
    }).bindTooltip("").bindPopup("").addTo(layers.origins_destinations);
    return {marker: marker, label: labelByNode[dest.node]};
  });

  var box = control("bottomleft", "mobility-slider",
    '<button type="button" class="mobility-play">\u25B6 Play</button>' +
    '<input type="range" class="mobility-day" min="0" step="1" aria-label="Day"' +
    ' list="mobility-marks">' + tl.marks_html +
    '<span class="mobility-day-text" aria-live="polite"></span>');
  var slider = box.querySelector(".mobility-day");
  var button = box.querySelector(".mobility-play");
  var text = box.querySelector(".mobility-day-text");
  slider.max = String(last);
  slider.value = String(last);

  function setDay(i) {
    i = Math.max(0, Math.min(last, Math.round(Number(i))));
    var day = tl.days[i];
    tl.flows.forEach(function (flow, k) {
      var line = flowLines[k];
      var troops = flow.troops_per_day[i];
      if (!(troops > 0)) { layers.flows.removeLayer(line); return; }
      var units = troops / flow.troops_per_unit;
      var capacity = at(flow.capacity_units_per_day, i);
      var share = capacity > 0 ? units / capacity : 0;
      var weight = tl.flow_weight_px[0] +
        tl.flow_weight_px[1] * troops / Math.max(tl.max_flow_troops_per_day, 1e-9);
      var content = flow.head_html + "<br>Day " + day + ": " +
        flowText(troops, units, capacity, flow.unit_html);
      line.setStyle({color: flowColour(share), weight: weight});
      line.setTooltipContent(content);
      line.setPopupContent(content);
      if (!layers.flows.hasLayer(line)) { layers.flows.addLayer(line); }
    });
    tl.destinations.forEach(function (dest, k) {
      var troops = dest.troops[i];
      var radius = tl.bubble_radius_px[0] +
        tl.bubble_radius_px[1] * Math.sqrt(troops / Math.max(tl.max_destination_troops, 1e-9));
      var content = dest.tooltip_html + "<br>Destination: " + fmt(troops) +
        " troops arrived by day " + day;
      destinations[k].marker.setRadius(radius);
      destinations[k].marker.setTooltipContent(content);
      destinations[k].marker.setPopupContent(content);
      var label = destinations[k].label;
      if (label) {
        label.radius = radius;
        var element = label.marker.getElement();
        if (element) { element.firstChild.textContent = dest.name_text + ": " + fmt(troops); }
      }
    });
    tl.transfers.forEach(function (use) {
      var point = pointByNode[use.node];
      if (!point) { return; }
      var content = point.tooltip + "<br>Transfers on day " + day + ": " +
        useText(use.units_per_day[i], use.capacity_units_per_day, use.unit_html);
      point.marker.setTooltipContent(content);
      point.marker.setPopupContent(content);
    });
    text.textContent = "Day " + day + " of " + tl.days[last] + ": " +
      fmt(tl.troops[i]) + " troops arrived";
    slider.value = String(i);
    layoutLabels();
    return day;
  }

  var timer = null;
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    button.textContent = "\u25B6 Play";
  }
  button.addEventListener("click", function () {
    if (timer !== null) { stop(); return; }
    if (Number(slider.value) >= last) { setDay(0); }
    button.textContent = "\u275A\u275A Pause";
    timer = setInterval(function () {
      var next = Number(slider.value) + 1;
      setDay(next);
      if (next >= last) { stop(); }
    }, 600);
  });
  slider.addEventListener("input", function () { stop(); setDay(slider.value); });
  setDay(last);
  handle.setDay = setDay;
  return handle;
}
