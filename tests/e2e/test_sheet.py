"""The collector's daily sheet at 360x740, worked with one thumb: the first client above the
fold, a call saved from a row back on that row (stamped), a one-tap "No atiende" that stamps
its row without leaving the page, zones loaded when opened, and no serious axe finding."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.models import User
from app.collections.models import CollectionCall
from app.core.types import local_today
from app.extensions import db
from tests.e2e.conftest import (
    PASSWORD,
    axe_violations,
    fill_login_form,
    phone_context,
    violations_text,
    watched_page,
)

PHONE = {"width": 360, "height": 740}
TOPBAR = 56  # the sticky top bar's height
PENDING = ".sheet-zone[open] li.sheet-row:not(.done)"


def client_id_of(row) -> int:
    """The client of a sheet row (its id is sheet-client-<id>)."""
    return int(row.get_attribute("id").removeprefix("sheet-client-"))


def counted(page) -> int:
    """How many clients the counter says were worked."""
    return int(re.match(r"(\d+) de", page.locator("#sheet-progress").inner_text()).group(1))


def last_call(live_app, client_id: int) -> CollectionCall:
    """The newest call logged for a client."""
    with live_app.app_context():
        call = db.session.scalar(
            sa.select(CollectionCall)
            .where(CollectionCall.client_id == client_id)
            .order_by(CollectionCall.id.desc())
        )
        db.session.expunge(call)
        return call


@pytest.fixture
def collector(browser, live_server, errors):
    """cobrador1 signed in on a 360x740 phone whose pages let axe-core's script in."""
    context = phone_context(
        browser, live_server, errors, viewport=PHONE, screen=PHONE, bypass_csp=True
    )
    page = watched_page(context, errors)
    fill_login_form(page, "cobrador1", PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)
    yield page
    context.close()


def assert_no_serious_axe_finding(page) -> None:
    """axe-core finds nothing serious or critical on the page as it is now."""
    found = axe_violations(page)
    assert not found, "axe-core on the sheet:\n" + violations_text(found)


def test_the_first_client_and_its_buttons_are_above_the_fold(collector, errors):
    # tomorrow's sheet: nothing worked yet, so its first row is a whole one
    tomorrow = local_today() + timedelta(days=1)
    collector.goto(f"/collections/?date={tomorrow.isoformat()}")
    first = collector.locator("li.sheet-row").first
    expect(first).to_be_visible()
    nav_top = collector.locator(".bottomnav").bounding_box()["y"]
    for control in (
        first.locator(".sheet-client"),
        first.get_by_role("link", name="Registrar gestión"),
    ):
        box = control.bounding_box()
        assert box["y"] + box["height"] <= nav_top, "under the bottom navigation"
        assert box["height"] >= 44, "too small for a thumb"
    for button in first.locator(".sheet-actions .button, .sheet-actions button").all():
        assert button.bounding_box()["height"] >= 44
    summary = collector.locator(".sheet-picker > summary")
    expect(summary).to_have_text(re.compile(rf"^\w+ {tomorrow.day}/{tomorrow.month} · "))
    expect(collector.locator(".sheet-order")).to_be_hidden()  # the explanation is folded
    summary.tap()
    expect(collector.locator(".sheet-order")).to_be_visible()
    errors.assert_none(ignore=(r"/push/", r"Notification"))


def test_a_call_from_a_row_comes_back_to_it_and_no_atiende_stamps_in_place(
    collector, live_app, errors, artifacts
):
    page = collector
    page.goto("/collections/")
    assert_no_serious_axe_finding(page)

    # A call with a promise, from the first row still to work.
    row = page.locator(PENDING).first
    client_id = client_id_of(row)
    row.get_by_role("link", name="Registrar gestión").tap()
    expect(page.get_by_role("heading", name="Registrar gestión")).to_be_visible()
    page.locator("label.tile", has_text="Teléfono").tap()
    page.locator("label.tile", has_text="Promete pagar").tap()
    page.locator("#promise_amount").fill("15.000")
    page.locator("#promise_date").fill((local_today() + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Guardar gestión").tap()

    page.wait_for_url(lambda url: url.endswith(f"#sheet-client-{client_id}"))
    row = page.locator(f"#sheet-client-{client_id}")
    call = last_call(live_app, client_id)
    assert (call.outcome, call.promise_amount) == ("promise", Decimal("15000.00"))
    expect(row.locator(".sheet-stamp")).to_have_text(
        re.compile(r"^Gestionado \d\d:\d\d · Promete (US)?\$\s15\.000,00$")
    )
    box = row.bounding_box()
    assert box["y"] >= TOPBAR and box["y"] + box["height"] <= PHONE["height"], box

    # One tap, no new page: the next row to work says nobody answered.
    page.goto("/collections/")
    row = page.locator(PENDING).first
    client_id = client_id_of(row)
    url, before = page.url, counted(page)
    row.get_by_role("button", name="No atiende").tap()
    row = page.locator(f"#sheet-client-{client_id}")
    expect(row.locator(".sheet-stamp")).to_have_text(
        re.compile(r"^Gestionado \d\d:\d\d · Sin respuesta$")
    )
    expect(page.locator("#sheet-progress")).to_contain_text(f"{before + 1} de ")
    assert page.url == url
    call = last_call(live_app, client_id)
    with live_app.app_context():
        collector_id = db.session.scalar(sa.select(User.id).where(User.username == "cobrador1"))
    assert (call.channel, call.outcome, call.user_id) == ("phone", "no_answer", collector_id)

    # A folded zone loads its rows when opened.
    folded = page.locator(".sheet-zone:not([open])").first.get_attribute("id")
    zone = page.locator(f"#{folded}")
    expect(zone.locator("li.sheet-row")).to_have_count(0)
    zone.locator("summary").tap()
    expect(zone.locator("li.sheet-row").first).to_be_visible()

    assert_no_serious_axe_finding(page)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "sheet-worked.png"))
    errors.assert_none(ignore=(r"/push/", r"Notification"))
