"""Hoy online at 360 px: an outcome recorded from a stop's form (htmx) takes the phone's
location only when its owner already allowed it, and never asks on the way."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.route.models import Visit
from tests.e2e.conftest import PASSWORD, fill_login_form, phone_context, watched_page
from tests.e2e.test_route_offline import route_seller  # noqa: F401  (fixture)

pytestmark = pytest.mark.e2e
DOOR = {"latitude": -34.603722, "longitude": -58.381592, "accuracy": 30}


def record(page, stop_index: int, outcome: str, reason: str | None) -> None:
    stop = page.locator("ol.stops > li.stop").nth(stop_index)
    stop.locator("summary", has_text="Resultado").click()
    stop.locator(f"input[name=outcome][value={outcome}]").check()
    if reason:
        stop.locator("select[name=reason_id]").select_option(label=reason)
    stop.get_by_role("button", name="Guardar resultado").click()


def visits(live_app, client_ids) -> dict:
    with live_app.app_context():
        rows = db.session.scalars(sa.select(Visit).where(Visit.client_id.in_(client_ids))).all()
        return {v.client_id: v for v in rows}


@pytest.mark.parametrize("allowed", [True, False], ids=["location-allowed", "not-allowed"])
def test_an_outcome_from_hoy_keeps_the_location_only_when_allowed(
    browser,
    live_server,
    live_app,
    errors,
    route_seller,  # noqa: F811
    allowed,
):
    extra = {"geolocation": DOOR, "permissions": ["geolocation"]} if allowed else {}
    context = phone_context(browser, live_server, errors, **extra)
    page = watched_page(context, errors)
    asked = []
    page.expose_function("noteAsked", lambda: asked.append(True))
    if not allowed:  # a prompt would be a call to getCurrentPosition: count them
        page.add_init_script("navigator.geolocation.getCurrentPosition = () => window.noteAsked();")
    fill_login_form(page, route_seller["username"], PASSWORD)
    page.wait_for_url("**/route/")
    first, second, _third = route_seller["clients"]
    record(page, 1, "skipped", "Cerrado")
    stop = page.locator(f"#stop-{second}")
    expect(stop).to_have_attribute("data-state", "skipped")
    expect(stop.locator(".state-chip")).to_have_text("Salteada")
    record(page, 0, "collected", None)
    expect(page.locator(f"#stop-{first}")).to_have_attribute("data-state", "visited")
    found = visits(live_app, [first, second])
    assert {cid: v.outcome for cid, v in found.items()} == {first: "collected", second: "skipped"}
    if allowed:
        assert float(found[first].latitude) == pytest.approx(DOOR["latitude"], abs=1e-6)
        assert found[second].location_accuracy == 30
    else:
        assert found[first].latitude is None and found[second].latitude is None
        assert asked == []
    page.reload()
    expect(page.locator(".route-counter")).to_have_text("2 de 3")
    context.close()
