"""Sending e-mail to clients: the messages, the SMTP connection, send runs and their log."""

import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from jinja2.exceptions import TemplateError, TemplateSyntaxError
from sqlalchemy.orm import selectinload

from app.audit import services as audit
from app.auth.models import User
from app.clients.models import Client
from app.collections.mail_accounts import email_accounts
from app.collections.mail_merge import (
    STATEMENT,
    CompiledTemplate,
    Merged,
    Period,
    client_merge_data,
    default_period,
)
from app.collections.mail_sandbox import syntax_problem
from app.collections.mail_settings import MailError, SmtpSettings, usable_settings
from app.collections.models import EmailAccount, EmailSent, EmailTemplate
from app.core.email import is_email
from app.extensions import db
from app.ledger import statements

BATCH_SIZE = 50  # messages per SMTP connection in a bulk send


# --- recipients, attachments, messages -------------------------------------------------------


def recipients(client: Client) -> list[str]:
    """The client's e-mail and its other e-mails; none when the main one is missing."""
    main = (client.email or "").strip()
    if not main:
        return []
    found = [main]
    for extra in re.split(r"[,;\s]+", client.other_emails or ""):
        if is_email(extra) and extra.lower() not in {a.lower() for a in found}:
            found.append(extra)
    return found


def statement_attachment_name(client: Client, period: Period) -> str:
    """estado-de-cuenta-<code>-<from>-<to>.pdf, with only safe characters."""
    code = re.sub(r"[^A-Za-z0-9_-]+", "-", client.code).strip("-") or str(client.id)
    return f"estado-de-cuenta-{code}-{period.date_from}-{period.date_to}.pdf"


def statement_attachment(client: Client, period: Period) -> tuple[str, bytes]:
    """The account statement PDF for the period, with its file name."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE") or "es_AR"):
        currency = client.currency or "ARS"
        statement = statements.statement(client, period.date_from, period.date_to, currency)
        company = current_app.config.get("COMPANY_NAME") or "Clientes en ruta"
        from app.ledger import pdf  # fpdf2 loads only where a PDF is made

        body = pdf.statement_pdf(statement, company, compress=not current_app.testing)
    return statement_attachment_name(client, period), body


def sender_for(template: EmailTemplate) -> EmailAccount:
    """The template's account if active, else the first active one; MailError if none."""
    if template.account is not None and template.account.active:
        return template.account
    accounts = email_accounts(active_only=True)
    if not accounts:
        raise MailError(
            {"account": _("No hay ninguna cuenta de correo activa: agregá una en Cuentas.")}
        )
    return accounts[0]


def build_message(
    account: EmailAccount,
    to: list[str],
    merged: Merged,
    attachment: tuple[str, bytes] | None = None,
) -> EmailMessage:
    """The MIME message: a text part, its HTML alternative and the PDF when there is one."""
    message = EmailMessage()
    message["From"] = formataddr((account.from_name, account.from_address))
    message["To"] = ", ".join(to)
    if account.reply_to:
        message["Reply-To"] = account.reply_to
    message["Subject"] = merged.subject
    message["Date"] = formatdate(localtime=True)
    domain = account.from_address.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(merged.text)
    message.add_alternative(merged.html, subtype="html")
    if attachment is not None:
        name, body = attachment
        message.add_attachment(body, maintype="application", subtype="pdf", filename=name)
    return message


# --- SMTP ------------------------------------------------------------------------------------


def _reply(code: object, text: object) -> str:
    """An SMTP reply as text ("550 Mailbox unavailable")."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _describe(error: Exception) -> str:
    """An SMTP or network error in a few words, the server's reply included."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = [f"{to}: {_reply(*reply)}" for to, reply in error.recipients.items()]
        return _("el servidor rechazó el destinatario (%(reply)s)", reply="; ".join(replies))
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return _(
            "el servidor no aceptó el usuario o la clave (%(reply)s)",
            reply=_reply(error.smtp_code, error.smtp_error),
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return _(
            "el servidor rechazó el envío (%(reply)s)",
            reply=_reply(error.smtp_code, error.smtp_error),
        )
    if isinstance(error, TimeoutError):
        return _("el servidor no respondió a tiempo")
    return str(error) or error.__class__.__name__


class Postman:
    """Delivers messages over one SMTP connection per batch.

    When the server cannot be reached (or refuses the login) the rest of the run fails
    at once with that reason instead of waiting for the timeout on every message.
    """

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None
        self.broken: str | None = None

    def _connect(self) -> smtplib.SMTP:
        """Open, secure and log in."""
        s = self.settings
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.user:
            smtp.login(s.user, s.password)
        return smtp

    def deliver(self, message: EmailMessage) -> str | None:
        """Send one message; None when the server took it, else why not (in Spanish)."""
        if self.broken:
            return self.broken
        if self.smtp is None:
            try:
                self.smtp = self._connect()
            except (OSError, smtplib.SMTPException) as error:
                self.broken = _(
                    "No se pudo conectar con el servidor de correo: %(error)s",
                    error=_describe(error),
                )
                return self.broken
        try:
            refused = self.smtp.send_message(message)
        except smtplib.SMTPServerDisconnected as error:
            self.smtp = None
            return _("Se cortó la conexión con el servidor de correo: %(error)s", error=error)
        except (OSError, smtplib.SMTPException) as error:
            if isinstance(error, OSError):
                self.end_batch()
            return _("No se envió: %(error)s", error=_describe(error))
        except (ValueError, UnicodeError) as error:
            return _(
                "No se envió: la dirección o el texto no se pueden enviar (%(error)s)", error=error
            )
        if refused:
            return _describe(smtplib.SMTPRecipientsRefused(refused))
        return None

    def end_batch(self) -> None:
        """Close the batch's connection (the next message opens a new one)."""
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


# --- sending ---------------------------------------------------------------------------------


@dataclass
class SendResult:
    """What a send run did: sent and failed rows, clients skipped for having no e-mail."""

    sent: list[EmailSent] = field(default_factory=list)
    failed: list[EmailSent] = field(default_factory=list)
    skipped: list[Client] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Clients considered."""
        return len(self.sent) + len(self.failed) + len(self.skipped)


def _log(
    client: Client,
    template: EmailTemplate,
    account: EmailAccount,
    to: list[str],
    merged: Merged | None,
    error: str | None,
    user: User | None,
    pending: EmailSent | None = None,
) -> EmailSent:
    """Write the client's mail log row (or end the one written before sending) and its audit
    row."""
    row = pending or EmailSent(
        client_id=client.id,
        template_id=template.id,
        account_id=account.id,
        to_address=", ".join(to)[:500],
        subject=(merged.subject if merged else template.subject)[:200],
        body=merged.text if merged else "",
        sent_by_id=user.id if user else None,
    )
    row.status = "failed" if error else "sent"
    row.error = error[:500] if error else None
    db.session.add(row)
    after = {"template": template.code, "to": row.to_address, "subject": row.subject}
    after |= {"status": row.status} | ({"error": row.error} if error else {})
    audit.record("client.email", "client", client.id, None, after, user.id if user else None)
    return row


def _pending(
    client: Client,
    template: EmailTemplate,
    account: EmailAccount,
    to: list[str],
    merged: Merged,
    user: User | None,
    job_id: int,
) -> EmailSent:
    """Log a message as being sent, and commit, before it leaves: a worker killed before it
    could log the outcome leaves this row, and the job's next attempt does not send it again."""
    row = EmailSent(
        client_id=client.id,
        template_id=template.id,
        account_id=account.id,
        to_address=", ".join(to)[:500],
        subject=merged.subject[:200],
        body=merged.text,
        status="sending",
        sent_by_id=user.id if user else None,
        job_id=job_id,
    )
    db.session.add(row)
    db.session.commit()
    return row


def _send_one(
    postman: Postman,
    compiled: CompiledTemplate,
    template: EmailTemplate,
    account: EmailAccount,
    client: Client,
    user: User | None,
    period: Period | None,
    result: SendResult,
    job_id: int | None = None,
) -> None:
    """Merge, send and log one client's e-mail (a client with no e-mail is skipped); in a job,
    each message is logged and committed before and after it leaves."""
    to = recipients(client)
    if not to:
        result.skipped.append(client)
        return
    merged = None
    try:
        data = client_merge_data(template.kind, client, period)
        merged = compiled.merge(data)
        attachment = None
        if template.kind == STATEMENT:
            attachment = statement_attachment(client, period or default_period())
        message = build_message(account, to, merged, attachment)
    except (TemplateError, ArithmeticError, TypeError, ValueError) as error:
        problem = _("La planilla no se pudo combinar: %(error)s", error=str(error)[:300])
        row = _log(client, template, account, to, merged, problem, user)
        row.job_id = job_id
        result.failed.append(row)
        return
    pending = (
        None if job_id is None else _pending(client, template, account, to, merged, user, job_id)
    )
    error = postman.deliver(message)
    row = _log(client, template, account, to, merged, error, user, pending)
    (result.failed if error else result.sent).append(row)
    if job_id is not None:
        db.session.commit()


def _prepare(template: EmailTemplate) -> tuple[SmtpSettings, EmailAccount, CompiledTemplate]:
    """Check that sending is possible before touching any client."""
    settings = usable_settings()
    account = sender_for(template)
    try:
        compiled = CompiledTemplate(template.subject, template.body)
    except TemplateSyntaxError as error:
        raise MailError({"template_id": syntax_problem(error)}) from error
    return settings, account, compiled


def check_sendable(template: EmailTemplate) -> None:
    """Raise MailError, with its messages, when a send of this template could not even start."""
    _prepare(template)


def send_to_client(
    template: EmailTemplate, client: Client, user: User | None, period: Period | None = None
) -> EmailSent:
    """Send one e-mail to one client and log it; MailError when it cannot even be tried."""
    if not recipients(client):
        raise MailError({"client": _("El cliente no tiene e-mail: cargalo en su ficha.")})
    settings, account, compiled = _prepare(template)
    postman = Postman(settings)
    result = SendResult()
    try:
        _send_one(postman, compiled, template, account, client, user, period, result)
    finally:
        postman.end_batch()
    db.session.flush()
    return (result.sent or result.failed)[0]


def send_bulk(
    template: EmailTemplate,
    clients: sa.Select,
    user: User | None,
    period: Period | None = None,
    batch_size: int = BATCH_SIZE,
    job_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SendResult:
    """Send to every client a select yields, BATCH_SIZE per SMTP connection, logging each.

    As a job (job_id), each message is committed as it goes, and a job run again after its
    worker was killed skips the clients an earlier attempt already logged: nobody gets the
    message twice.
    """
    settings, account, compiled = _prepare(template)
    ids = list(db.session.scalars(clients.with_only_columns(Client.id).order_by(Client.code)))
    total, worked = len(ids), 0
    if job_id is not None:
        logged = set(
            db.session.scalars(sa.select(EmailSent.client_id).where(EmailSent.job_id == job_id))
        )
        _end_interrupted(job_id, template, user)
        worked = sum(1 for each in ids if each in logged)
        ids = [each for each in ids if each not in logged]
    postman = Postman(settings)
    result = SendResult()
    try:
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            batch = db.session.scalars(
                sa.select(Client)
                .options(selectinload(Client.collector))
                .where(Client.id.in_(chunk))
                .order_by(Client.code)
            ).all()
            for client in batch:
                _send_one(
                    postman, compiled, template, account, client, user, period, result, job_id
                )
                worked += 1
                if progress:
                    progress(worked, total)
            postman.end_batch()
            db.session.flush()
    finally:
        postman.end_batch()
    return result


def _end_interrupted(job_id: int, template: EmailTemplate, user: User | None) -> None:
    """Close the rows an earlier attempt left "sending": that message may have left, so it is
    not sent again; the row says so, for someone to check with the client."""
    rows = db.session.scalars(
        sa.select(EmailSent).where(EmailSent.job_id == job_id, EmailSent.status == "sending")
    ).all()
    problem = _(
        "El envío se cortó mientras salía este correo: puede haber llegado o no. No se "
        "reenvía solo, para no mandarlo dos veces."
    )
    for row in rows:
        row.status, row.error = "failed", problem
        after = {"template": template.code, "to": row.to_address, "subject": row.subject}
        after |= {"status": row.status, "error": row.error}
        audit.record(
            "client.email", "client", row.client_id, None, after, user.id if user else None
        )
    if rows:
        db.session.commit()


def job_counts(job_id: int) -> dict[str, int]:
    """How many messages a bulk-send job logged, by outcome (every attempt counted)."""
    rows = db.session.execute(
        sa.select(EmailSent.status, sa.func.count())
        .where(EmailSent.job_id == job_id)
        .group_by(EmailSent.status)
    )
    return dict(rows.all())


def job_failures(job_id: int, limit: int) -> list[EmailSent]:
    """The messages of a bulk-send job that did not go, first clients first."""
    return list(
        db.session.scalars(
            sa.select(EmailSent)
            .where(EmailSent.job_id == job_id, EmailSent.status == "failed")
            .order_by(EmailSent.id)
            .limit(limit)
        )
    )


def mail_log(client: Client, limit: int = 10) -> list[tuple[EmailSent, str | None]]:
    """The client's last sends, newest first, with the template's name."""
    rows = db.session.execute(
        sa.select(EmailSent, EmailTemplate.name)
        .outerjoin(EmailTemplate, EmailTemplate.id == EmailSent.template_id)
        .where(EmailSent.client_id == client.id)
        .order_by(EmailSent.sent_at.desc(), EmailSent.id.desc())
        .limit(limit)
    )
    return [(row, name) for row, name in rows]
