"""E-mail pages: permissions, the template form and its htmx preview, sending, the card's log."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.collections.models import EmailAccount, EmailSent, EmailTemplate
from app.extensions import db
from tests import factories
from tests.collections.smtp_server import make_account, make_template, owe, serving
from tests.conftest import csrf_from

HTMX = {"HX-Request": "true"}


@pytest.fixture
def inbox(app, monkeypatch):
    """A real SMTP server on 127.0.0.1 that keeps what arrives."""
    with serving(app, monkeypatch) as server:
        yield server


@pytest.fixture
def office(login_as):
    return login_as("backoffice")


@pytest.fixture
def collector(login_as):
    """A collector, signed in, with one client of their own that owes and has an e-mail."""
    browser = login_as("collector")
    browser.own = factories.make_client(
        trade_name="Almacén Don José", email="pagos@donjose.example", collector_id=browser.user.id
    )
    owe(browser.own, "1500.00", 40)
    db.session.commit()
    return browser


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def page(response) -> str:
    return response.get_data(as_text=True)


# --- permissions -----------------------------------------------------------------------------

SEND_PAGES = ["/mail/", "/mail/bulk"]
MANAGE_PAGES = ["/mail/templates", "/mail/templates/new", "/mail/accounts", "/mail/accounts/new"]


@pytest.mark.parametrize(
    ("role", "may_send", "may_manage"),
    [
        ("admin", True, True),
        ("backoffice", True, True),
        ("supervisor", True, False),
        ("collector", True, False),
        ("salesperson", False, False),
    ],
)
def test_who_may_send_and_who_may_keep_templates(app, login_as, role, may_send, may_manage):
    browser = login_as(role)
    for path in SEND_PAGES:
        assert browser.get(path).status_code == (200 if may_send else 403), path
    for path in MANAGE_PAGES:
        assert browser.get(path).status_code == (200 if may_manage else 403), path


def test_a_collector_cannot_send_to_someone_elses_client(app, collector):
    stranger = factories.make_client(email="otro@x.ex")
    make_template(make_account())
    db.session.commit()
    assert collector.get(f"/mail/clients/{stranger.id}/send").status_code == 404


def test_the_card_shows_the_mail_log_only_to_who_may_send(app, collector, login_as):
    template = make_template(make_account(), name="Recordatorio de vencimiento")
    db.session.add(
        EmailSent(
            client_id=collector.own.id,
            template_id=template.id,
            to_address="pagos@donjose.example",
            subject="Hola",
            body="Hola",
            status="failed",
            error="550 Mailbox unavailable",
        )
    )
    db.session.commit()
    card = page(collector.get(f"/clients/{collector.own.id}"))
    log = card[card.index('id="mail"') :]
    assert "Recordatorio de vencimiento" in log and "Falló" in log
    assert "550 Mailbox unavailable" in log
    assert f"/mail/clients/{collector.own.id}/send" in log
    seller = login_as("salesperson")
    collector.own.salesperson_id = seller.user.id
    db.session.commit()
    card = page(seller.get(f"/clients/{collector.own.id}"))
    assert 'id="mail"' not in card and "Recordatorio de vencimiento" not in card


# --- accounts --------------------------------------------------------------------------------


def test_an_account_with_a_bad_address_is_refused_then_saved(app, office):
    response = office.submit(
        "/mail/accounts/new", name="Cobranzas", from_name="Cobranzas", from_address="no-es-correo"
    )
    assert response.status_code == 422
    assert "Ingresá un correo válido" in page(response)
    assert count(EmailAccount) == 0
    response = office.submit(
        "/mail/accounts/new",
        name="Cobranzas",
        from_name="Cobranzas Distribuidora",
        from_address="cobranzas@distribuidora.example",
        active="y",
    )
    assert response.status_code == 303
    account = db.session.scalar(sa.select(EmailAccount))
    assert (account.from_address, account.active) == ("cobranzas@distribuidora.example", True)
    assert "Cobranzas Distribuidora" in page(office.get("/mail/accounts"))


# --- templates -------------------------------------------------------------------------------


def test_a_template_with_a_syntax_error_is_refused_with_the_line(app, office):
    body = "Hola {{ cliente }}\n{% for v in vencimientos %}\n- {{ v.comprobante }}"
    response = office.submit(
        "/mail/templates/new",
        code="REC",
        name="Recordatorio",
        kind="reminder",
        subject="Vencimientos de {{ cliente }}",
        body=body,
    )
    assert response.status_code == 422
    html = page(response)
    assert "Error en la línea 3: falta cerrar el bloque «for»: agregá {% endfor %}." in html
    assert count(EmailTemplate) == 0


def test_a_template_is_saved_and_documented(app, office):
    form = page(office.get("/mail/templates/new"))
    assert "{{ tabla_vencidos }}" in form and "{{ proximo_vencimiento }}" in form
    response = office.submit(
        "/mail/templates/new",
        code="REC",
        name="Recordatorio",
        kind="reminder",
        subject="Vencimientos de {{ cliente }}",
        body="Hola {{ cliente }}\n{{ tabla_vencidos }}",
    )
    assert response.status_code == 303
    template = db.session.scalar(sa.select(EmailTemplate))
    assert template.body == "Hola {{ cliente }}\n{{ tabla_vencidos }}"
    audit = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.entity_type == "email_template")
    )
    assert audit.action == "email_template.create"


def test_the_live_preview_is_a_fragment_merged_with_the_chosen_client(app, office):
    client = factories.make_client(trade_name="Kiosco La Esquina", email="k@x.ex")
    owe(client, "2500.00", 20)
    db.session.commit()
    token = csrf_from(page(office.get("/mail/templates/new")))
    response = office.client.post(
        "/mail/templates/preview",
        data={
            "subject": "Hola {{ cliente }}",
            "body": "Debés {{ vencido }}.\n{{ tabla_vencidos }}\n{{ apodo }}",
            "kind": "reminder",
            "preview_q": client.code,
        },
        headers=HTMX | {"X-CSRFToken": token},
    )
    assert response.status_code == 200
    html = page(response)
    assert "<html" not in html
    assert "Vista previa con Kiosco La Esquina" in html
    assert "Hola Kiosco La Esquina" in html and "<table" in html
    assert "$\u00a02.500,00" in html
    assert "apodo" in html  # an unknown field is pointed out
    response = office.client.post(
        "/mail/templates/preview",
        data={"subject": "Hola", "body": "{% if x %}", "kind": "reminder"},
        headers=HTMX | {"X-CSRFToken": token},
    )
    assert "Error en la línea 1: falta cerrar el bloque «if»" in page(response)


# --- send to one client ----------------------------------------------------------------------


def test_the_send_page_previews_and_sends_once(app, collector, inbox):
    make_template(make_account(), name="Recordatorio", subject="Vencimientos de {{ cliente }}")
    db.session.commit()
    url = f"/mail/clients/{collector.own.id}/send"
    html = page(collector.get(url))
    assert "Vencimientos de Almacén Don José" in html
    assert "pagos@donjose.example" in html and "<table" in html
    key = "envio-cliente-0001"
    token = csrf_from(html)
    data = {"csrf_token": token, "idempotency_key": key}
    response = collector.client.post(url, data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/clients/{collector.own.id}#mail")
    replay = collector.client.post(url, data=data)
    assert replay.status_code == 303 and replay.headers["Idempotent-Replayed"] == "true"
    assert len(inbox.envelopes) == 1
    assert inbox.messages()[0]["Subject"] == "Vencimientos de Almacén Don José"
    row = db.session.scalar(sa.select(EmailSent))
    assert (row.status, row.sent_by_id) == ("sent", collector.user.id)
    card = page(collector.get(f"/clients/{collector.own.id}"))
    assert "Se envió el correo a pagos@donjose.example." in card
    assert "Enviado" in card[card.index('id="mail"') :]


def test_choosing_a_statement_swaps_in_the_range_and_the_attachment(app, collector, inbox):
    make_template(make_account(), name="Recordatorio")
    statement = make_template(make_account(), kind="statement", name="Resumen de cuenta")
    db.session.commit()
    url = f"/mail/clients/{collector.own.id}/send"
    response = collector.get(url, query_string={"template_id": statement.id}, headers=HTMX)
    html = page(response)
    assert response.status_code == 200 and "<html" not in html
    assert 'name="date_from"' in html and f"estado-de-cuenta-{collector.own.code}-" in html
    token = csrf_from(page(collector.get(url)))
    response = collector.client.post(
        url,
        data={
            "csrf_token": token,
            "template_id": statement.id,
            "date_from": "2026-01-01",
            "date_to": "2025-01-01",
        },
    )
    assert response.status_code == 422
    assert "no puede ser anterior" in page(response)
    assert inbox.envelopes == [] and count(EmailSent) == 0


def test_a_refusing_server_is_reported_and_logged(app, collector, inbox):
    inbox.refuse_data = "550 5.7.1 Relaying denied"
    make_template(make_account())
    db.session.commit()
    url = f"/mail/clients/{collector.own.id}/send"
    response = collector.submit(url)
    assert response.status_code == 303
    row = db.session.scalar(sa.select(EmailSent))
    assert row.status == "failed" and "Relaying denied" in row.error
    card = page(collector.get(f"/clients/{collector.own.id}"))
    assert "No se pudo enviar el correo" in card and "Falló" in card


def test_with_smtp_off_the_page_says_so_and_sending_is_refused(app, collector, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", "")
    make_template(make_account())
    db.session.commit()
    url = f"/mail/clients/{collector.own.id}/send"
    html = page(collector.get(url))
    assert "El envío de correos está apagado" in html
    assert "disabled" in html[html.index('type="submit" class="block"') :][:80]
    response = collector.submit(url)
    assert response.status_code == 422
    assert "falta configurar el servidor SMTP (SMTP_HOST)" in page(response)
    assert count(EmailSent) == 0


def test_a_client_without_email_cannot_be_sent_to(app, collector, inbox):
    collector.own.email = None
    make_template(make_account())
    db.session.commit()
    url = f"/mail/clients/{collector.own.id}/send"
    assert "El cliente no tiene e-mail" in page(collector.get(url))
    response = collector.submit(url)
    assert response.status_code == 422 and count(EmailSent) == 0


# --- bulk ------------------------------------------------------------------------------------


def test_the_bulk_page_counts_then_sends_to_the_filtered_list(app, office, inbox):
    zone = factories.make_zone(name="Zona Norte")
    reached = factories.make_client(trade_name="Uno", email="uno@x.ex", sales_zone_id=zone.id)
    owe(reached, "3000.00", 40)
    silent = factories.make_client(trade_name="Dos", email=None, sales_zone_id=zone.id)
    owe(silent, "3000.00", 40)
    factories.make_client(trade_name="Tres", email="tres@x.ex", sales_zone_id=zone.id)  # no debt
    factories.make_client(trade_name="Cuatro", email="cuatro@x.ex")  # another zone
    make_template(make_account())
    db.session.commit()
    filters = {"zone_id": zone.id, "min_overdue": "1000"}
    response = office.get("/mail/bulk", query_string=filters, headers=HTMX)
    html = page(response)
    assert response.status_code == 200 and "<html" not in html
    assert "Lo va a recibir 1 cliente." in html
    assert "1 cliente del filtro no tiene e-mail" in html
    assert "Enviar a 1 cliente" in html
    token = csrf_from(page(office.get("/mail/bulk")))
    response = office.client.post(
        "/mail/bulk", data={"csrf_token": token, "idempotency_key": "envio-masivo-01"} | filters
    )
    # the send is a background job (run inline by the tests): the sender lands on its page
    assert response.status_code == 303 and "/jobs/" in response.location
    done = page(office.get(response.location))
    assert "Terminada" in done and "Envío masivo" in done
    assert "Enviados" in done and "Dos" in done  # skipped for having no e-mail
    assert "hx-trigger" not in done  # an ended job's page stops polling
    assert [e.rcpt_tos for e in inbox.envelopes] == [["uno@x.ex"]]
    rows = db.session.scalars(sa.select(EmailSent)).all()
    assert [(row.client_id, row.status) for row in rows] == [(reached.id, "sent")]
    assert rows[0].job_id is not None


def test_bad_bulk_filters_are_refused_and_nothing_is_sent(app, office, inbox):
    factories.make_client(email="uno@x.ex")
    make_template(make_account())
    db.session.commit()
    response = office.submit("/mail/bulk", days_overdue="-3")
    assert response.status_code == 422
    assert "Ingresá una cantidad de días entre 1 y 3650." in page(response)
    assert inbox.envelopes == [] and count(EmailSent) == 0
