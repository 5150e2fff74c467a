"""Pages fast on a bad network: compressed answers, versioned static files kept a year, one
stylesheet, a service worker that precaches each file once, and the client list's bytes."""

import gzip
import json
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from app.extensions import db
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
VERSIONED = re.compile(r"^/static/[0-9a-f]{12}/")
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
SCRIPT = re.compile(r'<script\b[^>]*\bsrc="([^"]+)"')
# Static imports only (`import x from "./x.js"`, `export ... from`, `import "./x.js"`); a
# dynamic import() loads later, when the page needs it.
STATIC_IMPORT = re.compile(
    r'^\s*(?:import|export)\b[^;()]*?\bfrom\s*["\']([^"\']+)["\']|^\s*import\s*["\']([^"\']+)["\']',
    re.MULTILINE,
)
# The budget of the client list's first load, compressed (issue 20).
FIRST_LOAD_BYTES = 60 * 1024
FIRST_LOAD_SCRIPT_BYTES = 25 * 1024
SEARCH_FRAGMENT_BYTES = 8 * 1024


@pytest.fixture
def seller(login_as):
    """A salesperson with more clients than the list shows on one page."""
    signed_in = login_as("salesperson")
    for n in range(30):
        factories.make_client(trade_name=f"Almacén Número {n}", salesperson_id=signed_in.user.id)
    db.session.commit()
    return signed_in


def fetch(browser, url: str, encoding: str = "gzip", **headers):
    """GET url accepting `encoding`; the response, its body read and the file closed."""
    response = browser.get(url, headers={"Accept-Encoding": encoding, **headers})
    response.get_data()
    response.close()
    return response


def static_urls(html: str) -> tuple[list[str], list[str]]:
    """The stylesheets and scripts a page links."""
    return STYLESHEET.findall(html), SCRIPT.findall(html)


def module_graph(browser, entries: list[str]) -> list[str]:
    """The scripts and every module they import statically, each once."""
    seen, todo = [], list(entries)
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.append(url)
        source = fetch(browser, url, "identity").get_data(as_text=True)
        for match in STATIC_IMPORT.finditer(source):
            todo.append(urljoin(url, match.group(1) or match.group(2)))
    return seen


def test_pages_json_and_static_files_are_compressed_when_the_browser_takes_it(seller):
    page = fetch(seller, "/clients/")
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers["Vary"]
    assert "<html" in gzip.decompress(page.data).decode()
    api = fetch(seller, "/api/v1/clients")
    assert api.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(api.data))["items"]
    [stylesheet], _ = static_urls(gzip.decompress(page.data).decode())
    css = fetch(seller, stylesheet)
    assert css.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in css.headers["Vary"]
    assert fetch(seller, stylesheet, "br").headers["Content-Encoding"] == "br"
    assert "Date" not in page.headers  # the server adds its own: two would read as no date
    plain = fetch(seller, "/clients/", "identity")
    assert "Content-Encoding" not in plain.headers and b"<html" in plain.data


def test_an_answer_compressed_already_is_left_alone(seller):
    feed = fetch(seller, "/api/v1/sync?since=0", "gzip, br")
    assert feed.headers["Content-Encoding"] == "gzip"  # the feed compresses itself
    assert json.loads(gzip.decompress(feed.data))["clients"]


def test_static_urls_are_versioned_kept_a_year_and_never_vary_by_cookie(seller):
    html = seller.get("/clients/").get_data(as_text=True)
    stylesheets, scripts = static_urls(html)
    icons = re.findall(r'href="(/static/[^"#]+)', html)
    for url in {*stylesheets, *scripts, *icons}:
        assert VERSIONED.match(url), url
        response = fetch(seller, url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "Cookie" not in response.headers.get("Vary", ""), url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_old_static_urls_still_work_revalidated_each_time(seller):
    current = fetch(seller, next(u for u in static_urls(seller.get("/clients/").text)[1]))
    for old in ("/static/js/app.js", "/static/0123456789ab/js/app.js"):
        response = fetch(seller, old)
        assert response.status_code == 200, old
        assert response.headers["Cache-Control"] == "no-cache"
        assert "Cookie" not in response.headers.get("Vary", "")
    assert current.status_code == 200
    assert fetch(seller, "/static/js/nothing-here.js").status_code == 404


def test_one_stylesheet_blocks_the_first_paint():
    layout = (ROOT / "templates" / "base.html").read_text()
    assert len(re.findall(r'rel="stylesheet"', layout)) == 1


def test_the_service_worker_precaches_each_file_once_under_the_pages_urls(seller):
    worker = seller.get("/sw.js").get_data(as_text=True)
    shell = json.loads(re.search(r"const SHELL = (\[.*\]);", worker).group(1))
    root = json.loads(re.search(r"const STATIC_ROOT = (.*);", worker).group(1))
    assert len(shell) == len(set(shell))
    assert VERSIONED.match(root)
    assert all(url.startswith(root) for url in shell if url.startswith("/static/"))
    imports = re.findall(r'^import .* from "([^"]+)";', worker, re.MULTILINE)
    assert imports and all(url in shell for url in imports), imports
    html = seller.get("/clients/").get_data(as_text=True)
    stylesheets, scripts = static_urls(html)
    for url in [*stylesheets, *module_graph(seller, scripts)]:
        assert url in shell, url
    offline = seller.get("/offline/shell").get_data(as_text=True)
    for url in module_graph(seller, static_urls(offline)[1]):
        assert url in shell, url


def test_the_client_list_first_load_fits_its_budget(seller):
    page = fetch(seller, "/clients/")
    html = gzip.decompress(page.data).decode()
    stylesheets, scripts = static_urls(html)
    modules = module_graph(seller, scripts)
    assert not [url for url in modules if "background" in url or "store" in url]
    script_bytes = sum(len(fetch(seller, url).data) for url in modules)
    css_bytes = sum(len(fetch(seller, url).data) for url in stylesheets)
    total = len(page.data) + css_bytes + script_bytes
    assert script_bytes <= FIRST_LOAD_SCRIPT_BYTES, script_bytes
    assert total <= FIRST_LOAD_BYTES, (len(page.data), css_bytes, script_bytes)


def test_a_search_swap_fits_its_budget(seller):
    fragment = fetch(seller, "/clients/?q=almac", **{"HX-Request": "true"})
    body = gzip.decompress(fragment.data).decode()
    assert "<html" not in body and "Almacén Número" in body
    assert len(fragment.data) <= SEARCH_FRAGMENT_BYTES
