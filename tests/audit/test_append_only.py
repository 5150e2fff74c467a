"""Nothing in the app can change or delete an audit row."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from app.audit import services as audit
from app.audit.models import AuditEntry
from app.extensions import db


@pytest.fixture
def entry(app):
    row = audit.record("client.update", "client", 1, {"state": "active"}, {"state": "disabled"})
    db.session.commit()
    return row


def test_the_orm_refuses_to_change_an_audit_row(entry):
    entry.action = "client.create"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_the_orm_refuses_to_delete_an_audit_row(entry):
    db.session.delete(entry)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 1


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"],
)
def test_the_database_refuses_raw_changes(entry, statement):
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert db.session.scalar(sa.select(AuditEntry.action)) == "client.update"
