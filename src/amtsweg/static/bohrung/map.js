/*
 * Drilling notification maps (progressive enhancement; strict CSP: no inline code, data from attributes/URLs).
 *
 * [data-bohrung-pick]: on the "Lage" step. A click sets the point: it selects WGS 84 and fills longitude and
 * latitude into the typed fields, which stay the truth (the server checks and transforms them). Typed WGS 84
 * values are shown as a marker.
 * [data-bohrung-registry]: the LfULG registry map; points come from the filtered GeoJSON export.
 *
 * The base layer works offline: Saxony's outline and the municipalities from /bohranzeige/grundkarte.geojson.
 * Tiles are added only when the server names a tile URL (AMTSWEG_TILE_URL).
 */
(function () {
  "use strict";

  var SAXONY = [[50.17, 11.87], [51.69, 15.04]];

  function baseMap(element, container) {
    var L = window.L;
    var map = L.map(container, { scrollWheelZoom: false });
    map.attributionControl.setPrefix(false);
    var tiles = element.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: "© OpenStreetMap-Mitwirkende" }).addTo(map);
    }
    map.fitBounds(SAXONY);
    var base = element.getAttribute("data-base");
    if (base) {
      fetch(base, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          map.attributionControl.addAttribution(data.attribution || "");
          var layer = L.geoJSON(data, {
            interactive: false,
            style: { color: "#1a3da5", weight: 2, fillColor: "#e8eefc", fillOpacity: tiles ? 0.1 : 0.5 },
            pointToLayer: function (feature, latlng) {
              return L.circleMarker(latlng, {
                radius: 2, color: "#4d4d4d", weight: 1, fillColor: "#8c8c8c", fillOpacity: 1, interactive: false
              });
            }
          }).addTo(map);
          layer.bringToBack();
        })
        .catch(function () { /* the map works without the base layer */ });
    }
    return map;
  }

  function number(text) {
    return parseFloat(String(text || "").replace(",", ".").replace(/\s/g, ""));
  }

  function pick(element) {
    if (!window.L) { return; }
    var form = element.closest("form");
    if (!form) { return; }
    var east = form.querySelector("[name=koord_ost]");
    var north = form.querySelector("[name=koord_nord]");
    var wgs = form.querySelector("[name=koord_system][value=wgs84]");
    var announce = element.querySelector("[data-announce]");
    if (!east || !north) { return; }
    element.hidden = false;
    var map = baseMap(element, element.querySelector("[data-map]"));
    var marker = null;

    function show(lat, lon) {
      if (marker) { marker.setLatLng([lat, lon]); } else {
        marker = window.L.circleMarker([lat, lon], { radius: 8, color: "#b1001c", weight: 3, fillOpacity: 0.6 }).addTo(map);
      }
    }

    function fromFields() {
      var system = form.querySelector("[name=koord_system]:checked");
      if (!system || system.value !== "wgs84") { return; }
      var lat = number(north.value);
      var lon = number(east.value);
      if (isFinite(lat) && isFinite(lon) && lat > 45 && lat < 56 && lon > 5 && lon < 20) {
        show(lat, lon);
        map.setView([lat, lon], 12);
      }
    }

    map.on("click", function (event) {
      var lat = event.latlng.lat;
      var lon = event.latlng.lng;
      if (wgs) { wgs.checked = true; }
      east.value = lon.toFixed(6);
      north.value = lat.toFixed(6);
      show(lat, lon);
      if (announce) {
        announce.textContent = (document.documentElement.lang === "en" ? "Point set: " : "Bohrpunkt gesetzt: ") +
          lat.toFixed(5) + " N, " + lon.toFixed(5) + " O";
      }
    });
    east.addEventListener("change", fromFields);
    north.addEventListener("change", fromFields);
    fromFields();
  }

  function registry(element) {
    if (!window.L) { return; }
    element.hidden = false;
    var map = baseMap(element, element.querySelector("[data-map]"));
    var source = element.getAttribute("data-points");
    fetch(source, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var points = window.L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            var marker = window.L.circleMarker(latlng, { radius: 7, color: "#b1001c", weight: 2, fillOpacity: 0.7 });
            marker.options.bohrung = feature.properties.aktenzeichen;
            return marker;
          },
          onEachFeature: function (feature, layer) {
            var p = feature.properties;
            var box = document.createElement("div");
            box.className = "aw-popup";
            [p.aktenzeichen, p.zweck + ", " + p.endtiefe_m + " m", p.gemeinde + " (" + p.kreis + ")", p.status]
              .forEach(function (line) {
                var row = document.createElement("p");
                row.textContent = line;
                box.appendChild(row);
              });
            layer.bindPopup(box);
          }
        }).addTo(map);
        element.setAttribute("data-count", String(data.features.length));
        if (data.features.length) { map.fitBounds(points.getBounds(), { maxZoom: 12, padding: [20, 20] }); }
      })
      .catch(function () { element.setAttribute("data-count", "error"); });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-bohrung-pick]"), pick);
    Array.prototype.forEach.call(document.querySelectorAll("[data-bohrung-registry]"), registry);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
