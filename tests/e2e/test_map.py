"""The route map (templates/_map.html, static/js/map.js) in Chromium, on a phone's screen.

A small app of its own serves the macro with the real CSP; tile requests are answered here
with a generated PNG and anything else not on 127.0.0.1 is refused, so nothing leaves the
machine.
"""

import struct
import zlib

import pytest
from flask import render_template_string

from app import create_app
from app.auth.permissions import public
from tests.conftest import app_config
from tests.e2e.conftest import phone_context, serving, watched_page

pytestmark = pytest.mark.e2e

TILE_HOST = "https://tile.openstreetmap.org/"
ROUTE = [
    {"n": 1, "name": "Almacén Don José", "lat": -34.6037, "lng": -58.3816, "state": "visited",
     "href": "/clients/1", "detail": "Pedido de $ 120.000"},
    {"n": 2, "name": "Kiosco La Esquina", "lat": "-34.6091", "lng": "-58.3928", "state": "order",
     "href": "/clients/2", "detail": None},
    {"n": 3, "name": "Despensa Mary", "lat": "-34.6158", "lng": "-58.3770", "state": "skipped",
     "href": None, "detail": "Cerrado"},
    {"n": 4, "name": "Autoservicio Norte", "lat": -34.6002, "lng": -58.3702, "state": "pending",
     "href": "/clients/4", "detail": "Ventana 10:00-12:00"},
    {"n": 5, "name": "Maxikiosco 24", "lat": None, "lng": None, "state": "pending"},
    {"n": 6, "name": "Forrajería El Sol", "lat": "", "lng": "", "state": "pending"},
    {"n": None, "name": "Depósito", "lat": -34.6070, "lng": -58.3660, "state": "other"},
]  # fmt: skip
# what the browser logs when Leaflet's files cannot be had (offline, or missing)
LEAFLET_NOT_LOADED = r"Failed to load resource: net::ERR_INTERNET_DISCONNECTED .*/vendor/leaflet/"
UNLOCATED = [point for point in ROUTE if not point["lat"]]
CASES = {
    "route": (ROUTE, {"show_here": True}),
    "unlocated": (UNLOCATED, {}),
}
PAGE = """<!doctype html>
<html lang="es-AR"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hoy</title>
<link rel="stylesheet" href="{{ url_for('static', filename='css/app.css') }}">
</head><body class="bare"><main id="main"><h1>Hoy</h1>
{% from "_map.html" import route_map %}{{ route_map(points, **options) }}
<p>La lista de paradas va acá.</p>
</main></body></html>"""
COUNT_LOCATION_REQUESTS = """
window.__locationAsked = 0;
const ask = navigator.geolocation.getCurrentPosition.bind(navigator.geolocation);
navigator.geolocation.getCurrentPosition = (...args) => {
  window.__locationAsked += 1;
  return ask(...args);
};
"""
# The numbered pins' centres and the route line's corners, both in page pixels.
PINS_AND_LINE = """() => {
  const centre = (el) => {
    const box = el.getBoundingClientRect();
    return [box.x + box.width / 2, box.y + box.height / 2];
  };
  const pins = [...document.querySelectorAll(".map-pin--numbered")].map((el) => ({
    n: el.textContent, title: el.title, at: centre(el),
  }));
  const path = document.querySelector(".leaflet-overlay-pane path");
  const matrix = path.getScreenCTM();
  const corners = [...path.getAttribute("d").matchAll(/[ML]\\s*(-?[\\d.]+)[ ,](-?[\\d.]+)/g)]
    .map(([, x, y]) => new DOMPoint(Number(x), Number(y)).matrixTransform(matrix))
    .map((p) => [p.x, p.y]);
  return { pins, corners };
}"""
# For each pin state: size, weight and size of the number, and contrast of number on pin.
PIN_LOOKS = """() => {
  const channel = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const luminance = (css) => {
    const [r, g, b] = css.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map((v) => channel(v / 255));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  return [...document.querySelectorAll(".map-pin")].map((el) => {
    const style = getComputedStyle(el);
    const [a, b] = [luminance(style.color), luminance(style.backgroundColor)];
    const box = el.getBoundingClientRect();
    return {
      classes: el.className,
      size: Math.min(box.width, box.height),
      weight: Number(style.fontWeight),
      fontSize: parseFloat(style.fontSize),
      contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
    };
  });
}"""


def tile_png(size: int = 256) -> bytes:
    """A pale tile with a thin grid line on two edges, so the map reads as a map."""
    light, line = b"\xee\xf1\xec", b"\xcf\xd6\xcd"
    rows = [b"\x00" + line * size] + [b"\x00" + line + light * (size - 1)] * (size - 1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def map_server(tmp_path_factory):
    """An app that serves the macro at /e2e-map/<case>, with the app's own headers."""
    app = create_app(app_config(f"sqlite:///{tmp_path_factory.mktemp('map') / 'map.db'}"))

    @public
    def map_page(case: str):
        """One case of CASES around the macro."""
        points, options = CASES[case]
        return render_template_string(PAGE, points=points, options=options)

    app.add_url_rule("/e2e-map/<case>", view_func=map_page)
    with serving(app) as url:
        yield url


class Network:
    """Routes every request: the app's own go through, tiles get a PNG, the rest is refused.

    With `offline` set (and the context offline), the app's files come from the copies kept
    while online, as the service worker's cache would answer, except Leaflet, which that
    cache does not hold.
    """

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.tiles: list[dict] = []
        self.refused: list[str] = []
        self.block_leaflet = False
        self.offline = False
        self.copies: dict[str, tuple[int, dict, bytes]] = {}
        self.png = tile_png()

    def handle(self, route):
        """Answer one request."""
        url = route.request.url
        if url.startswith(self.base_url):
            leaflet = "/vendor/leaflet/" in url
            if (self.block_leaflet and leaflet) or (self.offline and url not in self.copies):
                return route.abort("internetdisconnected")
            if self.offline:
                status, headers, body = self.copies[url]
                return route.fulfill(status=status, headers=headers, body=body)
            response = route.fetch()
            if not leaflet:
                self.copies[url] = (response.status, response.headers, response.body())
            return route.fulfill(response=response)
        if url.startswith(TILE_HOST) and not self.offline:
            self.tiles.append(route.request.headers)
            return route.fulfill(status=200, content_type="image/png", body=self.png)
        self.refused.append(url)
        return route.abort("internetdisconnected")


@pytest.fixture
def map_context(browser, map_server, errors):
    """A phone-sized profile whose network stops at this machine; its Network is .network."""

    def make(**extra):
        context = phone_context(browser, map_server, errors, **extra)
        context.network = Network(map_server)
        context.route("**/*", context.network.handle)
        contexts.append(context)
        return context

    contexts = []
    yield make
    for context in contexts:
        context.close()


def open_map(context, errors, case: str):
    """A tab on one case of the map page."""
    page = watched_page(context, errors)
    page.goto(f"/e2e-map/{case}")
    return page


def test_numbered_pins_follow_the_route_and_the_line_joins_them_in_order(
    map_context, errors, artifacts
):
    context = map_context()
    page = open_map(context, errors, "route")
    page.locator(".map-canvas[data-map-ready]").wait_for()
    page.locator(".leaflet-tile-loaded").first.wait_for()  # the CSP let the tiles in

    found = page.evaluate(PINS_AND_LINE)
    assert [pin["n"] for pin in found["pins"]] == ["1", "2", "3", "4"]
    assert found["pins"][0]["title"] == "1. Almacén Don José"
    assert len(found["corners"]) == 4
    for pin, corner in zip(found["pins"], found["corners"], strict=True):
        assert pin["at"] == pytest.approx(corner, abs=1.5), pin["title"]
    assert page.locator(".map-pin--dot[title='Depósito']").count() == 1
    assert page.locator(".map-pin").count() == 5

    note = page.locator("[data-map-unplaced]")
    assert note.inner_text() == "2 clientes sin coordenadas no están en el mapa."
    assert page.locator("[data-map-missing]").is_hidden()
    page.screenshot(path="/tmp/map.png")
    page.screenshot(path=str(artifacts / "map.png"))

    page.locator(".map-pin[title='1. Almacén Don José']").click()
    popup = page.locator(".leaflet-popup-content")
    assert popup.locator("a").get_attribute("href") == "/clients/1"
    lines = [line for line in popup.inner_text().splitlines() if line.strip()]
    assert lines == ["1. Almacén Don José", "Pedido de $ 120.000"]
    page.locator(".leaflet-popup-close-button").click()

    assert context.network.tiles, "no tile was asked for"
    assert context.network.tiles[0].get("referer") == context.network.base_url + "/"
    assert context.network.refused == []
    assert page.locator(".leaflet-control-attribution a", has_text="OpenStreetMap").count() == 1

    errors.assert_none()


def test_pins_are_big_bold_and_readable_in_every_state(map_context, errors):
    page = open_map(map_context(), errors, "route")
    page.locator(".map-canvas[data-map-ready]").wait_for()
    looks = page.evaluate(PIN_LOOKS)
    states = {look["classes"].split("map-pin--")[1].strip() for look in looks}
    assert states == {"visited", "order", "skipped", "pending", "other"}
    for look in looks:
        assert look["size"] >= 28, look
        assert look["weight"] >= 700 and look["fontSize"] >= 14, look
        assert look["contrast"] >= 4.5, look
    errors.assert_none()


def test_my_location_is_asked_only_when_tapped(map_context, errors):
    context = map_context(
        geolocation={"latitude": -34.6065, "longitude": -58.3850}, permissions=["geolocation"]
    )
    context.add_init_script(COUNT_LOCATION_REQUESTS)
    page = open_map(context, errors, "route")
    page.locator(".map-canvas[data-map-ready]").wait_for()
    button = page.get_by_role("button", name="Mi posición")
    assert button.is_visible()
    assert page.evaluate("window.__locationAsked") == 0
    assert page.locator(".map-here-pin").count() == 0

    button.click()
    page.locator(".map-here-pin[title='Mi posición']").wait_for()
    assert page.evaluate("window.__locationAsked") == 1
    errors.assert_none()


def test_offline_the_map_says_so_and_draws_once_back_online(map_context, errors):
    context = map_context()
    page = open_map(context, errors, "route")
    page.locator(".map-canvas[data-map-ready]").wait_for()

    context.network.offline = True  # the page and the shell files now come from "the cache"
    context.set_offline(True)
    page.reload()
    missing = page.locator("[data-map-missing]")
    missing.wait_for()
    assert missing.inner_text() == (
        "Sin conexión: el mapa no se puede cargar. La lista de paradas sigue disponible."
    )
    assert page.locator(".map-canvas").is_hidden()
    assert page.locator(".map-pin").count() == 0
    assert page.evaluate("typeof window.L") == "undefined"  # not even asked for
    assert page.get_by_role("button", name="Mi posición").is_hidden()
    assert page.locator("[data-map-unplaced]").is_hidden()

    context.network.offline = False
    context.set_offline(False)  # the browser's "online" event: the map loads Leaflet and draws
    page.locator(".map-canvas[data-map-ready]").wait_for()
    assert missing.is_hidden() and page.locator("[data-map-unplaced]").is_visible()
    assert page.locator(".map-pin--numbered").count() == 4
    errors.assert_none(ignore=(LEAFLET_NOT_LOADED,))


def test_without_leaflet_the_map_says_it_could_not_load(map_context, errors):
    context = map_context()
    context.network.block_leaflet = True
    page = open_map(context, errors, "route")
    missing = page.locator("[data-map-missing]")
    missing.wait_for()
    assert missing.inner_text() == (
        "El mapa no se pudo cargar. La lista de paradas sigue disponible."
    )
    assert page.locator(".map-pin").count() == 0
    errors.assert_none(ignore=(LEAFLET_NOT_LOADED,))


def test_without_coordinates_there_is_no_pin_and_the_map_says_why(map_context, errors):
    context = map_context()
    page = open_map(context, errors, "unlocated")
    missing = page.locator("[data-map-missing]")
    missing.wait_for()
    assert missing.inner_text() == "Ningún cliente de la lista tiene coordenadas cargadas."
    assert page.locator(".map-pin").count() == 0
    assert page.locator(".map-canvas").is_hidden()
    assert page.locator("[data-map-unplaced]").count() == 0
    assert page.evaluate("typeof window.L") == "undefined"
    assert context.network.tiles == []
    errors.assert_none()
