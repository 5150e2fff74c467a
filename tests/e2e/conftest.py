"""Browser tests: the app on a live local server, driven by Debian's Chromium.

No browser is downloaded: Playwright launches /usr/bin/chromium. Everything talks to
127.0.0.1 only. Without Chromium the tests are skipped, except in CI, where they must run.
"""

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app
from app.demo.commands import load_demo_data
from app.extensions import db
from tests.conftest import app_config
from tests.e2e.netproxy import proxied_server  # noqa: F401  (a fixture)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() == "true"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# axe-core, pinned (tests/e2e/vendor/VERSIONS.txt); injected into a page by axe_violations.
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PASSWORD = "demo1234"
TIMEOUT_MS = 10_000
VIEWPORT = {"width": 360, "height": 760}
# werkzeug's development server (serving.py, run_wsgi's execute) reads what is left on the
# socket before it closes the answer's file; when the browser's connection was cut mid-answer
# (these tests cut it on purpose) that read raises first, and the static file's handle is
# left to the garbage collector, which warns later in whatever test runs then.
DROPPED_STATIC_FILE = (
    "ignore:Exception ignored in. <_io.FileIO name='[^']*/static/"
    ":pytest.PytestUnraisableExceptionWarning"
)

# Collect Content-Security-Policy violations straight from the DOM event, so a blocked
# inline script or style is caught even if Chromium words its console message differently.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__e2eReportCsp(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || location.href}:${event.lineNumber}`);
});
"""


def pytest_collection_modifyitems(items):
    """The browser tests tolerate only that warning (see DROPPED_STATIC_FILE)."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.filterwarnings(DROPPED_STATIC_FILE))


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app the live server runs, over a migrated SQLite file with demo data.

    A test may add rows of its own in `with live_app.app_context():` (and commit them).
    """
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}"
    app = create_app(app_config(url))
    with app.app_context():
        upgrade()
        load_demo_data(clients=60, seed=3)
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve `app` on a random local port for the duration; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    """The live app on a random local port."""
    with serving(live_app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (Debian's, never a downloaded one)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed: the browser tests need Debian's chromium"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@dataclass
class BrowserErrors:
    """What went wrong inside the page: console errors, uncaught errors, CSP violations."""

    console: list[str] = field(default_factory=list)
    page: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)

    def all(self, ignore: tuple[str, ...] = ()) -> list[str]:
        """Every error, minus those matching one of the `ignore` regular expressions."""
        found = [f"console: {m}" for m in self.console]
        found += [f"pageerror: {m}" for m in self.page]
        found += [f"csp: {m}" for m in self.csp]
        return [m for m in found if not any(re.search(p, m) for p in ignore)]

    def assert_none(self, ignore: tuple[str, ...] = ()) -> None:
        """Fail when the page logged an error or violated the CSP."""
        errors = self.all(ignore)
        assert not errors, "errors in the browser:\n" + "\n".join(errors)


@pytest.fixture
def errors() -> BrowserErrors:
    """The console errors, page errors and CSP violations of this test's browser."""
    return BrowserErrors()


def phone_context(browser, base_url: str, errors, **extra):
    """A fresh phone-sized browser profile (no cookies, no service worker) that records its
    errors into `errors`; `extra` adds context options (a location, permissions) or replaces
    one (another viewport)."""
    options = {
        "base_url": base_url,
        "viewport": VIEWPORT,
        "screen": VIEWPORT,
        "locale": "es-AR",
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
        "service_workers": "allow",
    }
    context = browser.new_context(**(options | extra))
    watch_context(context, errors)
    return context


@pytest.fixture
def context(browser, live_server, errors):
    """A fresh phone-sized browser profile per test."""
    context = phone_context(browser, live_server, errors)
    yield context
    context.close()


@pytest.fixture
def proxied_context(browser, proxied_server, errors):  # noqa: F811
    """Like `context`, through this test's NetProxy: cut the network with proxied_server.mode.

    Playwright's set_offline does not reach the service worker's own requests; the proxy does.
    """
    context = phone_context(browser, proxied_server.url, errors)
    yield context
    context.close()


@pytest.fixture
def page(context, errors):
    """A tab in the fresh profile that records its errors."""
    return watched_page(context, errors)


def watch_context(context, errors) -> None:
    """Timeouts, and CSP violations reported into `errors`, for every page of a context."""
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    context.expose_binding("__e2eReportCsp", lambda _source, message: errors.csp.append(message))
    context.add_init_script(CSP_LISTENER)


def watched_page(context, errors):
    """A new tab whose console errors and uncaught exceptions go into `errors`."""
    page = context.new_page()
    page.on(
        "console",
        lambda msg: (
            errors.console.append(f"{msg.text} ({msg.location.get('url', '')})")
            if msg.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.page.append(str(exc)))
    return page


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


WAIT_FOR_SYNC = """async (after) => {
  const { getMeta } = await import(document.documentElement.dataset.static + "js/store.js");
  for (;;) {
    const meta = await getMeta();
    if (meta.last_sync && meta.last_sync > after) return meta.last_sync;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}"""


def wait_for_sync(page, after: str = "") -> str:
    """Wait until the phone's copy finished a sync (one later than `after`, an ISO time)."""
    return page.evaluate(WAIT_FOR_SYNC, after)


def fill_login_form(page, username: str, password: str) -> None:
    """Open the sign-in page and submit its form."""
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").click()


@pytest.fixture
def sign_in(page):
    """Sign in through the real form; returns once the app has left the sign-in page."""

    def sign_in(username: str, password: str = PASSWORD) -> None:
        fill_login_form(page, username, password)
        page.wait_for_url(lambda url: "/login" not in url)
        page.wait_for_load_state()

    return sign_in


RUN_AXE = """async (impacts) => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations
    .filter((violation) => impacts.includes(violation.impact))
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => `${node.target.join(" ")}: ${node.failureSummary}`),
    }));
}"""


def axe_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """What axe-core finds wrong on the page as it is now, at these impacts.

    The page's Content-Security-Policy refuses the injected script unless its context was
    made with bypass_csp=True.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, list(impacts))


def violations_text(violations: list[dict]) -> str:
    """axe's findings, one line per node, for a failing assertion."""
    return "\n".join(
        f"{v['impact']} {v['id']} ({v['help']}):\n  " + "\n  ".join(v["nodes"]) for v in violations
    )
