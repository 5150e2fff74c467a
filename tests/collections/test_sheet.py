"""The daily sheet worked with one thumb: rows stamped with the day's work and folded, the
counter, one-tap outcomes, the way back to the row after a form, and zones loaded on demand."""

import html
import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.collections import services as collections
from app.collections.models import CollectionCall
from app.core.types import local_now, local_today
from app.extensions import db
from tests import factories

HX = {"HX-Request": "true"}
NBSP = "\u00a0"


def at_local(day, hour: int, minute: int) -> datetime:
    """A moment of a day on the company's clock."""
    return datetime.combine(day, time(hour, minute), tzinfo=local_now().tzinfo)


def debtor(collector, zone, name: str, days: int = 40):
    """A client of the collector in a zone with an invoice overdue (so it is on the sheet)."""
    client = factories.make_client(
        trade_name=name, collector_id=collector.id, sales_zone_id=zone.id
    )
    factories.post_document(client, amount="5000", date=local_today() - timedelta(days=days))
    return client


def call_at(client, user, moment: datetime, **fields) -> CollectionCall:
    """A call logged at a given moment."""
    call = CollectionCall(client_id=client.id, user_id=user.id, created_at=moment, **fields)
    db.session.add(call)
    db.session.flush()
    return call


def row_of(page: str, client_id: int) -> str:
    """The sheet row of a client."""
    start = page.rindex("<li", 0, page.index(f'id="sheet-client-{client_id}"'))
    return page[start : page.index("</li>", start)]


def hidden(html: str, name: str) -> str:
    """The value of a hidden input."""
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def calls() -> list[CollectionCall]:
    return list(db.session.scalars(sa.select(CollectionCall).order_by(CollectionCall.id)))


@pytest.fixture
def collector(login_as):
    return login_as("collector", full_name="Ramón Ledesma")


@pytest.fixture
def zone(app):
    return factories.make_zone(name="Norte")


# --- the day's work on the rows --------------------------------------------------------------


def test_a_call_today_by_the_collector_stamps_its_row_and_folds_it(collector, zone):
    me, today = collector.user, local_today()
    promised = debtor(me, zone, "Kiosco Promete", days=90)
    by_other = debtor(me, zone, "Kiosco Otro", days=80)
    yesterday = debtor(me, zone, "Kiosco Ayer", days=70)
    call_at(
        promised, me, at_local(today, 19, 25), channel="phone", outcome="promise",
        promise_amount=Decimal("15000"), promise_currency="ARS", promise_date=today + timedelta(2),
    )  # fmt: skip
    someone = factories.make_user("collector")
    call_at(by_other, someone, at_local(today, 10, 0), channel="phone", outcome="no_answer")
    call_at(yesterday, me, at_local(today - timedelta(1), 23, 50), channel="visit", outcome="paid")
    db.session.commit()

    page = collector.get("/collections/").get_data(as_text=True)

    row = row_of(page, promised.id)
    assert 'class="sheet-row done"' in row and '<details class="sheet-done">' in row
    assert f"Gestionado 19:25 · Promete ${NBSP}15.000,00" in row
    for untouched in (by_other, yesterday):
        assert "Gestionado" not in row_of(page, untouched.id)
        assert 'class="sheet-row"' in row_of(page, untouched.id)
    assert "1 de 3 gestionados" in page
    assert "3 clientes · 1 gestionado" in page
    # the order stays the sheet's: the folded row keeps its place
    assert page.index("Kiosco Promete") < page.index("Kiosco Otro") < page.index("Kiosco Ayer")


def test_a_visit_nobody_answered_and_a_receipt_read_as_the_collector_says_them(collector, zone):
    me, today = collector.user, local_today()
    away = debtor(me, zone, "Kiosco Cerrado")
    paid = debtor(me, zone, "Kiosco Paga")
    call_at(away, me, at_local(today, 9, 5), channel="visit", outcome="no_answer")
    receipt = collections.record_field_receipt(
        paid, {"lines": [{"kind": "cash", "amount": "1500"}], "apply_oldest": True}, me
    )
    taken = receipt.created_at.astimezone(local_now().tzinfo).strftime("%H:%M")
    db.session.commit()

    page = collector.get("/collections/").get_data(as_text=True)

    assert "Gestionado 09:05 · No estaba" in row_of(page, away.id)
    assert f"Gestionado {taken}" in row_of(page, paid.id)
    assert f"Cobrado ${NBSP}1.500,00" in row_of(page, paid.id)
    assert "2 de 2 gestionados" in page


# --- one-tap outcomes ------------------------------------------------------------------------


def test_no_atiende_by_htmx_logs_the_call_and_answers_the_stamped_row(collector, zone):
    me = collector.user
    client = debtor(me, zone, "Kiosco Mudo")
    other = debtor(me, zone, "Kiosco Sigue", days=20)
    db.session.commit()
    page = collector.get("/collections/").get_data(as_text=True)
    row = row_of(page, client.id)
    form = row[row.index('<form class="sheet-quick"') :]
    action = f"/collections/clients/{client.id}/call"
    assert f'action="{action}"' in form and f'hx-post="{action}"' in form
    assert f'hx-target="#sheet-client-{client.id}"' in form and 'hx-swap="outerHTML"' in form
    assert 'name="outcome" value="no_answer"' in form
    assert 'name="channel" value="phone"' in form and 'name="channel" value="visit"' in form
    data = {
        "csrf_token": hidden(form, "csrf_token"),
        "idempotency_key": hidden(form, "idempotency_key"),
        "outcome": "no_answer",
        "channel": "phone",  # the button tapped
    }

    response = collector.client.post(action, data=data, headers=HX)

    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith(f'<li class="sheet-row done" id="sheet-client-{client.id}"')
    assert "Sin respuesta" in body
    assert re.search(r'id="sheet-progress" hx-swap-oob="true">1 de 2 gestionados<', body)
    assert 'hx-swap-oob="true">2 clientes · 1 gestionado' in body
    assert "Kiosco Sigue" not in body and "Gestión registrada" not in body
    [call] = calls()
    assert (call.client_id, call.user_id, call.channel, call.outcome) == (
        client.id,
        me.id,
        "phone",
        "no_answer",
    )
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "collection.call"))
    assert audit.entity_id == str(client.id) and audit.after == collections.call_view(call)

    again = collector.client.post(action, data=data, headers=HX)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_data(as_text=True) == body
    assert len(calls()) == 1
    page = collector.get("/collections/").get_data(as_text=True)
    assert "Gestionado" not in row_of(page, other.id)


def test_no_estaba_without_javascript_posts_a_visit_and_returns_to_the_row(collector, zone):
    client = debtor(collector.user, zone, "Kiosco Cerrado")
    db.session.commit()
    form = row_of(collector.get("/collections/").get_data(as_text=True), client.id)

    response = collector.client.post(
        f"/collections/clients/{client.id}/call",
        data={
            "csrf_token": hidden(form, "csrf_token"),
            "idempotency_key": hidden(form, "idempotency_key"),
            "outcome": "no_answer",
            "channel": "visit",
        },
    )

    back = f"/collections/?client={client.id}#sheet-client-{client.id}"
    assert response.status_code == 303 and response.headers["Location"] == back
    [call] = calls()
    assert (call.channel, call.outcome) == ("visit", "no_answer")
    page = collector.get(back).get_data(as_text=True)
    assert "No estaba" in row_of(page, client.id) and "Gestión registrada para" in page


def test_a_refused_one_tap_leaves_the_row_with_the_message_and_writes_nothing(collector, zone):
    client = debtor(collector.user, zone, "Kiosco Raro")
    db.session.commit()
    form = row_of(collector.get("/collections/").get_data(as_text=True), client.id)
    response = collector.client.post(
        f"/collections/clients/{client.id}/call",
        data={"csrf_token": hidden(form, "csrf_token"), "outcome": "no_answer", "channel": "fax"},
        headers=HX,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in body
    assert f'id="sheet-client-{client.id}"' in body and "sheet-row done" not in body
    assert 'role="alert">Elegí cómo fue el contacto.' in body
    assert calls() == []


def test_one_tap_outcomes_are_the_collectors_own_and_for_today(login_as, collector, zone):
    debtor(collector.user, zone, "Kiosco Ajeno")
    db.session.commit()
    assert 'class="sheet-quick"' in collector.get("/collections/").get_data(as_text=True)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    page = collector.get(f"/collections/?date={tomorrow}").get_data(as_text=True)
    assert "Kiosco Ajeno" in page and 'class="sheet-quick"' not in page
    office = login_as("backoffice")
    page = office.get(f"/collections/?collector={collector.user.id}").get_data(as_text=True)
    assert "Kiosco Ajeno" in page and 'class="sheet-quick"' not in page


def test_a_one_tap_for_a_client_gone_from_the_sheet_sends_the_page_to_the_sheet(collector):
    paid_up = factories.make_client(trade_name="Kiosco Al Día", collector_id=collector.user.id)
    db.session.commit()
    page = collector.get(f"/collections/clients/{paid_up.id}/call").get_data(as_text=True)
    response = collector.client.post(
        f"/collections/clients/{paid_up.id}/call",
        data={"csrf_token": hidden(page, "csrf_token"), "outcome": "no_answer", "channel": "phone"},
        headers=HX,
    )
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/collections/"
    assert [call.client_id for call in calls()] == [paid_up.id]


# --- back to the row after a form -----------------------------------------------------------


def test_a_receipt_from_the_sheet_returns_to_its_row_stamped(collector, zone):
    client = debtor(collector.user, zone, "Kiosco Cobro")
    db.session.commit()
    url = f"/collections/clients/{client.id}/receipt"
    response = collector.submit(
        url, **{"lines-0-kind": "cash", "lines-0-amount": "1.500,00", "apply_oldest": "1"}
    )
    back = f"/collections/?client={client.id}#sheet-client-{client.id}"
    assert response.status_code == 303 and response.headers["Location"] == back
    page = collector.get(back).get_data(as_text=True)
    assert f"Cobrado ${NBSP}1.500,00" in row_of(page, client.id)


def test_a_form_opened_from_another_sheet_returns_to_that_sheet(login_as, zone):
    office = login_as("backoffice")
    silvia = factories.make_user("collector", full_name="Silvia Quiroga")
    client = debtor(silvia, zone, "Kiosco Silvia")
    db.session.commit()
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    sheet = {"collector": [str(silvia.id)], "date": [tomorrow]}
    page = office.get(f"/collections/?collector={silvia.id}&date={tomorrow}")
    row = row_of(page.get_data(as_text=True), client.id)
    link = html.unescape(re.search(r'href="(/collections/clients/\d+/call[^"]*)"', row).group(1))
    assert parse_qs(urlsplit(link).query) == sheet
    form = office.get(link).get_data(as_text=True)
    action = html.unescape(re.search(r'action="(/collections/clients/[^"]*)"', form).group(1))
    assert parse_qs(urlsplit(action).query) == sheet

    response = office.submit(link, action, channel="phone", outcome="refused")

    back = urlsplit(response.headers["Location"])
    assert back.path == "/collections/" and back.fragment == f"sheet-client-{client.id}"
    assert parse_qs(back.query) == sheet | {"client": [str(client.id)]}


# --- zones loaded on demand ------------------------------------------------------------------


def test_the_zone_with_the_next_row_to_work_opens_and_the_others_load_on_demand(collector):
    me, today = collector.user, local_today()
    north, south = factories.make_zone(name="Norte"), factories.make_zone(name="Sur")
    done = debtor(me, north, "Kiosco Hecho")
    call_at(done, me, at_local(today, 8, 0), channel="phone", outcome="refused")
    debtor(me, south, "Kiosco Pendiente")
    db.session.commit()

    page = collector.get("/collections/").get_data(as_text=True)

    # Norte has no row left to work: a header that loads its rows when opened
    north_zone = page[page.index('id="sheet-zone-1"') :]
    north_zone = north_zone[: north_zone.index("</details>")]
    assert " open" not in north_zone.split(">", 1)[0]
    assert 'hx-get="/collections/?zone=Norte" hx-trigger="toggle once"' in north_zone
    assert 'href="/collections/?zone=Norte">Ver el cliente de esta zona' in north_zone
    assert "Kiosco Hecho" not in page
    assert 'id="sheet-zone-2" open' in page and "Kiosco Pendiente" in page
    assert "1 de 2 gestionados" in page

    rows = collector.get("/collections/?zone=Norte", headers=HX)
    body = rows.get_data(as_text=True)
    assert rows.status_code == 200 and "HX-Request" in rows.headers["Vary"]
    assert "<html" not in body and "Kiosco Hecho" in body and "Kiosco Pendiente" not in body
    assert body.lstrip().startswith('<ol class="sheet-rows">')

    whole = collector.get("/collections/?zone=Norte").get_data(as_text=True)
    assert "<html" in whole and "Kiosco Hecho" in whole and "Volver a la hoja completa" in whole

    # back from a form on a Norte row, Norte opens at that row
    again = collector.get(f"/collections/?client={done.id}").get_data(as_text=True)
    assert 'id="sheet-zone-1" open' in again and "Kiosco Hecho" in again
    assert "Kiosco Pendiente" not in again


def test_the_row_a_form_returns_to_is_shown_past_the_zones_cut(collector, zone, monkeypatch):
    from app.collections import views

    monkeypatch.setattr(views, "ROWS_PER_ZONE", 1)
    first = debtor(collector.user, zone, "Kiosco Primero", days=90)
    last = debtor(collector.user, zone, "Kiosco Segundo", days=10)
    db.session.commit()
    page = collector.get("/collections/").get_data(as_text=True)
    assert "Kiosco Primero" in page and "Kiosco Segundo" not in page
    page = collector.get(f"/collections/?client={last.id}").get_data(as_text=True)
    assert f'id="sheet-client-{first.id}"' in page and f'id="sheet-client-{last.id}"' in page


def test_the_day_and_collector_fold_into_one_line(collector, zone):
    debtor(collector.user, zone, "Kiosco Uno")
    db.session.commit()
    page = collector.get("/collections/").get_data(as_text=True)
    summary = re.search(r'<details class="sheet-picker">\s*<summary>([^<]+)</summary>', page)
    today = local_today()
    weekdays = ("Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado", "Domingo")
    assert summary.group(1) == (
        f"{weekdays[today.weekday()]} {today.day}/{today.month} · Ramón Ledesma"
    )
    fold = page[summary.start() : page.index("</details>", summary.start())]
    assert 'name="date"' in fold and "Primero las visitas pactadas" in fold and "Imprimir" in fold
