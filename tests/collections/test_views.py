"""Collection pages: the daily sheet and its PDF, calls and promises, receipts in the field,
their confirmation, the promises list, the delinquency rule and the card's history."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.collections import links
from app.collections import services as collections
from app.collections.models import CollectionCall, DelinquencyRule, FieldReceipt
from app.core.types import local_today
from app.extensions import db
from app.ledger import accounts
from tests import factories
from tests.conftest import csrf_from

HX = {"HX-Request": "true"}


def pesos(text: str) -> str:
    """An amount as the pages print it: "$ 1.234,50" with a no-break space."""
    return f"$\u00a0{text}"


def count(model) -> int:
    """How many rows a table has."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def error_after(page: str, field: str) -> str:
    """The error message shown under a form field."""
    match = re.search(rf'id="{re.escape(field)}-error">([^<]+)<', page)
    assert match, f"no error under {field}"
    return match.group(1)


def kind_choices(page: str) -> list[tuple[str, str]]:
    """The (value, label) options of the first payment line's kind."""
    select = re.search(r'<select id="lines-0-kind".*?</select>', page, re.S)[0]
    return re.findall(r'<option value="(\w+)"[^>]*>([^<]*)</option>', select)


def post_form(browser, page_url: str, action: str | None = None, **data):
    """Load a form page and POST to it with the page's CSRF token (the key is optional)."""
    return browser.submit(page_url, action, **data)


@pytest.fixture
def collector(login_as):
    return login_as("collector")


@pytest.fixture
def office(login_as):
    return login_as("backoffice")


@pytest.fixture
def zone(app):
    return factories.make_zone(name="Norte")


def call_days_ago(client, user, days: int, **fields) -> CollectionCall:
    """A call made some days ago (the service only takes calls from today on)."""
    call = CollectionCall(
        client_id=client.id,
        user_id=user.id,
        created_at=datetime.now(UTC) - timedelta(days=days),
        **fields,
    )
    db.session.add(call)
    db.session.flush()
    return call


# --- the daily sheet -------------------------------------------------------------------------


def test_the_sheet_shows_visits_first_then_promises_then_overdue_with_chips_and_links(
    collector, zone
):
    me = collector.user
    today = local_today()
    old = factories.make_client(
        trade_name="Kiosco Viejo", collector_id=me.id, sales_zone_id=zone.id, phone="011 4567-8901"
    )
    factories.post_document(old, amount="10000", date=today - timedelta(days=90))
    recent = factories.make_client(
        trade_name="Kiosco Nuevo", collector_id=me.id, sales_zone_id=zone.id
    )
    factories.post_document(recent, amount="12000", date=today - timedelta(days=10))
    visit = factories.make_client(
        trade_name="Almacen Visita", collector_id=me.id, sales_zone_id=zone.id
    )
    collections.log_call(
        visit,
        {
            "channel": "phone",
            "outcome": "no_answer",
            "visit_date": today,
            "visit_from": "10:00",
            "visit_to": "12:00",
        },
        me,
    )
    promised = factories.make_client(
        trade_name="Almacen Promesa", collector_id=me.id, sales_zone_id=zone.id
    )
    collections.log_call(
        promised,
        {"channel": "phone", "outcome": "promise", "promise_amount": "700", "promise_date": today},
        me,
    )
    broken = factories.make_client(
        trade_name="Almacen Incumplido", collector_id=me.id, sales_zone_id=zone.id
    )
    call_days_ago(
        broken, me, 6, channel="phone", outcome="promise", promise_amount=Decimal("500"),
        promise_currency="ARS", promise_date=today - timedelta(days=2),
    )  # fmt: skip
    factories.make_client(trade_name="Ajeno", sales_zone_id=zone.id)  # not this collector's
    db.session.commit()

    response = collector.get("/collections/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ajeno" not in page
    order = [
        page.index(name)
        for name in (
            "Almacen Visita",
            "Almacen Incumplido",  # promises (broken and due) before plain overdue accounts
            "Kiosco Viejo",  # 10000 x 90 days weighs more than 12000 x 10 days
            "Kiosco Nuevo",
        )
    ]
    assert order == sorted(order)
    assert page.index("Almacen Promesa") < page.index("Kiosco Viejo")
    assert "Visita 10:00–12:00" in page
    assert "Promesa vence hoy" in page and "Promesa incumplida" in page
    assert page.count('class="sheet-chip overdue"') == 2
    assert "Norte" in page and "5 clientes" in page
    assert "Primero las visitas pactadas por horario" in page
    # the oldest overdue item, its age, the amount due and the phone's links
    row = page[page.index(f'id="sheet-client-{old.id}"') :]
    row = row[: row.index("</li>")]
    assert pesos("10.000,00") in row and "hace 90 días" in row
    assert 'href="tel:01145678901"' in row
    wa = re.search(r'href="(https://wa\.me/[^"]+)"', row).group(1)
    assert wa.startswith("https://wa.me/5491145678901?text=")
    assert quote(pesos("10.000,00"), safe="") in wa and "Kiosco%20Viejo" in wa
    assert f"/collections/clients/{old.id}/call" in row
    assert f"/collections/clients/{old.id}/receipt" in row


def test_a_collector_sees_only_their_own_sheet(collector, login_as, zone):
    other = factories.make_user("collector", full_name="Otra Cobradora")
    theirs = factories.make_client(
        trade_name="De Otra", collector_id=other.id, sales_zone_id=zone.id
    )
    factories.post_document(theirs, amount="500", date=local_today() - timedelta(days=40))
    db.session.commit()
    page = collector.get(f"/collections/?collector={other.id}").get_data(as_text=True)
    assert "De Otra" not in page and 'name="collector"' not in page
    assert "No hay clientes para visitar este día." in page


def test_the_office_picks_the_collector_and_the_day(office, zone):
    ramon = factories.make_user("collector", full_name="Ramón Ledesma")
    silvia = factories.make_user("collector", full_name="Silvia Quiroga")
    client = factories.make_client(
        trade_name="Kiosco Silvia", collector_id=silvia.id, sales_zone_id=zone.id
    )
    tomorrow = local_today() + timedelta(days=1)
    collections.log_call(
        client,
        {
            "channel": "phone",
            "outcome": "no_answer",
            "visit_date": tomorrow,
            "visit_from": "14:00",
            "visit_to": "16:00",
        },
        silvia,
    )
    db.session.commit()
    page = office.get("/collections/").get_data(as_text=True)
    assert "Ramón Ledesma" in page and "Silvia Quiroga" in page and "Kiosco Silvia" not in page
    url = f"/collections/?collector={silvia.id}&date={tomorrow.isoformat()}"
    page = office.get(url).get_data(as_text=True)
    assert "Kiosco Silvia" in page and "Visita 14:00–16:00" in page
    assert f'<option value="{silvia.id}" selected>' in page
    assert f'<option value="{ramon.id}">' in page
    fragment = office.get(url, headers=HX)
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and "Kiosco Silvia" in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_the_sheet_prints_as_a_pdf_with_the_clients(collector, zone):
    me = collector.user
    today = local_today()
    for name, days in (("Kiosco Primero", 80), ("Kiosco Segundo", 20)):
        client = factories.make_client(trade_name=name, collector_id=me.id, sales_zone_id=zone.id)
        factories.post_document(client, amount="3000", date=today - timedelta(days=days))
    db.session.commit()
    response = collector.get(f"/collections/sheet.pdf?date={today.isoformat()}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    body = response.get_data()
    assert body.startswith(b"%PDF")
    assert b"Kiosco Primero" in body and b"Kiosco Segundo" in body and b"Norte" in body
    assert body.index(b"Kiosco Primero") < body.index(b"Kiosco Segundo")
    assert b"Hoja de cobranza" in body


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("11 4567-8901", "5491145678901"),
        ("011 15 4567-8901", "5491145678901"),
        ("(0351) 15-512-3456", "5493515123456"),
        ("+54 11 4567-8901", "5491145678901"),
        ("+54 9 11 4567-8901", "5491145678901"),
        ("5491145678901", "5491145678901"),
        ("+598 99 123 456", "59899123456"),
        ("4567-8901", None),
        ("", None),
        (None, None),
    ],
)
def test_whatsapp_numbers_get_the_argentine_mobile_prefix(raw, number):
    assert links.whatsapp_number(raw) == number


def test_a_whatsapp_link_carries_the_text_and_a_tel_link_the_digits():
    url = links.whatsapp_url("11 4567-8901", "Hola: debés $ 1.000,00 ¿pagás?")
    assert url == (
        "https://wa.me/5491145678901?text=Hola%3A%20deb%C3%A9s%20%24%201.000%2C00%20%C2%BFpag%C3%A1s%3F"
    )
    assert links.whatsapp_url("123", "x") is None
    assert links.tel_href("+54 (11) 4567-8901") == "tel:+541145678901"
    assert links.tel_href("12") is None


# --- calls and promises ----------------------------------------------------------------------


def test_a_bad_call_is_refused_with_messages_and_writes_nothing(collector):
    client = factories.make_client(collector_id=collector.user.id)
    db.session.commit()
    url = f"/collections/clients/{client.id}/call"
    form = collector.get(url).get_data(as_text=True)
    assert "¿Cómo fue el contacto?" in form and 'name="idempotency_key"' in form
    assert 'value="promise"' in form and "promise-fields" in form and "data-locate" in form
    response = post_form(
        collector,
        url,
        channel="visit",
        outcome="promise",
        promise_amount="",
        promise_date="2001-01-01",
        visit_from="12:00",
        visit_to="11:00",
        notes="Dice que paga",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert error_after(page, "promise_amount") == "Ingresá el importe prometido."
    assert error_after(page, "promise_date") == "La fecha prometida debe ser de hoy en adelante."
    assert "El horario debe terminar después de empezar." in page
    assert 'value="visit" checked' in page and "Dice que paga" in page  # kept to correct
    assert count(CollectionCall) == 0


def test_a_promise_is_logged_and_the_sheet_says_so(collector):
    client = factories.make_client(collector_id=collector.user.id, trade_name="Kiosco Paga")
    db.session.commit()
    friday = local_today() + timedelta(days=3)
    response = post_form(
        collector,
        f"/collections/clients/{client.id}/call",
        channel="phone",
        outcome="promise",
        promise_amount="50.000,50",
        promise_date=friday.isoformat(),
        next_contact_at=friday.isoformat(),
        notes="Cobra el viernes",
        latitude="-34.603700",
        longitude="-58.381600",
        accuracy="25",
    )
    assert response.status_code == 303
    back = f"/collections/?client={client.id}#sheet-client-{client.id}"  # the client's row
    assert response.headers["Location"] == back
    call = db.session.scalar(sa.select(CollectionCall))
    assert (call.outcome, call.promise_amount, call.promise_date, call.user_id) == (
        "promise",
        Decimal("50000.50"),
        friday,
        collector.user.id,
    )
    assert call.latitude == Decimal("-34.603700") and call.location_accuracy == 25
    assert db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "collection.call")
    )
    page = collector.get("/collections/").get_data(as_text=True)
    assert "Gestión registrada para Kiosco Paga." in page


def test_the_same_call_sent_twice_is_logged_once(collector):
    client = factories.make_client(collector_id=collector.user.id)
    db.session.commit()
    url = f"/collections/clients/{client.id}/call"
    token = csrf_from(collector.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "idempotency_key": "call-once-123", "channel": "phone"}
    data["outcome"] = "no_answer"
    first = collector.client.post(url, data=data)
    again = collector.client.post(url, data=data)
    assert first.status_code == again.status_code == 303
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert count(CollectionCall) == 1


def test_a_call_from_the_card_returns_to_the_card(login_as):
    seller = login_as("salesperson")
    client = factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    response = post_form(
        seller,
        f"/collections/clients/{client.id}/call?back=card",
        channel="visit",
        outcome="paid",
        back="card",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/clients/{client.id}"


def test_a_client_out_of_reach_cannot_be_called(collector):
    stranger = factories.make_client()
    db.session.commit()
    assert collector.get(f"/collections/clients/{stranger.id}/call").status_code == 404
    assert collector.get(f"/collections/clients/{stranger.id}/receipt").status_code == 404


# --- receipts in the field -------------------------------------------------------------------


def test_a_field_receipt_is_recorded_pending_and_the_balance_waits(collector):
    client = factories.make_client(collector_id=collector.user.id)
    factories.post_document(client, amount="1000", date=local_today() - timedelta(days=40))
    db.session.commit()
    url = f"/collections/clients/{client.id}/receipt"
    form = collector.get(url).get_data(as_text=True)
    assert kind_choices(form) == [
        ("cash", "Efectivo"),
        ("own_check", "Cheque propio"),
        ("third_party_check", "Cheque de terceros"),
        ("transfer", "Transferencia / interbanking"),
        ("withholding", "Retención"),
    ]
    assert [kind for kind, _label in kind_choices(form)] == list(collections.FIELD_KINDS)
    assert ">Ingresos Brutos</option>" in form  # the withholding line's taxes to choose from
    assert "Aplicar a lo más antiguo" in form and "Debe" in form
    response = post_form(
        collector,
        url,
        **{
            "lines-0-kind": "cash",
            "lines-0-amount": "400",
            "lines-1-kind": "cash",
            "lines-1-amount": "",
            "apply_oldest": "1",
            "currency": "ARS",
            "notes": "En la visita",
        },
    )
    assert response.status_code == 303
    row = db.session.scalar(sa.select(FieldReceipt))
    assert (row.state, row.total, row.user_id) == ("pending", Decimal("400.00"), collector.user.id)
    assert row.data["apply_oldest"] is True and len(row.data["lines"]) == 1
    assert accounts.balances(client.id) == {"ARS": Decimal("1000.00")}
    page = collector.get("/collections/").get_data(as_text=True)
    assert "Cobro registrado: queda pendiente de confirmación" in page


def test_a_bad_field_receipt_shows_messages_and_writes_nothing(collector):
    client = factories.make_client(collector_id=collector.user.id)
    db.session.commit()
    url = f"/collections/clients/{client.id}/receipt"
    empty = post_form(collector, url, **{"lines-0-kind": "cash", "lines-0-amount": ""})
    assert empty.status_code == 422
    assert "Cargá al menos una forma de pago." in empty.get_data(as_text=True)
    check = post_form(
        collector, url, **{"lines-0-kind": "third_party_check", "lines-0-amount": "900"}
    )
    assert check.status_code == 422
    page = check.get_data(as_text=True)
    assert error_after(page, "lines-0-bank").startswith("Este dato es obligatorio")
    assert 'value="900"' in page
    card = post_form(collector, url, **{"lines-0-kind": "card", "lines-0-amount": "900"})
    assert card.status_code == 422
    assert error_after(card.get_data(as_text=True), "lines-0-kind") == (
        "En la calle se cobra en efectivo, cheque propio o de terceros, transferencia o "
        "retenciones; las demás formas de pago las carga la oficina."
    )
    assert count(FieldReceipt) == 0


def test_a_withholding_certificate_is_kept_for_the_office(collector):
    client = factories.make_client(collector_id=collector.user.id)
    db.session.commit()
    response = post_form(
        collector,
        f"/collections/clients/{client.id}/receipt",
        **{
            "lines-0-kind": "withholding",
            "lines-0-amount": "120,40",
            "lines-0-tax": "ganancias",
            "lines-0-certificate": "0003-00001234",
        },
    )
    assert response.status_code == 303
    row = db.session.scalar(sa.select(FieldReceipt))
    assert row.total == Decimal("120.40")
    [line] = row.data["lines"]
    assert (line["kind"], line["tax"], line["certificate"]) == (
        "withholding",
        "ganancias",
        "0003-00001234",
    )


def test_a_third_party_check_with_its_data_is_kept_for_the_office(collector):
    client = factories.make_client(collector_id=collector.user.id)
    db.session.commit()
    response = post_form(
        collector,
        f"/collections/clients/{client.id}/receipt",
        **{
            "lines-0-kind": "third_party_check",
            "lines-0-amount": "1500,50",
            "lines-0-bank": "Banco Nación",
            "lines-0-number": "12345678",
            "lines-0-due_date": (local_today() + timedelta(days=10)).isoformat(),
            "lines-0-drawer": "Pérez Hnos.",
            "lines-0-drawer_tax_id": factories.company_cuit(77),
            "lines-1-kind": "transfer",
            "lines-1-amount": "100",
            "lines-1-reference": "TRF-998877",
        },
    )
    assert response.status_code == 303
    row = db.session.scalar(sa.select(FieldReceipt))
    assert row.total == Decimal("1600.50")
    assert [line["kind"] for line in row.data["lines"]] == ["third_party_check", "transfer"]


def pending_receipt(collector_user, amount="400", **fields):
    """A client with a 1000 invoice and a field receipt for it waiting for the office."""
    client = factories.make_client(collector_id=collector_user.id, **fields)
    factories.post_document(client, amount="1000", date=local_today() - timedelta(days=40))
    row = collections.record_field_receipt(
        client,
        {
            "lines": [{"kind": "cash", "amount": amount}],
            "apply_oldest": True,
            "latitude": "-31.4",
            "longitude": "-64.18",
        },
        collector_user,
    )
    db.session.commit()
    return client, row


def test_the_office_confirms_a_field_receipt_and_the_balance_changes(office):
    cobrador = factories.make_user("collector", full_name="Ramón Ledesma")
    client, row = pending_receipt(cobrador, trade_name="Kiosco Cobrado")
    page = office.get("/collections/receipts").get_data(as_text=True)
    assert "Kiosco Cobrado" in page and "Cobró Ramón Ledesma" in page
    assert pesos("400,00") in page and "Efectivo" in page and "Se aplica a lo más antiguo." in page
    assert "openstreetmap.org/?mlat=-31.4" in page
    response = office.submit("/collections/receipts", f"/collections/receipts/{row.id}/confirm")
    assert response.status_code == 303 and response.headers["Location"] == "/collections/receipts"
    db.session.expire_all()
    row = db.session.get(FieldReceipt, row.id)
    assert row.state == "confirmed" and row.document_id is not None
    assert accounts.balances(client.id) == {"ARS": Decimal("600.00")}
    page = office.get("/collections/receipts").get_data(as_text=True)
    assert "Cobro confirmado" in page and "No hay cobros esperando confirmación." in page
    account = office.get(f"/clients/{client.id}/account").get_data(as_text=True)
    assert pesos("600,00") in account


def test_a_confirmed_receipt_cannot_be_confirmed_again(office):
    cobrador = factories.make_user("collector")
    _client, row = pending_receipt(cobrador)
    token = csrf_from(office.get("/collections/receipts").get_data(as_text=True))
    office.client.post(f"/collections/receipts/{row.id}/confirm", data={"csrf_token": token})
    again = office.client.post(
        f"/collections/receipts/{row.id}/confirm", data={"csrf_token": token}
    )
    assert again.status_code == 422
    assert count(FieldReceipt) == 1 and accounts.balances(_client.id) == {"ARS": Decimal("600.00")}


def test_the_office_rejects_a_field_receipt_with_a_reason(office):
    cobrador = factories.make_user("collector")
    client, row = pending_receipt(cobrador)
    action = f"/collections/receipts/{row.id}/reject"
    refused = office.submit("/collections/receipts", action, reason="")
    assert refused.status_code == 422
    assert "Contá por qué se rechaza el recibo." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FieldReceipt, row.id).state == "pending"
    done = office.submit("/collections/receipts", action, reason="Transferencia no acreditada")
    assert done.status_code == 303
    db.session.expire_all()
    row = db.session.get(FieldReceipt, row.id)
    assert row.state == "rejected" and row.reject_reason == "Transferencia no acreditada"
    assert accounts.balances(client.id) == {"ARS": Decimal("1000.00")}


@pytest.mark.parametrize("role", ["salesperson", "collector", "supervisor"])
def test_only_the_office_confirms_field_receipts(login_as, role):
    user = login_as(role)
    cobrador = factories.make_user("collector")
    _client, row = pending_receipt(cobrador)
    token = csrf_from(user.get("/account").get_data(as_text=True))
    assert user.get("/collections/receipts").status_code == 403
    for verb in ("confirm", "reject"):
        response = user.client.post(
            f"/collections/receipts/{row.id}/{verb}", data={"csrf_token": token, "reason": "No"}
        )
        assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(FieldReceipt, row.id).state == "pending"
    assert "Cobros a confirmar" not in user.get("/collections/").get_data(as_text=True)


# --- promises, the card, delinquency ---------------------------------------------------------


def test_the_promises_page_flags_broken_promises(collector):
    me = collector.user
    today = local_today()
    broken_client = factories.make_client(collector_id=me.id, trade_name="Kiosco Falla")
    call_days_ago(
        broken_client, me, 8, channel="phone", outcome="promise", promise_amount=Decimal("900"),
        promise_currency="ARS", promise_date=today - timedelta(days=3),
    )  # fmt: skip
    open_client = factories.make_client(collector_id=me.id, trade_name="Kiosco Espera")
    collections.log_call(
        open_client,
        {
            "channel": "visit",
            "outcome": "promise",
            "promise_amount": "300",
            "promise_date": today + timedelta(days=2),
        },
        me,
    )
    db.session.commit()
    page = collector.get("/collections/promises").get_data(as_text=True)
    assert 'class="promise-row broken"' in page and "Incumplida" in page
    assert page.index("Kiosco Falla") < page.index("Kiosco Espera")
    assert "Pendiente" in page and pesos("900,00") in page
    only = collector.get("/collections/promises?state=broken", headers=HX)
    body = only.get_data(as_text=True)
    assert "<html" not in body and "Kiosco Falla" in body and "Kiosco Espera" not in body


def test_the_card_shows_the_collection_history_and_its_buttons(collector):
    me = collector.user
    client = factories.make_client(collector_id=me.id)
    call_days_ago(
        client, me, 9, channel="phone", outcome="promise", promise_amount=Decimal("250"),
        promise_currency="ARS", promise_date=local_today() - timedelta(days=2),
        notes="Prometió y no pagó",
    )  # fmt: skip
    collections.log_call(
        client,
        {
            "channel": "whatsapp",
            "outcome": "no_answer",
            "next_contact_at": local_today() + timedelta(days=2),
        },
        me,
    )
    db.session.commit()
    page = collector.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Cobranza" in page and "Incumplida" in page and "Prometió y no pagó" in page
    assert "No atiende" in page and "WhatsApp" in page and "Próxima gestión" in page
    assert f"/collections/clients/{client.id}/call?back=card" in page
    assert f"/collections/clients/{client.id}/receipt?back=card" in page


def test_the_office_sets_and_runs_the_delinquency_rule(office):
    debtor = factories.make_client(trade_name="Kiosco Moroso")
    factories.post_document(debtor, amount="80000", date=local_today() - timedelta(days=120))
    db.session.commit()
    page = office.get("/collections/delinquency").get_data(as_text=True)
    assert "flask --app wsgi delinquency" in page and "Todavía no se corrió." in page
    bad = office.submit(
        "/collections/delinquency", days_overdue="0", min_amount="mucho", active="1"
    )
    assert bad.status_code == 422
    assert error_after(bad.get_data(as_text=True), "days_overdue") == "Indicá entre 1 y 3650 días."
    assert count(DelinquencyRule) in (0, 1)
    saved = office.submit(
        "/collections/delinquency", days_overdue="90", min_amount="50000", active="1"
    )
    assert saved.status_code == 303
    rule = db.session.scalar(sa.select(DelinquencyRule))
    assert (rule.days_overdue, rule.min_amount, rule.active) == (90, Decimal("50000"), True)
    assert (
        db.session.scalar(
            sa.select(AuditEntry.after).where(AuditEntry.action == "collection.delinquency_rule")
        )["days_overdue"]
        == 90
    )
    ran = office.submit("/collections/delinquency", "/collections/delinquency/run")
    assert ran.status_code == 303  # a background job (run inline by the tests)
    page = office.get(ran.location).get_data(as_text=True)
    assert "Pasó a moroso 1 cliente." in page and "Kiosco Moroso" in page
    db.session.expire_all()
    assert db.session.get(type(debtor), debtor.id).state == "delinquent"


def test_only_the_office_manages_the_delinquency_rule(login_as):
    for role in ("collector", "supervisor", "salesperson"):
        assert login_as(role).get("/collections/delinquency").status_code == 403


def test_a_visit_without_a_time_window_reads_visita_pactada(collector, zone):
    client = factories.make_client(
        collector_id=collector.user.id, sales_zone_id=zone.id, trade_name="Kiosco Todo El Dia"
    )
    db.session.add(
        CollectionCall(
            client_id=client.id,
            user_id=collector.user.id,
            channel="visit",
            outcome="no_answer",
            visit_date=local_today(),
            visit_from=None,
            visit_to=None,
        )
    )
    db.session.commit()
    page = collector.get("/collections/").get_data(as_text=True)
    assert "Visita pactada" in page and "Kiosco Todo El Dia" in page


def test_a_long_zone_is_cut_to_a_days_work_and_opens_in_full(collector, zone, monkeypatch):
    from app.collections import views

    monkeypatch.setattr(views, "ROWS_PER_ZONE", 2)
    today = local_today()
    for n in range(3):
        client = factories.make_client(
            trade_name=f"Kiosco Fila {n}", collector_id=collector.user.id, sales_zone_id=zone.id
        )
        factories.post_document(client, amount="1000", date=today - timedelta(days=90 - n))
    db.session.commit()
    page = collector.get("/collections/").get_data(as_text=True)
    assert "Kiosco Fila 0" in page and "Kiosco Fila 1" in page and "Kiosco Fila 2" not in page
    assert "Ver 1 cliente más de esta zona" in page and "3 clientes" in page
    whole = collector.get("/collections/?zone=Norte").get_data(as_text=True)
    assert "Kiosco Fila 2" in whole and "Volver a la hoja completa" in whole


@pytest.mark.parametrize("page", ["receipt", "call"])
def test_the_field_forms_answer_htmx_with_a_fragment(collector, page):
    client = factories.make_client(collector_id=collector.user.id)
    db.session.commit()
    response = collector.get(f"/collections/clients/{client.id}/{page}", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert 'name="idempotency_key"' in body and "HX-Request" in response.headers["Vary"]


def test_the_pending_receipts_fragment_has_no_layout(office):
    cobrador = factories.make_user("collector")
    pending_receipt(cobrador, trade_name="Kiosco Fragmento")
    response = office.get("/collections/receipts", headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body and "Kiosco Fragmento" in body


def test_the_collection_pages_link_the_client_e_mail_pages(login_as):
    collector = login_as("collector")
    page = collector.get("/collections/").get_data(as_text=True)
    assert 'href="/mail/"' in page
    salesperson = login_as("salesperson")
    assert 'href="/mail/"' not in salesperson.get("/collections/").get_data(as_text=True)
