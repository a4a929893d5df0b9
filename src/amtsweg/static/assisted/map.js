/*
 * Map of Bürgerterminals, Bürgerbüros and Bürgerkoffer stops (/vor-ort/).
 *
 * Progressive enhancement: the list below the map has the same content and works without JavaScript. The map
 * reads its data from the JSON block next to it (no inline script, strict CSP). The base layer works offline:
 * Saxony's outline and the district seats; tiles are added only when the server names a tile URL
 * (AMTSWEG_TILE_URL, whose origin the CSP allows for images). Text from the data is inserted as text, never as HTML.
 */
(function () {
  "use strict";

  var LETTERS = { terminal: "T", buergerkoffer: "K", buergerbuero: "B" };
  var MARKER = 30;
  var GAP = 40;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function popup(item) {
    var box = el("div", "aw-popup");
    var title = el("p", "aw-popup__title", item.name);
    box.appendChild(title);
    var kind = el("p", "aw-popup__kind", item.type_label + (item.demo ? " · Demo" : ""));
    box.appendChild(kind);
    box.appendChild(el("p", "aw-popup__when", item.next_text));
    box.appendChild(el("p", "aw-popup__address", item.address));
    var links = el("p", "aw-popup__links");
    if (item.booking_url) {
      var book = el("a", "kern-link", document.documentElement.lang === "en" ? "Book an appointment" : "Termin buchen");
      book.href = item.booking_url;
      links.appendChild(book);
      links.appendChild(document.createTextNode(" · "));
    }
    var details = el("a", "kern-link", document.documentElement.lang === "en" ? "Details" : "Details");
    details.href = item.url;
    links.appendChild(details);
    box.appendChild(links);
    return box;
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-data"));
    if (!window.L || !source) { return; }
    var data;
    try { data = JSON.parse(source.textContent); } catch (e) { return; }
    element.hidden = false;
    var L = window.L;
    var map = L.map(element, { scrollWheelZoom: false, zoomSnap: 0.25 });
    map.attributionControl.setPrefix(false);
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 18, attribution: "© OpenStreetMap" }).addTo(map);
    }
    var bounds = L.latLngBounds([[50.17, 11.87], [51.69, 15.04]]);
    map.fitBounds(bounds);

    fetch(data.outline, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (outline) {
        if (!outline) { return; }
        var layer = L.geoJSON(outline, {
          interactive: false,
          style: { color: "#1a3da5", weight: 2, fillColor: "#e8eefc", fillOpacity: data.tiles ? 0.1 : 0.6 }
        }).addTo(map);
        layer.bringToBack();
      })
      .catch(function () { /* the markers work without the outline */ });

    (data.seats || []).forEach(function (seat) {
      // District seats are orientation only: not focusable, so they never crowd the real targets.
      L.circleMarker([seat.lat, seat.lon], {
        radius: 4, color: "#4d4d4d", weight: 1, fillColor: "#8c8c8c", fillOpacity: 1, interactive: false
      }).addTo(map);
    });

    var items = data.items || [];
    var layer = L.layerGroup().addTo(map);
    var english = document.documentElement.lang === "en";

    function single(item) {
      var icon = L.divIcon({
        className: "aw-marker aw-marker--" + item.type + (item.demo ? " aw-marker--demo" : ""),
        html: "<span aria-hidden=\"true\">" + (LETTERS[item.type] || "?") + "</span>",
        iconSize: [MARKER, MARKER],
        iconAnchor: [MARKER / 2, MARKER / 2],
        popupAnchor: [0, -MARKER / 2]
      });
      var marker = L.marker([item.lat, item.lon], {
        icon: icon,
        keyboard: true,
        title: item.type_label + ": " + item.name + " – " + item.next_text
      });
      marker.bindPopup(popup(item));
      return marker;
    }

    function cluster(group) {
      var names = group.map(function (item) { return item.name; });
      var icon = L.divIcon({
        className: "aw-marker aw-marker--cluster",
        html: "<span aria-hidden=\"true\">" + group.length + "</span>",
        iconSize: [MARKER, MARKER],
        iconAnchor: [MARKER / 2, MARKER / 2],
        popupAnchor: [0, -MARKER / 2]
      });
      var marker = L.marker([group[0].lat, group[0].lon], {
        icon: icon,
        keyboard: true,
        title: (english ? group.length + " places: " : group.length + " Orte: ") + names.join("; ")
      });
      var bounds = L.latLngBounds(group.map(function (item) { return [item.lat, item.lon]; }));
      var box = el("div", "aw-popup");
      group.forEach(function (item) { box.appendChild(popup(item)); });
      marker.bindPopup(box, { maxHeight: 300 });
      marker.on("click keypress", function () {
        if (map.getZoom() < map.getMaxZoom() - 4 && bounds.getNorthEast().distanceTo(bounds.getSouthWest()) > 50) {
          marker.closePopup();
          map.fitBounds(bounds.pad(0.5), { maxZoom: map.getZoom() + 3 });
        }
      });
      return marker;
    }

    // Markers closer than GAP pixels are drawn as one numbered marker: no target hides another
    // (WCAG 2.5.8), and zooming in splits them again.
    function render() {
      layer.clearLayers();
      var groups = [];
      items.forEach(function (item) {
        var point = map.latLngToLayerPoint([item.lat, item.lon]);
        var found = null;
        for (var i = 0; i < groups.length; i++) {
          if (groups[i].point.distanceTo(point) < GAP) { found = groups[i]; break; }
        }
        if (found) { found.items.push(item); } else { groups.push({ point: point, items: [item] }); }
      });
      groups.forEach(function (group) {
        layer.addLayer(group.items.length === 1 ? single(group.items[0]) : cluster(group.items));
      });
    }

    if (items.length) {
      var all = L.latLngBounds(items.map(function (item) { return [item.lat, item.lon]; }));
      map.fitBounds(all.pad(0.25), { maxZoom: 11 });
    } else if (data.near) {
      map.setView(data.near, 10);
    }
    render();
    map.on("zoomend", render);
  }

  function init() {
    var elements = document.querySelectorAll("[data-aw-vor-ort-map]");
    for (var i = 0; i < elements.length; i++) { draw(elements[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
