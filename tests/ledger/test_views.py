"""The account pages: balance and aging, documents, receipts, applications, voids and the card."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.core.types import local_today
from app.extensions import db
from app.ledger.models import Application, Document, ReceiptLine
from tests import factories
from tests.conftest import csrf_from

HX = {"HX-Request": "true"}


def pesos(text: str) -> str:
    """An amount as the pages print it: "$ 1.234,50" with a no-break space."""
    return f"$\u00a0{text}"


def fresh(document_id: int) -> Document:
    """A document as the database holds it now."""
    db.session.expire_all()
    return db.session.get(Document, document_id)


def count(model) -> int:
    """How many rows a table has."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def error_after(page: str, field: str) -> str:
    """The error message shown under a form field."""
    match = re.search(rf'id="{re.escape(field)}-error">([^<]+)<', page)
    assert match, f"no error under {field}"
    return match.group(1)


@pytest.fixture
def office(login_as):
    return login_as("backoffice")


def test_the_account_page_shows_balance_buckets_and_overdue_items(office):
    today = local_today()
    client = factories.make_client(trade_name="Almacén Don José")
    old = factories.post_document(client, amount="1000.00", date=today - timedelta(days=45))
    factories.post_document(client, amount="250.50", date=today)
    factories.post_receipt(client, amount="100.00", date=today)
    db.session.commit()
    response = office.get(f"/clients/{client.id}/account")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Cuenta corriente" in page and "Almacén Don José" in page
    assert "Debe" in page and pesos("1.150,50") in page  # 1000 + 250,50 - 100
    assert "31 a 60 días" in page and "Más de 90 días" in page
    assert "vencido hace 45 días" in page and "vence hoy" in page
    # the oldest due first, then the one due today
    assert page.index(f"/ledger/documents/{old.id}") < page.index("vence hoy")
    assert "Créditos sin aplicar" in page and pesos("100,00") in page
    assert "Nuevo recibo" in page and "Nuevo comprobante" in page and "Recibo anulado" in page
    assert f"/clients/{client.id}/account/statement" in page


def test_a_client_in_favour_reads_a_favor(office):
    client = factories.make_client()
    factories.post_receipt(client, amount="300.00")
    db.session.commit()
    page = office.get(f"/clients/{client.id}/account").get_data(as_text=True)
    assert "A favor" in page and pesos("300,00") in page


def test_a_salesperson_sees_only_their_clients_account_and_cannot_post(login_as):
    seller = login_as("salesperson")
    mine = factories.make_client(salesperson_id=seller.user.id)
    other = factories.make_client()
    factories.post_document(mine, amount="500.00")
    db.session.commit()
    page = seller.get(f"/clients/{mine.id}/account")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert pesos("500,00") in body and "Nuevo recibo" not in body
    assert seller.get(f"/clients/{other.id}/account").status_code == 404
    assert seller.get(f"/clients/{mine.id}/account/documents/new").status_code == 403
    assert seller.get(f"/clients/{mine.id}/account/receipts/new").status_code == 403
    document = db.session.scalar(sa.select(Document).where(Document.client_id == mine.id))
    assert seller.get(f"/ledger/documents/{document.id}").status_code == 200
    other_document = factories.post_document(other, amount="10.00")
    db.session.commit()
    assert seller.get(f"/ledger/documents/{other_document.id}").status_code == 404


def test_the_back_office_posts_an_invoice_through_the_form(office):
    condition = factories.make_sale_condition(rule_days=30)
    client = factories.make_client(sale_condition_id=condition.id, iva_condition="Monotributo")
    db.session.commit()
    form = office.get(f"/clients/{client.id}/account/documents/new").get_data(as_text=True)
    assert f'<option value="{condition.id}" selected>' in form
    assert f'value="{local_today().isoformat()}"' in form
    url = f"/clients/{client.id}/account/documents/new"
    response = office.submit(
        url, kind="invoice", letter="A", number="", date="2026-03-10", currency="ARS",
        amount="1.234,50", sale_condition_id=str(condition.id), notes="Pedido 77",
    )  # fmt: skip
    assert response.status_code == 303
    document = db.session.scalar(sa.select(Document).where(Document.client_id == client.id))
    assert document.amount == Decimal("1234.50") and document.number == "0001-00000001"
    assert document.installments[0].due_date.isoformat() == "2026-04-09"
    assert response.headers["Location"].endswith(f"/ledger/documents/{document.id}")
    page = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "FC A 0001-00000001 registrado." in page
    assert "09/04/2026" in page and "Pedido 77" in page


def test_a_bad_amount_is_refused_with_its_message_and_nothing_written(office):
    client = factories.make_client()
    db.session.commit()
    url = f"/clients/{client.id}/account/documents/new"
    response = office.submit(url, kind="invoice", letter="B", date="2026-03-10", amount="12,345")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert error_after(page, "amount") == "Usá como mucho dos decimales."
    assert 'value="12,345"' in page
    assert count(Document) == 0


def test_usd_documents_need_the_rate_of_the_day(office):
    client = factories.make_client()
    db.session.commit()
    url = f"/clients/{client.id}/account/documents/new"
    response = office.submit(url, kind="invoice", letter="B", currency="USD", amount="10")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert error_after(page, "exchange_rate").startswith("No hay cotización de USD para el")
    ok = office.submit(
        url, kind="invoice", letter="B", currency="USD", amount="10", exchange_rate="1050,5"
    )
    assert ok.status_code == 303
    document = db.session.scalar(sa.select(Document))
    assert document.currency == "USD" and document.exchange_rate == Decimal("1050.5")


def test_the_due_date_preview_lists_each_installment(office):
    condition = factories.make_sale_condition(rule_days=30, installments=3)
    client = factories.make_client()
    db.session.commit()
    response = office.get(
        f"/ledger/due-dates?client_id={client.id}&sale_condition_id={condition.id}"
        "&date=2026-01-31&amount=100&kind=invoice",
        headers=HX,
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert "Cuota 3" in body
    for due in ("02/03/2026", "01/04/2026", "01/05/2026"):
        assert due in body
    assert body.count(pesos("33,33")) == 2 and pesos("33,34") in body


def test_the_due_date_preview_is_scoped_and_for_the_office(office, login_as):
    client = factories.make_client()
    db.session.commit()
    assert office.get("/ledger/due-dates?client_id=999999", headers=HX).status_code == 404
    seller = login_as("salesperson")
    assert seller.get(f"/ledger/due-dates?client_id={client.id}").status_code == 403


def receipt_form(browser, client_id: int) -> tuple[str, str]:
    """The receipt form's URL and its page."""
    url = f"/clients/{client_id}/account/receipts/new"
    return url, browser.get(url).get_data(as_text=True)


CHECK = {
    "lines-1-kind": "third_party_check",
    "lines-1-amount": "400",
    "lines-1-bank": "Banco Nación",
    "lines-1-number": "12345678",
    "lines-1-due_date": "2026-05-10",
    "lines-1-drawer": "Distribuidora Sur S.A.",
    "lines-1-drawer_tax_id": factories.company_cuit(424242),
}


def test_a_receipt_with_cash_and_a_check_pays_an_invoice(office):
    client = factories.make_client()
    invoice = factories.post_document(client, amount="1000.00")
    db.session.commit()
    url, form = receipt_form(office, client.id)
    assert 'name="lines-0-kind"' in form and 'name="applications-0-amount"' in form
    installment = invoice.installments[0]
    assert f'name="applications-0-installment_id" value="{installment.id}"' in form
    data = {
        "letter": "X",
        "date": local_today().isoformat(),
        "currency": "ARS",
        "lines-0-kind": "cash",
        "lines-0-amount": "600",
        **CHECK,
        "applications-0-installment_id": str(installment.id),
        "applications-0-amount": "1000",
    }
    response = office.submit(url, **data)
    assert response.status_code == 303, response.get_data(as_text=True)
    receipt = db.session.scalar(sa.select(Document).where(Document.kind == "receipt"))
    assert receipt.amount == Decimal("1000.00") and receipt.state == "paid"
    assert fresh(invoice.id).state == "paid"
    assert [line.kind for line in receipt.lines] == ["cash", "third_party_check"]
    assert receipt.lines[1].bank == "Banco Nación"
    page = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "Recibo RC X 0001-00000001 registrado." in page
    assert "Cheque de terceros" in page and "Banco Nación" in page
    assert "FC" in page and "Deshacer" in page


def test_a_check_without_its_bank_shows_the_message_under_that_line(office):
    client = factories.make_client()
    db.session.commit()
    url, _form = receipt_form(office, client.id)
    data = {"lines-0-kind": "cash", "lines-0-amount": "600", **CHECK, "lines-1-bank": ""}
    response = office.submit(url, **data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert error_after(page, "lines-1-bank") == (
        "Este dato es obligatorio para cheque de terceros."
    )
    # both lines come back as typed
    assert 'name="lines-1-number" value="12345678"' in page
    assert '<option value="third_party_check" selected>' in page
    assert count(Document) == 0 and count(ReceiptLine) == 0


def test_an_application_over_the_open_amount_shows_under_its_item(office):
    client = factories.make_client()
    first = factories.post_document(client, amount="100.00", date=local_today() - timedelta(days=5))
    second = factories.post_document(client, amount="200.00")
    db.session.commit()
    url, _form = receipt_form(office, client.id)
    data = {
        "lines-0-kind": "cash",
        "lines-0-amount": "500",
        "applications-0-installment_id": str(first.installments[0].id),
        "applications-0-amount": "",
        "applications-1-installment_id": str(second.installments[0].id),
        "applications-1-amount": "250",
    }
    response = office.submit(url, **data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert error_after(page, "applications-1-amount") == "Supera el saldo pendiente (200)."
    assert count(Document) == 2


def test_a_receipt_applied_to_the_oldest_first(office):
    client = factories.make_client()
    old = factories.post_document(client, amount="100.00", date=local_today() - timedelta(days=40))
    new = factories.post_document(client, amount="100.00")
    db.session.commit()
    url, _form = receipt_form(office, client.id)
    response = office.submit(url, **{"lines-0-kind": "cash", "lines-0-amount": "150"},
                             apply_oldest="1")  # fmt: skip
    assert response.status_code == 303
    assert fresh(old.id).state == "paid" and fresh(new.id).state == "partly_paid"


def test_an_empty_receipt_asks_for_a_payment_line(office):
    client = factories.make_client()
    db.session.commit()
    url, _form = receipt_form(office, client.id)
    response = office.submit(url, **{"lines-0-kind": "cash", "lines-0-amount": ""})
    assert response.status_code == 422
    assert "Cargá al menos una forma de pago." in response.get_data(as_text=True)


def test_the_extra_payment_line_fragment_carries_its_index(office):
    response = office.get("/ledger/receipts/line?index=3", headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    for name in ("kind", "amount", "bank", "drawer_tax_id", "card_plan_id", "tax", "certificate"):
        assert f'name="lines-3-{name}"' in body
    assert 'hx-swap-oob="true"' in body and "/ledger/receipts/line?index=4" in body
    assert office.get("/ledger/receipts/line?index=99", headers=HX).status_code == 204


def test_the_same_idempotency_key_posted_twice_makes_one_receipt(office):
    client = factories.make_client()
    db.session.commit()
    url, form = receipt_form(office, client.id)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
    data = {
        "csrf_token": csrf_from(form),
        "idempotency_key": key,
        "lines-0-kind": "cash",
        "lines-0-amount": "75",
    }
    first = office.client.post(url, data=data)
    second = office.client.post(url, data=data)
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert count(Document) == 1


def test_apply_unapply_and_void_from_the_document_page(office):
    client = factories.make_client()
    invoice = factories.post_document(client, amount="1000.00")
    receipt = factories.post_receipt(client, amount="500.00")
    db.session.commit()
    page_url = f"/ledger/documents/{receipt.id}"
    page = office.get(page_url).get_data(as_text=True)
    assert "Aplicar a comprobantes pendientes" in page
    installment_id = invoice.installments[0].id
    applied = office.submit(
        page_url,
        f"/ledger/documents/{receipt.id}/apply",
        **{"applications-0-installment_id": str(installment_id), "applications-0-amount": "300"},
    )
    assert applied.status_code == 303
    assert applied.headers["Location"].endswith(page_url)
    assert fresh(invoice.id).state == "partly_paid" and fresh(receipt.id).open_amount == 200
    page = office.get(page_url).get_data(as_text=True)
    assert f"Se aplicaron {pesos('300,00')}." in page

    application = db.session.scalar(sa.select(Application))
    undone = office.submit(
        page_url,
        f"/ledger/applications/{application.id}/unapply",
        document_id=str(invoice.id),
    )
    assert undone.status_code == 303
    assert undone.headers["Location"].endswith(f"/ledger/documents/{invoice.id}")
    assert fresh(invoice.id).state == "open" and fresh(receipt.id).open_amount == 500
    page = office.get(f"/ledger/documents/{invoice.id}").get_data(as_text=True)
    assert "Aplicación deshecha." in page and "deshecho el" in page

    oldest = office.submit(page_url, f"/ledger/documents/{receipt.id}/apply", apply_oldest="1")
    assert oldest.status_code == 303
    assert fresh(receipt.id).state == "paid" and fresh(invoice.id).open_amount == 500

    voided = office.submit(
        f"/ledger/documents/{invoice.id}",
        f"/ledger/documents/{invoice.id}/void",
        reason="Facturado dos veces",
    )
    assert voided.status_code == 303
    assert fresh(invoice.id).state == "void" and fresh(receipt.id).open_amount == 500
    page = office.get(f"/ledger/documents/{invoice.id}").get_data(as_text=True)
    assert "Comprobante anulado." in page and "Facturado dos veces" in page
    assert "Ver la anulación" in page and "Anular comprobante" not in page
    reversal = db.session.scalar(sa.select(Document).where(Document.reverses_id == invoice.id))
    reversal_page = office.get(f"/ledger/documents/{reversal.id}").get_data(as_text=True)
    assert f"/ledger/documents/{invoice.id}" in reversal_page and "Anula a" in reversal_page


def test_bad_applications_from_the_document_page_are_refused(office):
    client = factories.make_client()
    invoice = factories.post_document(client, amount="1000.00")
    receipt = factories.post_receipt(client, amount="100.00")
    db.session.commit()
    page_url = f"/ledger/documents/{receipt.id}"
    row = {"applications-0-installment_id": str(invoice.installments[0].id)}
    typo = office.submit(page_url, f"{page_url}/apply", **row, **{"applications-0-amount": "99x"})
    assert typo.status_code == 422
    page = typo.get_data(as_text=True)
    assert error_after(page, "applications-0-amount") == "Importe inválido."
    assert 'value="99x"' in page
    too_much = office.submit(
        page_url, f"{page_url}/apply", **row, **{"applications-0-amount": "150"}
    )
    assert too_much.status_code == 422
    assert "Se aplica más de lo disponible (100)." in too_much.get_data(as_text=True)
    assert count(Application) == 0 and fresh(receipt.id).open_amount == 100


def test_a_void_without_a_reason_is_refused(office):
    client = factories.make_client()
    invoice = factories.post_document(client, amount="1000.00")
    db.session.commit()
    page_url = f"/ledger/documents/{invoice.id}"
    response = office.submit(page_url, f"{page_url}/void", reason="  ")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert error_after(page, "reason") == "Contá por qué se anula."
    assert '<details class="card void-box" open>' in page
    assert fresh(invoice.id).state == "open" and count(Document) == 1


def test_a_voided_receipt_form_keeps_the_number_accounted_for(office):
    client = factories.make_client()
    db.session.commit()
    url = f"/clients/{client.id}/account/receipts/voided"
    refused = office.submit(url, letter="X", number="1-55", reason="")
    assert refused.status_code == 422
    assert error_after(refused.get_data(as_text=True), "reason") == "Contá por qué se anuló."
    response = office.submit(url, letter="X", number="1-55", reason="Se manchó")
    assert response.status_code == 303
    receipt = db.session.scalar(sa.select(Document))
    assert receipt.number == "0001-00000055" and receipt.state == "void"
    page = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "Recibo anulado RC X 0001-00000055 registrado." in page and "Se manchó" in page


def test_the_document_list_strikes_voids_and_pages_with_htmx(office):
    client = factories.make_client()
    voided = factories.post_document(client, amount="10.00", number="9-1")
    from app.ledger import applications

    applications.void_document(voided, "Error", None)
    for n in range(35):
        factories.post_document(client, amount="1.00", number=f"1-{n + 1}")
    db.session.commit()
    url = f"/clients/{client.id}/account/documents"
    first = office.get(url).get_data(as_text=True)
    assert first.count('class="row"') == 30 and "Ver más" in first
    more = office.get(f"{url}?page=2", headers=HX)
    body = more.get_data(as_text=True)
    assert "<html" not in body and "Ver más" not in body
    assert body.count('class="row"') == 7  # 35 + the voided invoice + its reversal - 30
    assert "<s>FC 0009-00000001</s>" in body
    assert "Anulado" in body


def test_the_card_shows_the_account_block(office, login_as):
    today = local_today()
    client = factories.make_client(trade_name="Kiosco La Esquina")
    factories.post_document(client, amount="800.00", date=today - timedelta(days=34))
    factories.post_document(client, amount="200.00", date=today)
    db.session.commit()
    page = office.get(f"/clients/{client.id}").get_data(as_text=True)
    assert 'id="account"' in page and "Cuenta corriente" in page
    assert pesos("1.000,00") in page and "Vencido" in page and pesos("800,00") in page
    assert "hace 34 días" in page
    assert f"/clients/{client.id}/account" in page
    seller = login_as("salesperson")
    mine = factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    body = seller.get(f"/clients/{mine.id}").get_data(as_text=True)
    assert "Sin saldo ni comprobantes pendientes." in body


def test_malformed_input_is_answered_not_crashed(office):
    client = factories.make_client()
    invoice = factories.post_document(client, amount="10.00")
    receipt = factories.post_receipt(client, amount="5.00")
    db.session.commit()
    huge = "99999999999999999999999"
    assert office.get(f"/ledger/due-dates?client_id={huge}").status_code == 404
    preview = office.get(
        f"/ledger/due-dates?client_id={client.id}&sale_condition_id={huge}&date=x&amount=y"
    )
    assert preview.status_code == 200 and "Único vencimiento" in preview.get_data(as_text=True)
    assert office.get(f"/clients/{client.id}/account/documents?page={huge}").status_code == 200
    assert office.get(f"/clients/{client.id}/account/documents?page=-3").status_code == 200
    url = f"/clients/{client.id}/account/documents/new"
    bad = office.submit(url, kind="nope", letter="Q", amount="1", sale_condition_id=huge)
    assert bad.status_code == 422
    condition = office.submit(url, kind="invoice", letter="A", amount="1", sale_condition_id=huge)
    assert condition.status_code == 422
    assert error_after(condition.get_data(as_text=True), "sale_condition_id") == (
        "Elegí una condición de venta de la lista."
    )
    card = office.submit(
        f"/clients/{client.id}/account/receipts/new",
        **{"lines-0-kind": "card", "lines-0-amount": "1", "lines-0-number": "7",
           "lines-0-card_plan_id": huge},
    )  # fmt: skip
    assert card.status_code == 422
    assert error_after(card.get_data(as_text=True), "lines-0-card_plan_id") == (
        "Elegí un plan de tarjeta de la lista."
    )
    page_url = f"/ledger/documents/{receipt.id}"
    row = {"applications-0-installment_id": huge, "applications-0-amount": "1"}
    refused = office.submit(page_url, f"{page_url}/apply", **row)
    assert refused.status_code == 422
    assert "Elegí un comprobante a cancelar." in refused.get_data(as_text=True)
    assert fresh(invoice.id).open_amount == 10
