"""Case factories and the people who open and work cases."""

import pytest

from app.cases import services
from app.extensions import db
from tests import factories


def open_case(client, user=None, kind: str = "claim", subject: str = "Faltó un bulto", **fields):
    """A case opened through the service."""
    data = {"kind": kind, "subject": subject, "description": "", **fields}
    case = services.open_case(client, data, user)
    db.session.flush()
    return case


@pytest.fixture
def seller(login_as):
    """A salesperson, signed in, with one client of their own."""
    browser = login_as("salesperson")
    browser.own = factories.make_client(salesperson_id=browser.user.id)
    db.session.commit()
    return browser


@pytest.fixture
def office(login_as):
    """A back-office user, signed in."""
    return login_as("backoffice")
