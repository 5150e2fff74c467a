"""A prospect registered at the door on a 360 px phone: online with the short form, and offline
through the outbox, where it arrives once; a tax id another salesperson's client holds comes
back refused, with the server's message in the pending list."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from stdnum.ar import cuit

from app.auth.models import User
from app.clients.models import Address, Client
from app.extensions import db
from tests.e2e.test_offline import (  # noqa: F401  (phone is a fixture)
    SETTLED,
    go_offline,
    go_online,
    open_offline,
    phone,
)

pytestmark = pytest.mark.e2e

DOOR = {"latitude": -34.527714, "longitude": -58.476329}
REFUSED_ELSEWHERE = (
    "Ya existe un cliente con ese CUIT en otra cartera; pedí al back office que te lo asigne."
)


def free_cuit(live_app, start: int) -> str:
    """A valid person's CUIT no client has, written as people do ("20-12345678-6")."""
    with live_app.app_context():
        taken = set(db.session.scalars(sa.select(Client.tax_id)))
        db.session.remove()
    for n in range(start, start + 1000):
        body = f"20{n:08d}"
        number = body + cuit.calc_check_digit(body)
        if number not in taken:
            return cuit.format(number)
    raise AssertionError("no free CUIT")


def clients_with(live_app, tax_id: str) -> list[tuple[str, str | None, int | None]]:
    """(state, salesperson's username, client id) of the clients with this tax id."""
    with live_app.app_context():
        rows = db.session.execute(
            sa.select(Client.state, User.username, Client.id)
            .outerjoin(User, User.id == Client.salesperson_id)
            .where(Client.tax_id == cuit.compact(tax_id))
        ).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def someone_elses_cuit(live_app) -> str:
    """The CUIT of one of vendedor2's clients that no other client shares."""
    with live_app.app_context():
        seller = db.session.scalar(sa.select(User).where(User.username == "vendedor2"))
        shared = (
            sa.select(Client.tax_id).group_by(Client.tax_id).having(sa.func.count() > 1)
        ).scalar_subquery()
        tax_id = db.session.scalar(
            sa.select(Client.tax_id)
            .where(
                Client.salesperson_id == seller.id,
                Client.tax_id.is_not(None),
                Client.tax_id.not_in(shared),
            )
            .order_by(Client.id)
            .limit(1)
        )
        db.session.remove()
    return cuit.format(tax_id)


def fill_prospect(page, trade_name: str, tax_id: str, street: str) -> None:
    """Type a prospect into the offline form (its ids are the shell's)."""
    page.locator("#prospect-trade-name").fill(trade_name)
    page.locator("#prospect-tax-id").fill(tax_id)
    page.locator("#prospect-mobile").fill("11 5555-1234")
    page.locator("#prospect-street").fill(street)
    page.locator("#prospect-city").fill("Vicente López")
    page.locator("#prospect-province").fill("Buenos Aires")


def save_prospect(page) -> None:
    """Save the offline form: the status page says it was kept on the phone."""
    page.get_by_role("button", name="Guardar prospecto").click()
    expect(page).to_have_url(re.compile(r"/sync/$"))
    expect(page.locator("#offline-view[data-route=status] [data-slot=saved]")).not_to_be_empty()


def test_a_prospect_registered_offline_arrives_once_and_a_known_cuit_is_refused(
    proxied_context,
    proxied_server,
    live_app,
    errors,
    artifacts,
    phone,  # noqa: F811
):
    context, proxy, page = proxied_context, proxied_server, phone
    context.grant_permissions(["geolocation"], origin=proxy.url)
    context.set_geolocation(DOOR)
    new_cuit = free_cuit(live_app, 41_000_000)
    known_cuit = someone_elses_cuit(live_app)
    assert len(clients_with(live_app, known_cuit)) == 1

    go_offline(context, proxy)
    # The offline client list offers the form; the form says the padrón needs a connection.
    page.goto("/clients/")
    page.get_by_role("link", name="Nuevo prospecto").click()
    expect(page).to_have_url(re.compile(r"/clients/new$"))
    expect(page.locator("#offline-view")).to_have_attribute("data-route", "prospect")
    expect(page.get_by_text("Sin conexión no se puede buscar en el padrón")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    # Nothing typed: the phone says what is missing and keeps nothing.
    page.get_by_role("button", name="Guardar prospecto").click()
    expect(page.locator("[data-error=trade_name]")).to_have_text("Escribí el nombre de fantasía.")

    fill_prospect(page, "Almacén La Esquina Nueva", new_cuit, "Av. Maipú 1234")
    page.get_by_role("button", name="Usar mi ubicación").click()
    expect(page.locator("[data-location-status]")).to_have_text("Ubicación registrada")
    page.locator("#prospect-note").fill("Atiende el dueño de 8 a 12.")
    page.screenshot(path=str(artifacts / "prospect-offline.png"), full_page=True)
    save_prospect(page)

    open_offline(page, "/clients/new", "prospect")
    fill_prospect(page, "Kiosco Repetido", known_cuit, "Av. Maipú 1300")
    save_prospect(page)

    pending = page.locator("#outbox-list li[data-kind=prospect][data-state=pending]")
    expect(pending).to_have_count(2)
    expect(pending.filter(has_text="Prospecto · Almacén La Esquina Nueva")).to_have_count(1)
    assert clients_with(live_app, new_cuit) == []

    # Back online: the outbox goes by itself, once.
    go_online(context, proxy)
    assert page.evaluate(SETTLED) == 2
    [(state, salesperson, client_id)] = clients_with(live_app, new_cuit)
    assert (state, salesperson) == ("potential", "vendedor1")
    with live_app.app_context():
        address = db.session.scalars(sa.select(Address).where(Address.client_id == client_id)).one()
        assert (float(address.latitude), float(address.longitude)) == (
            DOOR["latitude"],
            DOOR["longitude"],
        )
        db.session.remove()
    assert len(clients_with(live_app, known_cuit)) == 1  # no second client with that CUIT

    page.goto("/sync/")
    page.locator("details#sent > summary").click()  # what the server took: the history
    done = page.locator("#sent-list li[data-kind=prospect][data-state=done]")
    expect(done).to_have_count(1)
    expect(done.get_by_role("link", name="Ver ficha")).to_have_attribute(
        "href", f"/clients/{client_id}"
    )
    refused = page.locator("#outbox-list li[data-kind=prospect][data-state=rejected]")
    expect(refused).to_have_count(1)
    expect(refused.locator("[data-slot=fields]")).to_have_text(REFUSED_ELSEWHERE)
    expect(refused).not_to_contain_text("vendedor2")
    page.screenshot(path=str(artifacts / "prospect-outbox.png"), full_page=True)
    errors.assert_none(ignore=(r"net::ERR_", r"status of 422"))


def test_a_salesperson_registers_a_prospect_online_with_the_short_form(
    page, sign_in, live_app, errors, artifacts
):
    sign_in("vendedor1")
    page.goto("/clients/")
    page.get_by_role("link", name="Nuevo prospecto").click()
    expect(page.get_by_role("heading", name="Nuevo prospecto")).to_be_visible()
    expect(
        page.locator("input[name=credit_policy_id], select[name=credit_policy_id]")
    ).to_have_count(0)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360

    tax_id = free_cuit(live_app, 42_000_000)
    page.get_by_label("Nombre de fantasía").fill("Despensa Online")
    page.get_by_label("Número de documento").fill(tax_id)
    page.get_by_label("Calle y número").fill("Libertador 500")
    page.screenshot(path=str(artifacts / "prospect-online.png"), full_page=True)
    page.get_by_role("button", name="Guardar prospecto").click()

    expect(page.locator(".flash.success")).to_have_text(
        "Prospecto registrado. El back office lo completa y lo activa."
    )
    [(state, salesperson, client_id)] = clients_with(live_app, tax_id)
    assert (state, salesperson) == ("potential", "vendedor1")
    expect(page).to_have_url(re.compile(rf"/clients/{client_id}$"))
    errors.assert_none()


def test_the_short_form_posted_as_the_link_drops_is_kept_and_sent_once(
    proxied_context,
    proxied_server,
    live_app,
    errors,
    phone,  # noqa: F811
):
    page = phone
    tax_id = free_cuit(live_app, 43_000_000)
    page.goto("/clients/new")  # the server's own form, online
    page.get_by_label("Nombre de fantasía").fill("Verdulería Sin Señal")
    page.get_by_label("Número de documento").fill(tax_id)

    proxied_server.mode = "down"  # the link drops just as the form is sent
    page.get_by_role("button", name="Guardar prospecto").click()
    # The view says so, then drops ?kept (a reload must not say it again).
    expect(page).to_have_url(re.compile(r"/sync/(\?kept=prospect)?$"))
    expect(page.get_by_text("Guardado en el teléfono: se envía cuando")).to_be_visible()
    expect(page.locator("#outbox-list li[data-kind=prospect][data-state=pending]")).to_have_count(1)
    assert clients_with(live_app, tax_id) == []

    go_online(proxied_context, proxied_server)
    page.evaluate(
        "async () => (await import("
        "document.documentElement.dataset.static + 'js/outbox.js')).replay()"
    )
    assert page.evaluate(SETTLED) == 1
    [(state, salesperson, client_id)] = clients_with(live_app, tax_id)
    assert (state, salesperson) == ("potential", "vendedor1")
    page.reload()
    page.locator("details#sent > summary").click()
    done = page.locator("#sent-list li[data-kind=prospect][data-state=done]")
    expect(done.get_by_role("link", name="Ver ficha")).to_have_attribute(
        "href", f"/clients/{client_id}"
    )
    errors.assert_none(ignore=(r"net::ERR_",))
