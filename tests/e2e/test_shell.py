"""The app shell in a real phone-sized Chromium: sign-in, navigation, search, offline."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import VIEWPORT, wait_for_sync

pytestmark = pytest.mark.e2e

MIN_TAP_TARGET_PX = 44
ROWS = "#results ul.list > li"
NAV_LINKS = "nav.bottomnav a"
BADGE = ".topbar [data-online-indicator]"
LOGIN_URL = re.compile(r"/login(\?|$)")


# App bug (reported, not fixed here): templates/core/offline.html has no <link rel="icon">,
# unlike templates/base.html:10, so Chromium falls back to GET /favicon.ico, which is neither
# precached by the service worker nor served by the app. Offline, that request fails and
# Chromium logs an error on the offline page.
def nav_labels(page) -> list[str]:
    """The visible labels of the bottom navigation, in order."""
    return [text.strip() for text in page.locator(NAV_LINKS).all_inner_texts()]


def assert_no_horizontal_scroll(page) -> None:
    """Nothing sticks out sideways at the phone's width."""
    widths = page.evaluate(
        "() => ({doc: document.documentElement.scrollWidth, body: document.body.scrollWidth})"
    )
    assert widths["doc"] <= VIEWPORT["width"], (page.url, widths)
    assert widths["body"] <= VIEWPORT["width"], (page.url, widths)


def test_salesperson_shell_fits_a_phone(page, sign_in, errors, artifacts):
    sign_in("vendedor1")

    # a salesperson starts on the day's route, then opens the client list
    expect(page).to_have_url(re.compile(r"/route/$"))
    expect(page.locator(NAV_LINKS, has_text="Hoy")).to_have_attribute("aria-current", "page")
    assert_no_horizontal_scroll(page)
    page.locator(NAV_LINKS, has_text="Clientes").click()
    expect(page).to_have_url(re.compile(r"/clients/$"))
    expect(page.locator(".topbar a.user")).to_have_attribute(
        "aria-label", re.compile("Martín Acosta")
    )
    expect(page.get_by_role("link", name=re.compile("Mi cuenta: Martín Acosta"))).to_be_visible()
    assert nav_labels(page) == ["Hoy", "Clientes", "Pedidos", "Cobranzas"]
    expect(page.locator(NAV_LINKS, has_text="Aprobaciones")).to_have_count(0)
    expect(page.locator(NAV_LINKS, has_text="Clientes")).to_have_attribute("aria-current", "page")
    expect(page.locator(ROWS).first).to_be_visible()
    assert page.locator(ROWS).count() >= 3
    expect(page.locator(BADGE)).to_have_text("En línea")

    assert_no_horizontal_scroll(page)
    links = page.locator(NAV_LINKS)
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box is not None, f"nav link {index} is not rendered"
        assert box["height"] >= MIN_TAP_TARGET_PX, (nav_labels(page)[index], box)
        assert box["width"] >= MIN_TAP_TARGET_PX, (nav_labels(page)[index], box)
        # The bar is on screen, at the bottom of the viewport.
        assert box["y"] + box["height"] <= VIEWPORT["height"] + 1, box
    page.screenshot(path=str(artifacts / "shell-vendedor1.png"))

    # Every section of the shell fits the phone too, without errors.
    for label in ["Pedidos", "Cobranzas", "Clientes"]:
        page.locator(NAV_LINKS, has_text=label).click()
        expect(page.locator(NAV_LINKS, has_text=label)).to_have_attribute("aria-current", "page")
        page.wait_for_load_state()
        assert_no_horizontal_scroll(page)
    # the sync page is the header's connection badge, a tap target of its own
    sync = page.get_by_role("link", name=re.compile(r"Sincronizar:\s*En línea"))
    box = sync.bounding_box()
    assert box is not None and box["height"] >= MIN_TAP_TARGET_PX, box
    sync.click()
    expect(page).to_have_url(re.compile(r"/sync/$"))
    assert_no_horizontal_scroll(page)

    errors.assert_none()


def test_supervisor_sees_and_opens_approvals(page, sign_in, errors):
    sign_in("supervisor")

    expect(page.get_by_role("link", name=re.compile("Mi cuenta: Carolina Méndez"))).to_be_visible()
    assert nav_labels(page) == [
        "Hoy",
        "Clientes",
        "Pedidos",
        "Cobranzas",
        "Aprobaciones",
        "Informes",
    ]
    page.locator(NAV_LINKS, has_text="Aprobaciones").click()

    expect(page).to_have_url(re.compile(r"/credit/approvals$"))
    # The heading carries the number of requests she can decide, as the badge does.
    badge = page.locator("#approvals-badge").get_attribute("data-count")
    expect(page.locator("main h1")).to_have_text(f"Aprobaciones {badge}")
    expect(page.locator(NAV_LINKS, has_text="Aprobaciones")).to_have_attribute(
        "aria-current", "page"
    )
    errors.assert_none()


def test_salesperson_cannot_open_approvals(page, sign_in):
    sign_in("vendedor1")

    response = page.goto("/credit/approvals")

    assert response is not None and response.status == 403


def test_anonymous_visitor_must_sign_in(page, sign_in, errors):
    page.goto("/clients/")

    expect(page).to_have_url(re.compile(r"/login\?next=/clients/"))
    expect(page.locator("input[name=username]")).to_be_visible()
    expect(page.locator("nav.bottomnav")).to_have_count(0)

    # on this page, so the page first asked for is kept through the failed attempt
    page.locator("input[name=username]").fill("vendedor2")
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("form button[type=submit]").click()
    expect(page.get_by_text("Usuario o contraseña incorrectos.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login\?next=/clients/"))
    expect(page.locator("nav.bottomnav")).to_have_count(0)

    # The right password then brings the visitor back to the page first asked for.
    page.locator("input[name=username]").fill("vendedor2")
    page.locator("input[name=password]").fill("demo1234")
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/clients/$"))
    expect(page.get_by_role("link", name=re.compile("Mi cuenta: Paula Giménez"))).to_be_visible()

    # The rejected sign-in answers 422, which Chromium reports as a failed resource.
    errors.assert_none(ignore=(r"status of 422",))


def _narrowing_term(texts: list[str]) -> str:
    """Part of a client's name that some, but not all, of the listed clients match."""
    candidates = set()
    for text in texts:
        for word in re.findall(r"[A-Za-z]{5,}", text.splitlines()[0]):
            candidates.add(word[:5].lower())
    scored = []
    for term in candidates:
        matches = sum(term in text.lower() for text in texts)
        if 0 < matches < len(texts):
            scored.append((matches, term))
    assert scored, f"no search term narrows these clients: {texts}"
    return min(scored)[1]


def test_active_search_narrows_the_list_without_reloading(page, sign_in, errors):
    sign_in("vendedor1")
    page.goto("/clients/")  # a salesperson starts on Hoy
    rows = page.locator(ROWS)
    expect(rows.first).to_be_visible()
    before = rows.count()
    texts = rows.all_inner_texts()
    term = _narrowing_term(texts)
    page.evaluate("() => { window.__e2eSamePage = 'still here'; }")

    search = page.locator("input[name=q]")
    with page.expect_response(
        lambda r: "/clients/" in r.url and f"q={term}" in r.url and r.request.method == "GET"
    ) as response_info:
        search.press_sequentially(term, delay=40)
    response = response_info.value
    assert response.ok
    assert response.request.headers.get("hx-request") == "true"

    expect(page).to_have_url(re.compile(rf"/clients/\?q={term}$"))
    expect(rows).not_to_have_count(before)
    after = rows.count()
    assert 0 < after < before, (term, before, after)
    for text in rows.all_inner_texts():
        assert term in text.lower(), (term, text)
    # Only the results were swapped: the page, its shell and its typed text are the same.
    assert page.evaluate("() => window.__e2eSamePage") == "still here"
    expect(search).to_have_value(term)
    expect(search).to_be_focused()
    expect(page.locator(".topbar")).to_have_count(1)
    expect(page.locator("#results #results, #results nav, #results h1")).to_have_count(0)
    errors.assert_none()


def _install_service_worker(page, base_url: str) -> None:
    """Wait until the worker is active for the whole app and controls the reloaded page."""
    scope = page.evaluate(
        "() => navigator.serviceWorker.ready.then((registration) => registration.scope)"
    )
    assert scope == f"{base_url}/"
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10_000)
    wait_for_sync(page)


def test_service_worker_and_offline(page, context, sign_in, errors, live_server):
    sign_in("vendedor1")
    _install_service_worker(page, live_server)
    badge = page.locator(BADGE)
    html = page.locator("html")
    expect(badge).to_have_text("En línea")
    expect(html).not_to_have_class(re.compile(r"\boffline\b"))

    synced = wait_for_sync(page)
    context.set_offline(True)
    expect(badge).to_have_text("Sin conexión")
    expect(html).to_have_class(re.compile(r"\boffline\b"))

    context.set_offline(False)
    expect(badge).to_have_text("En línea")
    expect(html).not_to_have_class(re.compile(r"\boffline\b"))
    wait_for_sync(page, after=synced)  # the network's return brings a sync: let it end

    # A page never opened before cannot come from the network: the offline app says so,
    # inside the app, with the way to what works offline.
    context.set_offline(True)
    response = page.goto("/orders/")
    assert response is not None and response.from_service_worker
    expect(page).to_have_url(re.compile(r"/orders/$"))
    expect(page).to_have_title(re.compile("No disponible sin conexión"))
    expect(page.locator("main h1")).to_have_text("No disponible sin conexión")
    page.get_by_role("link", name="Mis clientes").click()
    expect(page).to_have_url(re.compile(r"/clients/$"))
    expect(page.locator("#offline-view")).to_have_attribute("data-route", "clients")

    # With no copy of the app for this user (never signed in here), the bare offline page.
    page.evaluate(
        "async () => { for (const name of await caches.keys()) "
        "{ if (name.startsWith('pages-')) await caches.delete(name); } }"
    )
    page.goto("/orders/")
    expect(page).to_have_title(re.compile("Sin conexión"))
    expect(page.locator("main h2")).to_have_text("Sin conexión")
    expect(page.get_by_role("link", name="Reintentar")).to_be_visible()

    # Back online, "Reintentar" goes to the app again: a salesperson's home, Hoy.
    context.set_offline(False)
    page.get_by_role("link", name="Reintentar").click()
    expect(page).to_have_url(re.compile(r"/route/$"))
    expect(page.locator(BADGE)).to_have_text("En línea")
    # Only the known favicon bug is tolerated; test_offline_page_logs_no_errors tracks it.
    errors.assert_none()


def test_offline_views_log_no_errors(page, context, sign_in, errors, live_server):
    sign_in("vendedor1")
    _install_service_worker(page, live_server)
    favicon: list[str] = []  # how each request for the favicon ended
    for outcome in ("requestfinished", "requestfailed"):
        context.on(
            outcome,
            lambda request, outcome=outcome: (
                favicon.append(outcome) if "/icons/icon.svg" in request.url else None
            ),
        )
    context.set_offline(True)

    page.goto("/collections/")

    expect(page.locator("main h1")).to_have_text("No disponible sin conexión")
    page.wait_for_load_state("load")
    # The favicon is asked for after "load": wait for its answer, which the worker's copy gives.
    deadline = time.monotonic() + 10
    while not favicon:
        assert time.monotonic() < deadline, "the favicon was never asked for"
        page.wait_for_timeout(50)
    assert set(favicon) == {"requestfinished"}
    errors.assert_none()


def test_sign_out(page, sign_in, errors):
    sign_in("vendedor1")
    page.get_by_role("link", name=re.compile("Mi cuenta: Martín Acosta")).click()
    expect(page).to_have_url(re.compile(r"/account$"))

    page.get_by_role("button", name="Cerrar sesión").click()

    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_text("Cerraste la sesión.")).to_be_visible()
    page.goto("/clients/")
    expect(page).to_have_url(re.compile(r"/login\?next=/clients/"))
    expect(page.locator("nav.bottomnav")).to_have_count(0)
    errors.assert_none()
