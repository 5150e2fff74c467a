"""Synced rows take a new, database-wide increasing number on every change."""

import pytest
import sqlalchemy as sa

from app.clients.models import Client
from app.core.changes import current_change_seq
from app.core.types import utcnow
from app.extensions import db
from tests import factories


def test_insert_update_and_soft_delete_each_take_a_higher_number(app):
    zone = factories.make_zone()
    client = factories.make_client(sales_zone_id=zone.id)
    db.session.commit()
    created = client.change_seq
    assert zone.change_seq < created

    client.trade_name = "Kiosco Nuevo Nombre"
    db.session.commit()
    updated = client.change_seq
    assert updated > created

    client.deleted_at = utcnow()
    db.session.commit()
    assert client.change_seq > updated
    assert current_change_seq(db.session.connection()) == client.change_seq


def test_an_update_that_changes_nothing_keeps_the_number(app):
    client = factories.make_client(trade_name="Almacén Igual")
    db.session.commit()
    before = client.change_seq
    client.trade_name = "Almacén Igual"
    db.session.commit()
    assert client.change_seq == before


def test_rows_changed_together_get_distinct_numbers(app):
    clients = [factories.make_client() for _ in range(3)]
    db.session.commit()
    numbers = [c.change_seq for c in clients]
    assert len(set(numbers)) == 3


def test_synced_rows_cannot_be_hard_deleted(app):
    client = factories.make_client()
    db.session.commit()
    db.session.delete(client)
    with pytest.raises(RuntimeError, match="soft-deleted"):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Client)) == 1
