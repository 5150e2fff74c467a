"""E-mail to clients: merging templates (missing data included), the sandbox, real SMTP delivery."""

import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Client
from app.collections.mail_bulk import bulk_clients, bulk_counts, parse_bulk_filters
from app.collections.mail_merge import Period, default_period, merge
from app.collections.mail_sending import send_bulk, send_to_client
from app.collections.mail_settings import MailError, mail_enabled
from app.collections.mail_templates import save_template, source_problem
from app.collections.models import EmailSent, EmailTemplate
from app.core.templating import date_short
from app.extensions import db
from app.ledger.services import document_title
from tests import factories
from tests.collections.smtp_server import (
    days_ago,
    free_port,
    make_account,
    make_template,
    money_text,
    owe,
    owe_later,
    serving,
)

EVERY_FIELD = (
    "C={{ cliente }}|R={{ razon_social }}|K={{ codigo }}|S={{ saldo }}|V={{ vencido }}"
    "|P={{ proximo_vencimiento }}|B={{ cobrador }}|E={{ empresa }}|F={{ fecha }}\n"
    "{% for v in vencimientos %}* {{ v.comprobante }} vence {{ v.vence }} ({{ v.dias }} días) "
    "{{ v.saldo }}{% if v.vencido %} VENCIDO{% endif %}\n{% endfor %}"
    "{{ tabla_vencidos }}"
)


def sent_rows() -> list[EmailSent]:
    return db.session.scalars(sa.select(EmailSent).order_by(EmailSent.id)).all()


def email_audits() -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "client.email").order_by(AuditEntry.id)
    ).all()


@pytest.fixture
def inbox(app, monkeypatch):
    """A real SMTP server on 127.0.0.1 that keeps what arrives."""
    with serving(app, monkeypatch) as server:
        yield server


@pytest.fixture
def mail_off(app, monkeypatch):
    """No SMTP server configured."""
    monkeypatch.setitem(app.config, "SMTP_HOST", "")


@pytest.fixture
def collector(app):
    return factories.make_user(role="collector", full_name="Ramón Ledesma")


@pytest.fixture
def debtor(app, collector):
    """A client with an e-mail, a collector, one invoice 60 days late and one not yet due."""
    client = factories.make_client(
        trade_name="Almacén Don José",
        legal_name="José Pereyra e Hijos S.R.L.",
        email="pagos@donjose.example",
        collector_id=collector.id,
    )
    client.late = owe(client, "1500.00", 60)
    client.later = owe_later(client, "800.00", 30)
    db.session.flush()
    return client


# --- merging ---------------------------------------------------------------------------------


def test_merge_fills_every_field(app, debtor, monkeypatch):
    monkeypatch.setitem(app.config, "COMPANY_NAME", "Distribuidora del Sur")
    template = make_template(subject="Aviso para {{ cliente }} ({{ codigo }})", body=EVERY_FIELD)
    merged = merge(template, debtor)

    assert merged.subject == f"Aviso para Almacén Don José ({debtor.code})"
    first = merged.text.splitlines()[0]
    assert first == (
        f"C=Almacén Don José|R=José Pereyra e Hijos S.R.L.|K={debtor.code}"
        f"|S={money_text('2300.00')}|V={money_text('1500.00')}"
        f"|P={date_short(days_ago(-30))}|B=Ramón Ledesma|E=Distribuidora del Sur"
        f"|F={date_short(days_ago(0))}"
    )
    late_title = document_title(debtor.late)
    later_title = document_title(debtor.later)
    assert (
        f"* {late_title} vence {date_short(days_ago(60))} (60 días) {money_text('1500.00')}"
        " VENCIDO" in merged.text
    )
    assert f"* {later_title} vence {date_short(days_ago(-30))} (0 días)" in merged.text
    # the ready-made table: the overdue document only, as text in the text part...
    assert (
        f"- {late_title}, venció el {date_short(days_ago(60))} (60 días): {money_text('1500.00')}"
        in merged.text
    )
    assert f"Total vencido: {money_text('1500.00')}" in merged.text
    assert f"- {later_title}" not in merged.text
    # ...and as an HTML table in the HTML part
    html = str(merged.html_body)
    table = html[html.index("<table") : html.index("</table>")]
    assert late_title in table and later_title not in table
    assert "<th" in table and money_text("1500.00") in table
    assert "style=" not in html  # the page's preview follows the style sheet (CSP)


def test_missing_data_prints_a_dash_and_never_breaks(app):
    client = factories.make_client(trade_name=None, legal_name="Kiosco El Pibe", email="k@x.ex")
    template = make_template(
        subject="{{ apodo }} {{ cliente }}",
        body="B={{ cobrador }}|P={{ proximo_vencimiento }}|X={{ apodo }}|Y={{ apodo.nombre }}"
        "|Z={{ apodo + 1 }}|W={{ apodo() }}|{% for x in apodo %}nunca{% endfor %}.",
    )
    merged = merge(template, client)
    assert merged.subject == "— Kiosco El Pibe"
    assert merged.text.strip() == "B=—|P=—|X=—|Y=—|Z=—|W=—|."
    assert "B=—|P=—|X=—" in str(merged.html_body)


def test_a_client_with_no_overdue_items(app, collector):
    client = factories.make_client(email="al.dia@x.ex", collector_id=collector.id)
    owe_later(client, "800.00", 15)
    template = make_template(body="V={{ vencido }}\n{{ tabla_vencidos }}\nS={{ saldo }}")
    merged = merge(template, client)
    assert f"V={money_text('0')}" in merged.text
    assert "No hay comprobantes vencidos." in merged.text
    assert f"S={money_text('800.00')}" in merged.text
    assert "<table" not in str(merged.html_body)
    assert "No hay comprobantes vencidos." in str(merged.html_body)


def test_a_client_with_no_account_at_all(app):
    client = factories.make_client(email="nuevo@x.ex")
    merged = merge(make_template(body=EVERY_FIELD), client)
    assert f"|S={money_text('0')}|V={money_text('0')}|P=—|B=—|" in merged.text


def test_the_html_part_escapes_what_users_and_clients_wrote(app):
    client = factories.make_client(trade_name="Kiosco <b>Tito</b> & Cía", email="t@x.ex")
    template = make_template(body="<script>alert(1)</script> Hola {{ cliente }}\nchau")
    merged = merge(template, client)
    html = str(merged.html_body)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>Tito" not in html and "Kiosco &lt;b&gt;Tito&lt;/b&gt; &amp; Cía" in html
    assert "<br>" in html  # line breaks kept
    assert "Hola Kiosco <b>Tito</b> & Cía" in merged.text  # the text part as written


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__ }}",
        "{{ cliente.__class__.__mro__ }}",
        "{% for c in ''.__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
        "{{ vencimientos.__class__ }}",
    ],
)
def test_the_sandbox_refuses_internal_access(app, source):
    problem = source_problem(source)
    assert problem and "no está permitido" in problem
    with pytest.raises(MailError) as refused:
        save_template(
            None,
            {"code": "X", "name": "X", "kind": "reminder", "subject": "Hola", "body": source},
        )
    assert "no está permitido" in refused.value.fields["body"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailTemplate)) == 0


def test_a_syntax_error_is_refused_with_its_line_in_spanish(app):
    body = "Hola {{ cliente }}\n\n{% for v in vencimientos %}\n- {{ v.comprobante }}\n"
    with pytest.raises(MailError) as refused:
        save_template(
            None, {"code": "R1", "name": "R", "kind": "reminder", "subject": "S", "body": body}
        )
    message = refused.value.fields["body"]
    assert re.match(r"Error en la línea \d+: falta cerrar el bloque «for»", message)
    assert "{% endfor %}" in message
    with pytest.raises(MailError) as refused:
        save_template(
            None,
            {
                "code": "R1",
                "name": "R",
                "kind": "reminder",
                "subject": "Hola {{ cliente",
                "body": "x",
            },
        )
    assert refused.value.fields["subject"] == "Error en la línea 1: falta cerrar un campo con }}."


def test_a_good_template_is_saved_and_audited(app):
    template = save_template(
        None,
        {"code": "REC", "name": "Recordatorio", "kind": "reminder", "subject": "Hola", "body": "x"},
    )
    assert template.id and template.code == "REC"
    audit = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.entity_type == "email_template")
    )
    assert audit.action == "email_template.create" and audit.after["code"] == "REC"
    with pytest.raises(MailError) as refused:
        save_template(
            None,
            {"code": "rec", "name": "Otra", "kind": "reminder", "subject": "Hola", "body": "x"},
        )
    assert refused.value.fields == {"code": "Ya hay una planilla con ese código."}


# --- sending ---------------------------------------------------------------------------------


def test_a_reminder_arrives_with_both_parts_and_is_logged(app, inbox, debtor):
    account = make_account()
    template = make_template(account)
    sender = factories.make_user(role="backoffice")
    row = send_to_client(template, debtor, sender)
    db.session.commit()

    [message] = inbox.messages()
    assert message["From"] == "Cobranzas Distribuidora <cobranzas@distribuidora.example>"
    assert message["To"] == "pagos@donjose.example"
    assert message["Reply-To"] == "pagos@distribuidora.example"
    assert message["Subject"] == "Vencimientos de Almacén Don José"
    assert inbox.envelopes[0].mail_from == "cobranzas@distribuidora.example"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    title = document_title(debtor.late)
    assert f"Hola Almacén Don José, debés {money_text('1500.00')}." in text
    assert f"- {title}, venció el {date_short(days_ago(60))} (60 días)" in text
    assert "<table" in html and title in html and "<html" in html
    assert '<td class="num" style="' in html  # mail programs need inline styles
    assert list(message.iter_attachments()) == []

    assert [(r.status, r.to_address, r.client_id) for r in sent_rows()] == [
        ("sent", "pagos@donjose.example", debtor.id)
    ]
    assert row.subject == "Vencimientos de Almacén Don José" and row.error is None
    assert row.template_id == template.id and row.account_id == account.id
    assert row.sent_by_id == sender.id and title in row.body
    [audit] = email_audits()
    assert (audit.entity_type, audit.entity_id, audit.actor_id) == (
        "client",
        str(debtor.id),
        sender.id,
    )
    assert audit.after["status"] == "sent" and audit.after["to"] == "pagos@donjose.example"


def test_a_statement_carries_the_pdf_of_the_last_90_days(app, inbox, debtor):
    template = make_template(make_account(), kind="statement", body="Resumen {{ periodo }}")
    send_to_client(template, debtor, None)
    [message] = inbox.messages()
    [attachment] = message.iter_attachments()
    period = default_period()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == (
        f"estado-de-cuenta-{debtor.code}-{period.date_from}-{period.date_to}.pdf"
    )
    assert attachment.get_content().startswith(b"%PDF")
    text = message.get_body(("plain",)).get_content()
    assert f"Resumen {date_short(days_ago(90))} al {date_short(days_ago(0))}" in text


def test_a_statement_for_a_chosen_range(app, inbox, debtor):
    template = make_template(make_account(), kind="statement")
    chosen = Period(days_ago(200), days_ago(100))
    send_to_client(template, debtor, None, chosen)
    [attachment] = inbox.messages()[0].iter_attachments()
    assert attachment.get_filename().endswith(f"-{days_ago(200)}-{days_ago(100)}.pdf")


def test_other_emails_get_it_too(app, inbox):
    client = factories.make_client(email="a@x.ex", other_emails="b@x.ex; no-es-correo, c@x.ex")
    send_to_client(make_template(make_account()), client, None)
    assert inbox.envelopes[0].rcpt_tos == ["a@x.ex", "b@x.ex", "c@x.ex"]
    assert sent_rows()[0].to_address == "a@x.ex, b@x.ex, c@x.ex"


def test_a_refusing_server_logs_failed_with_its_reply(app, inbox, debtor):
    inbox.refuse_data = "550 5.7.1 Relaying denied"
    row = send_to_client(make_template(make_account()), debtor, None)
    db.session.commit()
    assert row.status == "failed"
    assert "550" in row.error and "Relaying denied" in row.error
    assert inbox.envelopes == []
    [audit] = email_audits()
    assert audit.after["status"] == "failed" and "Relaying denied" in audit.after["error"]


def test_a_refused_recipient_logs_failed(app, inbox, debtor):
    inbox.refuse_rcpt["pagos@donjose.example"] = "550 5.1.1 Mailbox unavailable"
    row = send_to_client(make_template(make_account()), debtor, None)
    assert row.status == "failed"
    assert "pagos@donjose.example" in row.error and "Mailbox unavailable" in row.error


def test_an_unreachable_server_fails_every_message_quickly(app, inbox, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())
    clients = [factories.make_client(email=f"c{n}@x.ex") for n in range(3)]
    result = send_bulk(make_template(make_account()), sa.select(Client), None, batch_size=2)
    assert (len(result.sent), len(result.failed)) == (0, 3)
    assert {row.client_id for row in result.failed} == {c.id for c in clients}
    assert all(row.error.startswith("No se pudo conectar") for row in result.failed)


def test_an_unsafe_template_saved_behind_our_back_fails_without_sending(app, inbox, debtor):
    template = make_template(make_account(), body="{{ cliente.__class__.__mro__ }}")
    row = send_to_client(template, debtor, None)
    assert row.status == "failed" and "no se pudo combinar" in row.error
    assert inbox.envelopes == []


def test_with_smtp_off_sending_is_refused_with_a_clear_message(app, mail_off, debtor):
    assert not mail_enabled()
    with pytest.raises(MailError) as refused:
        send_to_client(make_template(make_account()), debtor, None)
    assert "falta configurar el servidor SMTP (SMTP_HOST)" in str(refused.value)
    assert sent_rows() == [] and email_audits() == []


def test_a_client_without_email_is_refused_alone_and_skipped_in_bulk(app, inbox):
    client = factories.make_client(email=None)
    template = make_template(make_account())
    with pytest.raises(MailError) as refused:
        send_to_client(template, client, None)
    assert "no tiene e-mail" in str(refused.value)
    result = send_bulk(template, sa.select(Client), None)
    assert result.skipped == [client] and result.sent == [] and sent_rows() == []


def test_without_an_active_account_nothing_is_tried(app, inbox, debtor):
    template = make_template(make_account(active=False))
    with pytest.raises(MailError) as refused:
        send_to_client(template, debtor, None)
    assert "cuenta de correo activa" in str(refused.value)
    assert inbox.envelopes == []


# --- bulk ------------------------------------------------------------------------------------


def test_a_bulk_send_reaches_exactly_the_matching_clients_with_email(app, inbox, collector):
    office = factories.make_user(role="backoffice")
    zone, other_zone = factories.make_zone(), factories.make_zone()
    other_collector = factories.make_user(role="collector")
    mine = {"sales_zone_id": zone.id, "collector_id": collector.id}

    def client(name, email, amount, late_days, **fields):
        made = factories.make_client(trade_name=name, email=email, **(mine | fields))
        if amount:
            owe(made, amount, late_days)
        return made

    first = client("Primero", "uno@x.ex", "2000.00", 60)
    second = client("Segundo", "dos@x.ex", "1200.00", 45)
    no_email = client("Sin correo", None, "5000.00", 90)
    client("Otra zona", "z@x.ex", "5000.00", 90, sales_zone_id=other_zone.id)
    client("Otro cobrador", "o@x.ex", "5000.00", 90, collector_id=other_collector.id)
    client("Debe poco", "p@x.ex", "100.00", 90)
    client("Atraso corto", "a@x.ex", "5000.00", 5)
    client("Al día", "d@x.ex", None, 0)
    db.session.commit()

    raw = {
        "zone_id": str(zone.id),
        "collector_id": str(collector.id),
        "min_overdue": "1.000,00",
        "days_overdue": "30",
    }
    filters, errors = parse_bulk_filters(raw)
    assert errors == {}
    query = bulk_clients(office, filters)
    assert bulk_counts(query) == (3, 1)

    result = send_bulk(make_template(make_account()), query, office, batch_size=1)
    db.session.commit()
    assert sorted(to for e in inbox.envelopes for to in e.rcpt_tos) == [
        "dos@x.ex",
        "uno@x.ex",
    ]
    assert result.skipped == [no_email]
    assert {row.client_id for row in sent_rows()} == {first.id, second.id}
    assert all(row.status == "sent" for row in sent_rows())
    assert len(set(inbox.peers)) == 2  # one connection per batch of one
    assert len(email_audits()) == 2


def test_a_bulk_send_keeps_going_when_the_server_refuses(app, inbox):
    inbox.refuse_data = "554 5.7.1 Spam detectado"
    for n in range(3):
        factories.make_client(email=f"c{n}@x.ex")
    result = send_bulk(make_template(make_account()), sa.select(Client), None)
    assert len(result.failed) == 3 and result.sent == []
    assert all("Spam detectado" in row.error for row in sent_rows())


def test_one_connection_carries_a_whole_batch(app, inbox):
    for n in range(5):
        factories.make_client(email=f"c{n}@x.ex")
    result = send_bulk(make_template(make_account()), sa.select(Client), None, batch_size=2)
    assert len(result.sent) == 5 and len(inbox.envelopes) == 5
    assert len(set(inbox.peers)) == 3  # batches of 2, 2 and 1


def test_bulk_filters_refuse_bad_input(app):
    filters, errors = parse_bulk_filters({"min_overdue": "mucho", "days_overdue": "0"})
    assert errors == {
        "min_overdue": "Importe inválido.",
        "days_overdue": "Ingresá una cantidad de días entre 1 y 3650.",
    }
    assert filters.min_overdue is None and filters.days_overdue is None


def test_the_demo_templates_are_valid_and_read_well_without_a_collector(app):
    import random

    from app.demo.mail import add_demo_mail

    clients = [factories.make_client(email=f"demo{n}@x.ex") for n in range(4)]
    owe(clients[0], "900.00", 10)
    rows = add_demo_mail(random.Random(1))
    templates = db.session.scalars(sa.select(EmailTemplate).order_by(EmailTemplate.code)).all()
    assert [t.name for t in templates] == ["Recordatorio de vencimiento", "Resumen de cuenta"]
    assert all(source_problem(t.subject) is None for t in templates)
    assert all(source_problem(t.body) is None for t in templates)
    reminder = merge(templates[0], clients[0])
    assert "—" not in reminder.text and "podés transferir." in reminder.text
    assert 1 <= len(rows) <= 4 and {row.client_id for row in rows} <= {c.id for c in clients}


def test_amounts_in_two_currencies_are_both_told(app):
    client = factories.make_client(email="d@x.ex", foreign_currency_allowed=True)
    owe(client, "1500.00", 10)
    factories.post_document(
        client, amount="20.00", currency="USD", exchange_rate="1000", date=days_ago(5)
    )
    merged = merge(make_template(body="S={{ saldo }}\n{{ tabla_vencidos }}"), client)
    both = f"{money_text('1500.00')} y US$\u00a020,00"
    assert f"S={both}" in merged.text
    assert f"Total vencido: {both}" in merged.text
