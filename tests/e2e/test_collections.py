"""Two phones at 360 px: a collector works today's sheet (a call with a promise, a cash
receipt), and the back office confirms the receipt, which changes the client's balance."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from babel.numbers import format_decimal
from playwright.sync_api import expect

from app.auth.models import User
from app.collections.models import CollectionCall, FieldReceipt
from app.collections.sheet_page import build_sheet
from app.core.types import local_today
from app.extensions import db
from app.ledger import accounts
from app.ledger.models import DocumentKind
from app.ledger.parsing import allowed_kinds
from tests.e2e.conftest import PASSWORD, VIEWPORT, fill_login_form, phone_context, watched_page

PAID = Decimal("1500.00")
HERE = {"latitude": -34.6037, "longitude": -58.3816, "accuracy": 30}


def pesos(amount: Decimal) -> str:
    """An amount as the pages print it ("$ 1.500,00"; Playwright folds the no-break space)."""
    return f"$ {format_decimal(amount, format='#,##0.00', locale='es_AR')}"


def a_client_on_the_sheet(live_app) -> tuple[int, str, Decimal]:
    """A peso client on cobrador1's sheet today, in the zone that opens and not worked yet,
    that takes receipts; its balance."""
    with live_app.app_context():
        collector = db.session.scalar(sa.select(User).where(User.username == "cobrador1"))
        for zone in build_sheet(collector, local_today()).zones:
            for line in zone.lines:
                client = line.row.client
                takes_receipts = DocumentKind.RECEIPT in allowed_kinds(client)
                if line.stamp is None and client.currency == "ARS" and takes_receipts:
                    balance = accounts.balances(client.id).get("ARS", Decimal("0"))
                    return client.id, client.display_name, balance
    pytest.fail("the demo data put no peso client to work on cobrador1's sheet")


@pytest.fixture
def phone(browser, live_server, errors):
    """Factory: a fresh phone-sized profile (with a location to share) signed in; its tab."""
    contexts = []

    def sign_in(username: str):
        context = phone_context(
            browser, live_server, errors, geolocation=HERE, permissions=["geolocation"]
        )
        contexts.append(context)
        page = watched_page(context, errors)
        fill_login_form(page, username, PASSWORD)
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    yield sign_in
    for context in contexts:
        context.close()


def test_a_collector_works_the_sheet_and_the_office_confirms_the_receipt(
    live_app, phone, errors, artifacts
):
    client_id, name, balance = a_client_on_the_sheet(live_app)
    promised = local_today() + timedelta(days=2)
    collector = phone("cobrador1")

    # Today's sheet: zones, the order explained, and the client's row with its buttons.
    collector.goto("/collections/")
    expect(collector.get_by_role("heading", name="Hoja de cobranza")).to_be_visible()
    expect(collector.locator(".sheet-order")).to_contain_text("Primero las visitas pactadas")
    row = collector.locator(f"#sheet-client-{client_id}")
    expect(row).to_contain_text(name)
    expect(row.locator(".sheet-chip").first).to_be_visible()
    whatsapp = row.get_by_role("link", name=f"WhatsApp a {name}")
    if whatsapp.count():
        assert whatsapp.get_attribute("href").startswith("https://wa.me/549")
    width = collector.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"the sheet scrolls sideways ({width} px)"
    collector.screenshot(path=str(artifacts / "sheet.png"))

    # A call: by phone, the client promises to pay in two days.
    row.get_by_role("link", name="Registrar gestión").tap()
    expect(collector.get_by_role("heading", name="Registrar gestión")).to_be_visible()
    collector.locator("label.tile", has_text="Teléfono").tap()
    amount = collector.locator("#promise_amount")
    expect(amount).to_be_hidden()  # shown only for a promise (CSS :has)
    collector.locator("label.tile", has_text="Promete pagar").tap()
    expect(amount).to_be_visible()
    amount.fill("20.000,00")
    collector.locator("#promise_date").fill(promised.isoformat())
    collector.locator("#notes").fill("Paga el jueves sin falta")
    expect(collector.locator("input[name=latitude]")).not_to_have_value("")
    save = collector.get_by_role("button", name="Guardar gestión")
    box = save.bounding_box()
    assert box and box["height"] >= 48, "the button is too small for a thumb"
    save.tap()
    back = f"/collections/?client={client_id}#sheet-client-{client_id}"
    collector.wait_for_url(lambda url: url.endswith(back))
    expect(collector.locator(".flash.success")).to_contain_text("Gestión registrada")

    # A receipt: cash, applied to the oldest; it waits for the office. The row, worked now,
    # is folded into one line that opens.
    row = collector.locator(f"#sheet-client-{client_id}")
    row.locator("summary").tap()
    row.get_by_role("link", name="Registrar cobro").tap()
    expect(collector.get_by_role("heading", name="Registrar cobro")).to_be_visible()
    expect(collector.locator("#lines-0-kind")).to_have_value("cash")
    collector.locator("#lines-0-amount").fill("1500,00")
    expect(collector.locator("input[name=apply_oldest]")).to_be_checked()
    collector.get_by_role("button", name="Registrar cobro").tap()
    collector.wait_for_url(lambda url: url.endswith(back))
    expect(collector.locator(".flash.success")).to_contain_text("queda pendiente de confirmación")

    with live_app.app_context():
        call = db.session.scalar(
            sa.select(CollectionCall)
            .where(CollectionCall.client_id == client_id)
            .order_by(CollectionCall.id.desc())
        )
        assert (call.outcome, call.promise_amount, call.promise_date) == (
            "promise",
            Decimal("20000.00"),
            promised,
        )
        assert call.latitude is not None
        receipt = db.session.scalar(
            sa.select(FieldReceipt)
            .where(FieldReceipt.client_id == client_id, FieldReceipt.state == "pending")
            .order_by(FieldReceipt.id.desc())
        )
        assert receipt.total == PAID and receipt.latitude is not None
        assert accounts.balances(client_id).get("ARS", Decimal("0")) == balance  # not yet
        receipt_id = receipt.id

    # The back office confirms it, and the account shows the new balance.
    office = phone("oficina")
    office.goto("/collections/receipts")
    card = office.locator(f"#field-receipt-{receipt_id}")
    expect(card).to_contain_text(name)
    expect(card).to_contain_text(pesos(PAID))
    expect(card).to_contain_text("Ramón Ledesma")
    card.get_by_role("button", name="Confirmar").tap()
    office.wait_for_url("**/collections/receipts")
    expect(office.locator(".flash.success")).to_contain_text("Cobro confirmado")
    expect(office.locator(f"#field-receipt-{receipt_id}")).to_have_count(0)
    office.goto(f"/clients/{client_id}/account")
    expect(office.locator(".balance-amount").first).to_contain_text(pesos(abs(balance - PAID)))
    errors.assert_none(ignore=(r"/push/", r"Notification"))

    with live_app.app_context():
        assert accounts.balances(client_id).get("ARS", Decimal("0")) == balance - PAID
        assert db.session.get(FieldReceipt, receipt_id).state == "confirmed"
