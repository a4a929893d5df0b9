/*
 * Authority page map: draws a Leaflet map into every element with [data-aw-map].
 * Progressive enhancement: without JavaScript or without Leaflet the page shows the address and a link.
 * The tile URL comes from the server (AMTSWEG_TILE_URL), whose origin the CSP allows for images.
 */
(function () {
  "use strict";

  function draw(element) {
    var lat = parseFloat(element.getAttribute("data-lat"));
    var lon = parseFloat(element.getAttribute("data-lon"));
    var tiles = element.getAttribute("data-tiles");
    if (!window.L || isNaN(lat) || isNaN(lon) || !tiles) {
      element.hidden = true;
      return;
    }
    var icons = element.getAttribute("data-icons");
    if (icons) {
      window.L.Icon.Default.imagePath = icons;
    }
    var map = window.L.map(element, { scrollWheelZoom: false }).setView([lat, lon], 14);
    window.L.tileLayer(tiles, {
      maxZoom: 19,
      attribution: element.getAttribute("data-attribution") || ""
    }).addTo(map);
    var marker = window.L.marker([lat, lon], {
      keyboard: true,
      title: element.getAttribute("data-label") || "",
      alt: element.getAttribute("data-label") || ""
    }).addTo(map);
    marker.bindPopup(document.createTextNode(element.getAttribute("data-label") || ""));
  }

  function init() {
    var elements = document.querySelectorAll("[data-aw-map]");
    for (var i = 0; i < elements.length; i++) {
      draw(elements[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
