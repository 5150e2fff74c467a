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


def test_the_suggested_order_starts_from_the_phone_when_its_owner_shares_it(
    browser,
    live_server,
    live_app,
    errors,
    route_seller,  # noqa: F811
):
    """Three shops on a line; from a point past the third one, the suggestion runs backwards."""
    from app.clients.models import Address, Client

    first, second, third = route_seller["clients"]
    with live_app.app_context():
        # no time window: the order is the distance's alone, whatever the hour the test runs
        db.session.get(Client, first).visit_from = db.session.get(Client, first).visit_to = None
        for n, client_id in enumerate((first, second, third)):
            db.session.add(
                Address(client_id=client_id, kind="fiscal", street="Ruta 2",
                        latitude=f"{-34.60 - 0.01 * n:.6f}", longitude="-58.400000")
            )  # fmt: skip
        db.session.commit()
    past_third = {"latitude": -34.65, "longitude": -58.40, "accuracy": 20}
    context = phone_context(
        browser, live_server, errors, geolocation=past_third, permissions=["geolocation"]
    )
    page = watched_page(context, errors)
    fill_login_form(page, route_seller["username"], PASSWORD)
    page.wait_for_url("**/route/")
    page.get_by_role("link", name="Ordenar").click()
    order = page.locator("ol.suggested input[name=order]")
    expect(order).to_have_count(3)
    assert [order.nth(i).get_attribute("value") for i in range(3)] == [
        str(first), str(second), str(third)
    ]  # fmt: skip
    page.get_by_role("button", name="Usar mi ubicación").click()
    expect(page.locator("[data-location-status]")).to_have_text("Ubicación registrada")
    page.get_by_role("button", name="Sugerir desde ahí").click()
    expect(page.get_by_text("Desde tu ubicación")).to_be_visible()
    assert [order.nth(i).get_attribute("value") for i in range(3)] == [
        str(third), str(second), str(first)
    ]  # fmt: skip
    page.get_by_role("button", name="Aceptar este orden").click()
    page.wait_for_url("**/route/")
    names = page.locator("ol.stops .stop-name").all_inner_texts()
    assert names == ["Autoservicio Parada Tres", "Kiosco El Desvío", "Almacén La Ruta"]
    context.close()
