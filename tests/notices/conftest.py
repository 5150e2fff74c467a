"""Notice factories and the people who write and read them."""

from datetime import date, timedelta

import pytest

from app.core.types import local_today
from app.extensions import db
from app.notices.models import Notice
from tests import factories


def make_notice(target, kind: str = "client", **fields) -> Notice:
    """A notice in force since yesterday, aimed at a row (a client unless `kind` says)."""
    values = {
        "message": "Aviso de prueba",
        "severity": "info",
        "valid_from": local_today() - timedelta(days=1),
        "valid_to": None,
        "target_kind": kind,
        "target_id": target.id,
    }
    notice = Notice(**(values | fields))
    db.session.add(notice)
    db.session.flush()
    return notice


def days(n: int) -> date:
    """Today (where the company works) plus n days."""
    return local_today() + timedelta(days=n)


@pytest.fixture
def office(login_as):
    """A back-office user, signed in."""
    return login_as("backoffice")


@pytest.fixture
def seller(login_as):
    """A salesperson, signed in, with one client of their own."""
    browser = login_as("salesperson")
    browser.own = factories.make_client(salesperson_id=browser.user.id)
    db.session.commit()
    return browser
