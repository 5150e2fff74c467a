"""The route map: which points it draws, its tile server in the CSP, and the macro's markup."""

import json
import re
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from flask import render_template_string

from app.config import DEFAULT_MAP_TILE_URL, from_environment
from app.core.maps import location, map_points, tile_origin
from app.core.security import content_security_policy

CASES = json.loads((Path(__file__).parent / "map_point_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES["cases"], ids=lambda case: case["name"])
def test_location_follows_the_shared_cases(case):
    expected = tuple(case["expected"]) if case["expected"] is not None else None
    assert location({"lat": case["lat"], "lng": case["lng"]}) == expected


def test_location_reads_the_database_decimals():
    assert location({"lat": Decimal("-34.603700"), "lng": Decimal("-58.381600")}) == (
        -34.6037,
        -58.3816,
    )
    assert location({"lat": Decimal("NaN"), "lng": Decimal("-58.38")}) is None


def test_map_points_counts_the_points_it_cannot_place():
    points = [
        {"n": 1, "name": "Almacén Don José", "lat": "-34.60", "lng": "-58.38", "state": "pending"},
        {"n": 2, "name": "Kiosco Sin Mapa", "lat": None, "lng": None, "state": "pending"},
        {"n": "3", "name": "Despensa", "lat": -34.61, "lng": -58.4, "state": "desconocido"},
        {"n": None, "name": "Depósito", "lat": -34.5, "lng": -58.5},
    ]
    drawn, missing = map_points(points)
    assert missing == 1
    assert [(p["n"], p["name"], p["lat"], p["lng"], p["state"]) for p in drawn] == [
        (1, "Almacén Don José", -34.6, -58.38, "pending"),
        (3, "Despensa", -34.61, -58.4, "other"),
        (None, "Depósito", -34.5, -58.5, "other"),
    ]
    assert drawn[0]["href"] is None and drawn[0]["detail"] is None


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        (
            "https://tiles-{s}.example.com:8443/{z}/{x}/{y}{r}.png?key=k",
            "https://*.example.com:8443",
        ),
        ("HTTPS://Tiles.Example.com/{z}/{x}/{y}.png", "https://tiles.example.com"),
        ("/tiles/{z}/{x}/{y}.png", None),
    ],
)
def test_tile_origin_is_the_servers_origin(url, origin):
    assert tile_origin(url) == origin


@pytest.mark.parametrize(
    "url",
    [
        "ftp://tiles.example.com/{z}/{x}/{y}.png",
        "tiles.example.com/{z}",
        "https://a.{s}.example.com/",
    ],
)
def test_tile_origin_refuses_what_a_csp_cannot_name(url):
    with pytest.raises(ValueError, match="MAP_TILE_URL"):
        tile_origin(url)


def directives(csp: str) -> dict[str, str]:
    """A Content-Security-Policy as {directive: sources}."""
    return dict(part.split(" ", 1) for part in csp.split("; "))


def test_csp_allows_subdomain_tiles_only_as_images():
    csp = directives(content_security_policy("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"))
    assert csp["img-src"] == "'self' data: https://*.tile.openstreetmap.org"
    assert [name for name, sources in csp.items() if "openstreetmap" in sources] == ["img-src"]


def test_csp_of_tiles_on_this_server_adds_nothing():
    csp = directives(content_security_policy("/tiles/{z}/{x}/{y}.png"))
    assert csp["img-src"] == "'self' data:"


def test_map_settings_are_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("MAP_TILE_URL", raising=False)
    monkeypatch.delenv("MAP_ATTRIBUTION", raising=False)
    settings = from_environment(str(tmp_path))
    assert settings["MAP_TILE_URL"] == DEFAULT_MAP_TILE_URL
    assert "OpenStreetMap</a>" in settings["MAP_ATTRIBUTION"]
    monkeypatch.setenv("MAP_TILE_URL", " https://{s}.tiles.example.com/{z}/{x}/{y}.png ")
    monkeypatch.setenv("MAP_ATTRIBUTION", "© Ejemplo")
    settings = from_environment(str(tmp_path))
    assert settings["MAP_TILE_URL"] == "https://{s}.tiles.example.com/{z}/{x}/{y}.png"
    assert settings["MAP_ATTRIBUTION"] == "© Ejemplo"


ROUTE = [
    {"n": 1, "name": "Almacén 'Don' José", "lat": "-34.6037", "lng": "-58.3816",
     "state": "pending", "href": "/clients/1", "detail": "Ventana 9:00-12:00"},
    {"n": 2, "name": "Kiosco <Sin> Mapa", "lat": None, "lng": None, "state": "pending"},
    {"n": 3, "name": "Despensa", "lat": "", "lng": "", "state": "visited"},
]  # fmt: skip


def render_map(app, call: str, points) -> str:
    """The macro's HTML for `call`, e.g. route_map(points)."""
    with app.test_request_context("/"):
        template = '{% from "_map.html" import route_map %}{{ ' + call + " }}"
        return render_template_string(template, points=points)


def data_attribute(html: str, name: str) -> str:
    """The unescaped value of the first data-<name> attribute."""
    match = re.search(rf"data-{name}=(['\"])(.*?)\1", html, re.DOTALL)
    assert match, name
    return unescape(match.group(2))


def test_macro_passes_the_located_points_and_counts_the_rest(app):
    html = render_map(app, "route_map(points, id='ruta')", ROUTE)
    assert 'id="ruta" class="map-canvas"' in html
    points = json.loads(data_attribute(html, "points"))
    assert [(p["n"], p["name"], p["lat"]) for p in points] == [(1, "Almacén 'Don' José", -34.6037)]
    assert data_attribute(html, "tiles") == DEFAULT_MAP_TILE_URL
    assert data_attribute(html, "attribution") == app.config["MAP_ATTRIBUTION"]
    assert data_attribute(html, "here") == "false"
    assert "2 clientes sin coordenadas no están en el mapa." in html
    assert "Kiosco" not in html  # a point without coordinates is left out of the data
    assert re.search(r"<p class=\"map-missing\" data-map-missing[^>]* hidden", html)
    assert "data-map-here" not in html
    assert re.search(r'<script type="module" src="/static/[0-9a-f]{12}/js/map.js"></script>', html)
    assert re.search(r"/static/[0-9a-f]{12}/vendor/leaflet/leaflet.css", html)
    assert re.search(r"/static/[0-9a-f]{12}/css/map.css", html)
    assert ' style="' not in html and "<style" not in html


def test_macro_in_singular_and_with_the_location_button(app):
    html = render_map(app, "route_map(points, show_here=True)", ROUTE[:2])
    assert "1 cliente sin coordenadas no está en el mapa." in html
    assert data_attribute(html, "here") == "true"
    assert re.search(r"<button type=\"button\"[^>]*data-map-here[^>]* hidden", html)
    assert ">Mi posición</button>" in html


def test_macro_without_any_located_point_leaves_the_words_to_the_empty_message(app):
    html = render_map(app, "route_map(points, empty_message='Hoy no hay paradas.')", ROUTE[1:])
    assert json.loads(data_attribute(html, "points")) == []
    assert data_attribute(html, "empty") == "Hoy no hay paradas."
    assert "sin coordenadas" not in html
    default = render_map(app, "route_map(points)", ROUTE[1:])
    empty = "Ningún cliente de la lista tiene coordenadas cargadas."
    assert data_attribute(default, "empty") == empty
