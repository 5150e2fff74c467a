"""The installable shell: service worker, manifest, icons, security headers."""

import json
import re
import struct

from flask import url_for


def static_url(client, filename: str) -> str:
    """The URL pages use for a static file (it carries the static tree's version)."""
    with client.application.test_request_context():
        return url_for("static", filename=filename)


def test_service_worker_is_served_from_the_root_with_its_shell(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    version = re.search(r'const VERSION = "([0-9a-f]+)";', body).group(1)
    shell = json.loads(re.search(r"const SHELL = (\[.*\]);", body).group(1))
    assert "/offline" in shell and static_url(client, "vendor/htmx.min.js") in shell
    for url in shell:
        with client.get(url) as file_response:
            assert file_response.status_code == 200, url
    assert client.get("/healthz").json["version"] == version


def test_manifest_makes_the_app_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as file_response:
            assert file_response.status_code == 200, icon["src"]


def test_the_manifest_has_an_id_shortcuts_to_the_day_s_work_and_screenshots(client):
    manifest = json.loads(client.get("/manifest.webmanifest").get_data(as_text=True))
    assert manifest["id"] == "/"
    shortcuts = {item["name"]: item["url"] for item in manifest["shortcuts"]}
    assert shortcuts == {
        "Hoy": "/route/",
        "Nuevo pedido": "/orders/new",
        "Hoja de cobranza": "/collections/",
        "Aprobaciones": "/credit/approvals",
    }
    assert manifest["screenshots"], "no screenshots"
    for shot in manifest["screenshots"]:
        with client.get(shot["src"]) as file_response:
            assert file_response.status_code == 200, shot["src"]
            png = file_response.data
        assert png[:8] == b"\x89PNG\r\n\x1a\n", shot["src"]
        width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
        assert shot["sizes"] == f"{width}x{height}" and shot["form_factor"] == "narrow"
        assert shot["label"]


def test_pages_register_the_service_worker_and_load_no_inline_code(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'data-service-worker="/sw.js"' in page
    assert 'rel="manifest"' in page
    assert "<style" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None
    assert ' style="' not in page


def test_every_page_carries_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers


def test_the_csp_lets_in_the_map_tiles_as_images_and_stays_strict_otherwise(client):
    csp = client.get("/login").headers["Content-Security-Policy"]
    directives = dict(part.split(" ", 1) for part in csp.split("; "))
    assert directives["img-src"] == "'self' data: https://tile.openstreetmap.org"
    others = {name: sources for name, sources in directives.items() if name != "img-src"}
    assert others == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "connect-src": "'self'",
        "font-src": "'self'",
        "manifest-src": "'self'",
        "worker-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def test_leaflet_stays_out_of_the_shell_but_the_map_module_is_in_it(client):
    shell = json.loads(re.search(r"const SHELL = (\[.*\]);", client.get("/sw.js").text).group(1))
    assert not [url for url in shell if "leaflet" in url]
    assert static_url(client, "js/map.js") in shell and static_url(client, "css/map.css") in shell


def test_htmx_is_configured_for_the_csp_and_without_a_history_cache(client):
    page = client.get("/login").get_data(as_text=True)
    config = json.loads(re.search(r"name=\"htmx-config\" content='([^']+)'", page).group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["historyCacheSize"] == 0


def test_offline_page_is_public_and_in_spanish(client):
    response = client.get("/offline")
    assert response.status_code == 200
    assert "Sin conexión" in response.get_data(as_text=True)


def test_behind_tls_cookies_are_secure_and_hsts_is_sent(app, database_url):
    from app import create_app
    from app.extensions import db
    from tests import factories
    from tests.conftest import Browser, IsolatedClient, app_config

    factories.make_user("salesperson", username="seguro1")
    db.session.commit()
    secure = create_app(
        app_config(database_url) | {"SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True}
    )
    secure.test_client_class = IsolatedClient
    browser = Browser(secure.test_client())
    response = browser.login("seguro1")
    assert response.status_code == 303
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    with secure.app_context():
        db.engine.dispose()
