"""The demo notices: a dozen realistic ones over the demo clients and groups."""

import random

import sqlalchemy as sa

from app.auth.models import User
from app.clients.models import Client
from app.demo.commands import load_demo_data
from app.extensions import db
from app.notices import services
from app.notices.demo import add_demo_notices
from app.notices.models import Notice, NoticeSeen
from app.notices.rules import Period


def test_demo_notices_cover_every_kind_of_target_and_period(app):
    load_demo_data(clients=40, seed=3)  # the loader adds the demo notices
    notices = db.session.scalars(sa.select(Notice)).all()
    assert len(notices) >= 12
    assert {n.target_kind for n in notices} == {
        "client", "client_type", "zone", "family", "segment", "category",
    }  # fmt: skip
    assert {services.period_of(n) for n in notices} == set(Period)
    assert {n.severity for n in notices} == {"important", "warning", "info"}
    assert all(n.change_seq > 0 and n.created_by_id for n in notices)
    messages = {n.message for n in notices}
    assert "No entregar sin pago del saldo vencido." in messages
    assert "Cliente pide facturas separadas por sucursal." in messages
    assert "Corte de calle en la zona: entregar por la mañana." in messages
    assert any(m.startswith("Cierra por vacaciones del 1 al 15/1") for m in messages)
    # vendedor1 meets an important notice on one of their clients, and has seen one already
    seller = db.session.scalar(sa.select(User).where(User.username == "vendedor1"))
    theirs = db.session.scalars(sa.select(Client).where(Client.salesperson_id == seller.id))
    severities = {n.severity for c in theirs for n in services.notices_in_force(c)}
    assert "important" in severities
    assert db.session.scalar(sa.select(NoticeSeen.user_id)) == seller.id


def test_demo_notices_skip_groups_that_do_not_exist(app):
    assert add_demo_notices(random.Random(1)) == []
