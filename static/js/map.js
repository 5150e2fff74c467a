// The route map of templates/_map.html: a numbered pin per stop, joined in route order.
// Leaflet (static/vendor/leaflet/) is not in the service worker's shell: this module loads it
// only when the phone is online, and otherwise says why there is no map; the page's list of
// stops stays the way to work. Points are read by the rule of app/core/maps.py.

// Route stops by state; the reports' map colours clients by ABC rating or risk.
export const PIN_STATES = [
  "pending", "visited", "skipped", "order", "other", "abc-a", "abc-b", "abc-c", "risk",
];
const DEGREES = /^\s*-?\d{1,3}(\.\d+)?\s*$/;
const MAX_ZOOM = 19;
const FIT_ZOOM = 16;

/** Degrees as a number within ±limit, or null when the value is empty or not usable. */
export function coordinate(value, limit) {
  let degrees;
  if (typeof value === "number") degrees = value;
  else if (typeof value === "string" && DEGREES.test(value)) degrees = Number(value);
  else return null;
  return Number.isFinite(degrees) && Math.abs(degrees) <= limit ? degrees : null;
}

/** A point's [lat, lng], or null when it has none; 0, 0 is a blank import, not a place. */
export function location(point) {
  const lat = coordinate(point?.lat, 90);
  const lng = coordinate(point?.lng, 180);
  if (lat === null || lng === null || (lat === 0 && lng === 0)) return null;
  return [lat, lng];
}

/** The points a map can draw, with lat and lng as numbers, in the order given. */
export function locatedPoints(points) {
  return (Array.isArray(points) ? points : []).flatMap((point) => {
    const place = location(point);
    return place ? [{ ...point, lat: place[0], lng: place[1] }] : [];
  });
}

/** Why a map cannot be drawn ("empty", "offline", "failed"), or null when it can. */
export function missingReason({ located, online, leaflet = true }) {
  if (!located.length) return "empty";
  if (!online) return "offline";
  if (!leaflet) return "failed";
  return null;
}

/** The pin's classes: its state's colour, and a plain dot when it has no number. */
export function pinClass(point) {
  const state = PIN_STATES.includes(point.state) ? point.state : "other";
  const shape = Number.isInteger(point.n) ? "map-pin--numbered" : "map-pin--dot";
  return `map-pin map-pin--${state} ${shape}`;
}

/** The polyline's corners: the numbered points in the order of their numbers. */
export function routeLine(points) {
  return points
    .filter((point) => Number.isInteger(point.n))
    .sort((a, b) => a.n - b.n)
    .map((point) => [point.lat, point.lng]);
}

/** The pin's tooltip: "3. Almacén Don José", or just the name for a plain dot. */
export function pinTitle(point) {
  return Number.isInteger(point.n) ? `${point.n}. ${point.name}` : point.name;
}

// --- In the page -------------------------------------------------------------------------

let leafletLoading = null;

/** window.L, loading Leaflet's classic script once; null when it cannot be had. */
function loadLeaflet(src) {
  if (window.L) return Promise.resolve(window.L);
  if (!leafletLoading) {
    leafletLoading = new Promise((resolve) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => resolve(window.L || null);
      script.onerror = () => {
        script.remove();
        leafletLoading = null; // a later try, once back online, loads it again
        resolve(null);
      };
      document.head.append(script);
    });
  }
  return leafletLoading;
}

function readPoints(canvas) {
  try {
    return locatedPoints(JSON.parse(canvas.dataset.points || "[]"));
  } catch {
    return [];
  }
}

function showMissing(section, reason) {
  const note = section.querySelector("[data-map-missing]");
  if (note) {
    note.textContent = reason ? note.dataset[reason] || "" : "";
    note.hidden = !reason;
  }
  // "3 clientes ... no están en el mapa" says nothing while there is no map at all
  const unplaced = section.querySelector("[data-map-unplaced]");
  if (unplaced) unplaced.hidden = Boolean(reason);
}

function popupContent(point) {
  const box = document.createElement("div");
  box.className = "map-popup";
  const name = document.createElement(point.href ? "a" : "strong");
  if (point.href) name.href = point.href;
  name.textContent = pinTitle(point);
  box.append(name);
  if (point.detail) {
    const detail = document.createElement("p");
    detail.textContent = point.detail;
    box.append(detail);
  }
  return box;
}

function pinIcon(L, point) {
  const label = document.createElement("span");
  label.className = "map-pin-n";
  label.textContent = Number.isInteger(point.n) ? String(point.n) : "";
  const size = Number.isInteger(point.n) ? 34 : 28;
  return L.divIcon({
    html: label,
    className: pinClass(point),
    iconSize: [size, size],
    iconAnchor: [size / 2, size / 2],
    popupAnchor: [0, -size / 2],
  });
}

function draw(L, canvas, points) {
  canvas.hidden = false;
  const map = L.map(canvas, { maxZoom: MAX_ZOOM, tapTolerance: 20 });
  L.tileLayer(canvas.dataset.tiles, {
    maxZoom: MAX_ZOOM,
    attribution: canvas.dataset.attribution || "",
    // the page sends no referrer to other sites; a tile server asks at least for our origin
    referrerPolicy: "strict-origin",
  }).addTo(map);
  const line = routeLine(points);
  if (line.length > 1) {
    L.polyline(line, { color: "#0b4f8a", weight: 4, opacity: 0.7, interactive: false }).addTo(map);
  }
  for (const point of points) {
    L.marker([point.lat, point.lng], {
      icon: pinIcon(L, point),
      title: pinTitle(point),
      zIndexOffset: Number.isInteger(point.n) ? 1000 - point.n : 0,
    })
      .bindPopup(popupContent(point))
      .addTo(map);
  }
  const bounds = L.latLngBounds(points.map((point) => [point.lat, point.lng]));
  map.fitBounds(bounds, { padding: [28, 28], maxZoom: FIT_ZOOM });
  return map;
}

function offerHere(L, map, section) {
  const button = section.querySelector("[data-map-here]");
  if (!button || !("geolocation" in navigator)) return;
  const status = section.querySelector("[data-map-here-status]");
  const say = (text) => {
    if (status) status.textContent = text;
  };
  let marker = null;
  button.hidden = false;
  // asked only on a tap: the browser's permission prompt never greets a page load
  button.addEventListener("click", () => {
    button.disabled = true;
    say(button.dataset.looking || "");
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => {
        button.disabled = false;
        say("");
        const here = [coords.latitude, coords.longitude];
        if (!marker) {
          const icon = L.divIcon({ className: "map-here-pin", iconSize: [24, 24] });
          marker = L.marker(here, { icon, title: button.textContent.trim(), zIndexOffset: 2000 });
          marker.addTo(map);
        } else {
          marker.setLatLng(here);
        }
        map.panTo(here);
      },
      () => {
        button.disabled = false;
        say(button.dataset.refused || "");
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60 * 1000 },
    );
  });
}

/** Draw one map, or say why it cannot be drawn; tries again when the phone is back online. */
export function startMap(canvas) {
  if (canvas.dataset.mapStarted) return Promise.resolve(null);
  canvas.dataset.mapStarted = "1";
  const section = canvas.closest(".map") || canvas.parentElement;
  const points = readPoints(canvas);
  let running = null;
  const attempt = async () => {
    let reason = missingReason({ located: points, online: navigator.onLine });
    const L = reason ? null : await loadLeaflet(canvas.dataset.leaflet);
    reason = missingReason({ located: points, online: navigator.onLine, leaflet: Boolean(L) });
    showMissing(section, reason);
    if (reason) return reason;
    const map = draw(L, canvas, points);
    if (canvas.dataset.here === "true") offerHere(L, map, section);
    canvas.dataset.mapReady = "1";
    return null;
  };
  const once = () => {
    running ||= attempt().finally(() => {
      running = null;
    });
    return running;
  };
  return once().then((reason) => {
    if (reason !== "offline" && reason !== "failed") return reason;
    window.addEventListener("online", function retry() {
      if (canvas.dataset.mapReady) return;
      once().then((again) => {
        if (!again) window.removeEventListener("online", retry);
      });
    });
    return reason;
  });
}

/** Start every map under root (the page, or what htmx has just swapped in). */
export function startMaps(root) {
  root.querySelectorAll?.(".map-canvas").forEach(startMap);
}

if (typeof document !== "undefined") {
  startMaps(document);
  document.addEventListener("htmx:load", (event) => startMaps(event.detail.elt));
}
