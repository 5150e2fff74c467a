"""Page weight over HTTP: what a phone downloads to open a page, compressed, as a demo user.

For each page: the HTML, the one stylesheet and the scripts it links with every module they
import statically (a dynamic import() loads later, when the page is idle or needs it), each
fetched once with `Accept-Encoding: br, gzip` and counted as sent; and an htmx swap (the
client list's search). The report holds them to issue 20's targets (report_text).
Lighthouse's scores are not measured here (it needs its own Chromium run: see the README's
Performance section).
"""

import re
from urllib.parse import urljoin

import requests

from app.demo.reference import DEMO_PASSWORD

# (label, demo user, path)
PAGES = [
    ("client list", "vendedor1", "/clients/"),
    ("route day", "vendedor1", "/route/"),
    ("collector's sheet", "cobrador1", "/collections/"),
    ("approvals", "supervisor", "/credit/approvals"),
]
SWAP = ("client list search (htmx)", "vendedor1", "/clients/?q=almacen")
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
SCRIPT = re.compile(r'<script\b[^>]*\bsrc="([^"]+)"')
STATIC_IMPORT = re.compile(
    r'^\s*(?:import|export)\b[^;()]*?\bfrom\s*["\']([^"\']+)["\']|^\s*import\s*["\']([^"\']+)["\']',
    re.MULTILINE,
)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def signed_in(base: str, username: str) -> requests.Session:
    """A session signed in as a demo user through the sign-in form."""
    session = requests.Session()
    form = session.get(f"{base}/login", timeout=30).text
    token = CSRF.search(form).group(1)
    answer = session.post(
        f"{base}/login",
        data={"csrf_token": token, "username": username, "password": DEMO_PASSWORD},
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code != 303:
        raise RuntimeError(f"{username} could not sign in ({answer.status_code})")
    return session


def sent(session: requests.Session, url: str, **headers) -> tuple[int, bytes]:
    """The bytes the server sent for url (compressed when it compressed) and the body."""
    with session.get(
        url, headers={"Accept-Encoding": "br, gzip", **headers}, stream=True, timeout=30
    ) as answer:
        answer.raise_for_status()
        wire = answer.raw.read(decode_content=False)
        body = answer.content if not wire else _decoded(answer, wire)
    return len(wire), body


def _decoded(answer: requests.Response, wire: bytes) -> bytes:
    encoding = answer.headers.get("Content-Encoding", "")
    if encoding == "gzip":
        import gzip

        return gzip.decompress(wire)
    if encoding == "br":
        import brotli

        return brotli.decompress(wire)
    return wire


def page_weight(base: str, username: str, path: str) -> dict:
    """The first load of one page: requests and compressed bytes, HTML, CSS and JS apart."""
    session = signed_in(base, username)
    html_bytes, html = sent(session, f"{base}{path}")
    page = html.decode()
    css = [urljoin(base + path, url) for url in STYLESHEET.findall(page)]
    scripts = [urljoin(base + path, url) for url in SCRIPT.findall(page)]
    seen: list[str] = []
    js_bytes = 0
    while scripts:
        url = scripts.pop()
        if url in seen:
            continue
        seen.append(url)
        size, source = sent(session, url)
        js_bytes += size
        for match in STATIC_IMPORT.finditer(source.decode()):
            scripts.append(urljoin(url, match.group(1) or match.group(2)))
    css_bytes = sum(sent(session, url)[0] for url in css)
    return {
        "requests": 1 + len(css) + len(seen),
        "html_kb": html_bytes / 1024,
        "css_kb": css_bytes / 1024,
        "js_kb": js_bytes / 1024,
        "total_kb": (html_bytes + css_bytes + js_bytes) / 1024,
    }


def measure(base: str) -> dict:
    """Every page's first load and the search swap."""
    figures = {label: page_weight(base, user, path) for label, user, path in PAGES}
    label, user, path = SWAP
    size, _body = sent(signed_in(base, user), f"{base}{path}", **{"HX-Request": "true"})
    figures[label] = {"requests": 1, "total_kb": size / 1024}
    return figures
