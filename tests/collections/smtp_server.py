"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what arrives, for the e-mail tests."""

import email
import email.policy
import itertools
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

from aiosmtpd.controller import Controller

from app.collections.models import EmailAccount, EmailTemplate
from app.core.types import local_today
from app.extensions import db
from tests import factories

_codes = itertools.count(1)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler: keeps every envelope, or refuses with the reply it is given."""

    def __init__(self):
        self.envelopes = []
        self.peers = []  # one (host, port) per message: distinct ones are distinct connections
        self.refuse_data: str | None = None
        self.refuse_rcpt: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        """Refuse the addresses told to, accept the rest."""
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        """Keep the message (or refuse it)."""
        if self.refuse_data:
            return self.refuse_data
        self.envelopes.append(envelope)
        self.peers.append(session.peer)
        return "250 Message accepted for delivery"

    def messages(self) -> list[email.message.EmailMessage]:
        """What arrived, parsed."""
        return [
            email.message_from_bytes(envelope.content, policy=email.policy.default)
            for envelope in self.envelopes
        ]


@contextmanager
def serving(app, monkeypatch) -> Iterator[Inbox]:
    """A listening SMTP server, and the app's settings pointing at it (no TLS, no login)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "SMTP_SECURITY": "none",
        "SMTP_USER": "",
        "SMTP_PASSWORD": "",
        "SMTP_TIMEOUT": 5,
        "COMPANY_NAME": "Distribuidora del Sur",
    }
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    try:
        yield inbox
    finally:
        controller.stop()


def make_account(**fields) -> EmailAccount:
    """The collections sender account."""
    values = {
        "name": "Cobranzas",
        "from_name": "Cobranzas Distribuidora",
        "from_address": "cobranzas@distribuidora.example",
        "reply_to": "pagos@distribuidora.example",
        "active": True,
    }
    account = EmailAccount(**(values | fields))
    db.session.add(account)
    db.session.flush()
    return account


def make_template(account=None, kind: str = "reminder", **fields) -> EmailTemplate:
    """A template (saved as is: no syntax check)."""
    values = {
        "code": f"PL{next(_codes)}",
        "name": "Recordatorio de vencimiento" if kind == "reminder" else "Resumen de cuenta",
        "kind": kind,
        "account_id": account.id if account else None,
        "subject": "Vencimientos de {{ cliente }}",
        "body": "Hola {{ cliente }}, debés {{ vencido }}.\n\n{{ tabla_vencidos }}\n\nGracias.",
    }
    template = EmailTemplate(**(values | fields))
    db.session.add(template)
    db.session.flush()
    return template


def days_ago(n: int):
    """The company's today minus n days."""
    return local_today() - timedelta(days=n)


def owe(client, amount: str, days_overdue: int):
    """An invoice due on its date, `days_overdue` days ago (so that many days late)."""
    return factories.post_document(client, amount=amount, date=days_ago(days_overdue))


def owe_later(client, amount: str, due_in: int = 30):
    """An invoice dated today and due in `due_in` days (open, not overdue)."""
    condition = factories.make_sale_condition(rule_days=due_in)
    return factories.post_document(client, amount=amount, sale_condition_id=condition.id)


def money_text(amount: str) -> str:
    """How an amount in pesos reads in the e-mail."""
    from app.core.templating import money

    return money(Decimal(amount))
