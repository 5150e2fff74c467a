"""Sender accounts: the addresses e-mail to clients goes out from."""

from collections.abc import Mapping

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import services as audit
from app.collections.mail_settings import MailError
from app.collections.models import EmailAccount
from app.core.email import is_email
from app.extensions import db


def email_accounts(active_only: bool = False) -> list[EmailAccount]:
    """Sender accounts, by name."""
    query = sa.select(EmailAccount).order_by(EmailAccount.name, EmailAccount.id)
    if active_only:
        query = query.where(EmailAccount.active.is_(True))
    return list(db.session.scalars(query))


def get_account(account_id: int | None) -> EmailAccount | None:
    """One sender account."""
    return db.session.get(EmailAccount, account_id) if account_id else None


def _account_view(account: EmailAccount) -> dict:
    """An account as the audit log keeps it."""
    names = ("name", "from_name", "from_address", "reply_to", "active")
    return {name: getattr(account, name) for name in names}


def account_problems(values: Mapping) -> dict[str, str]:
    """What is wrong with an account's fields (field -> Spanish message)."""
    errors: dict[str, str] = {}
    for name, limit in (("name", 80), ("from_name", 120)):
        text = values.get(name) or ""
        if not text:
            errors[name] = _("Completá este dato.")
        elif len(text) > limit:
            errors[name] = _("Usá como mucho %(max)d caracteres.", max=limit)
    if not is_email(values.get("from_address")):
        errors["from_address"] = _("Ingresá un correo válido (nombre@dominio.com).")
    if values.get("reply_to") and not is_email(values["reply_to"]):
        errors["reply_to"] = _("Ingresá un correo válido o dejalo vacío.")
    return errors


def save_account(account: EmailAccount | None, values: Mapping) -> EmailAccount:
    """Create or change a sender account; MailError when a field is wrong."""
    errors = account_problems(values)
    if errors:
        raise MailError(errors)
    before = None if account is None else _account_view(account)
    if account is None:
        account = EmailAccount()
        db.session.add(account)
    account.name = values["name"]
    account.from_name = values["from_name"]
    account.from_address = values["from_address"]
    account.reply_to = values.get("reply_to") or None
    account.active = bool(values.get("active"))
    db.session.flush()
    action = "email_account.create" if before is None else "email_account.update"
    audit.record(action, "email_account", account.id, before, _account_view(account))
    return account
