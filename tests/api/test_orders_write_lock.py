"""An order is priced before it takes SQLite's write lock; the lock covers only the credit
re-check and the insert (the concurrency tests check that limits still hold)."""

import pytest
from sqlalchemy import event

from app.core.sqlite import take_write_lock
from app.extensions import db
from tests.api.test_clients import api  # noqa: F401  (fixture)
from tests.api.test_orders import body, setup  # noqa: F401  (fixture)


@pytest.fixture
def statements(app):
    """Every statement the app sends from here on, in order."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


def test_the_order_is_priced_before_the_lock_and_decided_under_it(setup, statements):  # noqa: F811
    seller, client, item, _boss = setup
    statements.clear()
    answer = seller.post(
        "/api/v1/orders", json=body(client, item), headers={"Idempotency-Key": "lock-order-1"}
    )
    assert answer.status_code == 201, answer.json
    # SQLite: the write lock (BEGIN IMMEDIATE); PostgreSQL: the client's row lock
    locks = [
        i for i, s in enumerate(statements) if s == "BEGIN IMMEDIATE" or s.endswith("FOR UPDATE")
    ]
    last_lock = locks[-1]
    pricing = [i for i, s in enumerate(statements) if "FROM prices" in s]
    credit = [i for i, s in enumerate(statements) if "FROM ledger_documents" in s]
    insert = [i for i, s in enumerate(statements) if s.startswith("INSERT INTO orders")]
    assert pricing and max(pricing) < last_lock, "the prices are read before the lock"
    assert credit and min(credit) > last_lock, "the credit is read again under the lock"
    assert insert and insert[0] > last_lock
    begins = [s for s in statements[last_lock + 1 :] if s.startswith("BEGIN")]
    assert begins == [], "the decision, the order and its stored answer are one transaction"


def test_the_write_lock_is_not_taken_over_changes_made_before_it(app):
    from flask import g

    from app.auth.models import User

    with app.test_request_context():
        g.sqlite_reading_first, g.sqlite_writing = True, False
        db.session.add(User(username="early", full_name="Early", role="office"))
        if db.engine.dialect.name == "sqlite":
            with pytest.raises(RuntimeError):
                take_write_lock()
        else:
            take_write_lock()
            assert g.sqlite_writing
        db.session.rollback()
