"""The monthly sums (sales_months, product_months) added up again from the ledger, and held
still while a bulk load writes it.

The database keeps the sums as documents and lines are inserted and voided (triggers,
migrations 5e3c0d7a9b21 and 7c4b2e1d9f30). A load of hundreds of thousands of rows pays those
triggers row by row (on PostgreSQL a 2,000-client demo took 25 s instead of 18); `paused()`
stops them for the load and adds every month up once at the end, in one statement a table.
`rebuild()` alone mends the sums after the ledger was written around the triggers (a restore
of some tables only).
"""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from app.extensions import db

SALE = "('invoice', 'debit_note', 'credit_note')"
COUNTED = "('invoice', 'debit_note', 'credit_note', 'receipt')"
SIGN = "CASE WHEN d.kind = 'credit_note' THEN -1 ELSE 1 END"
STANDING = "d.reverses_id IS NULL AND d.state != 'void'"

# the triggers that keep the sums, by the table they are on
TRIGGERS = {
    "ledger_documents": (
        "trg_sales_months_document",
        "trg_sales_months_void",
        "trg_product_months_void",
    ),
    "ledger_document_lines": ("trg_sales_months_line", "trg_product_months_line"),
}


def _month(connection: sa.Connection) -> str:
    """The first day of a document's month, in the database's SQL."""
    if connection.dialect.name == "postgresql":
        return "date_trunc('month', d.date)::date"
    return "date(d.date, 'start of month')"


def _client_months(month: str) -> str:
    """Every client's months, added up the way the triggers add each document."""
    return f"""
    INSERT INTO sales_months
      (client_id, month, sales, cost, collections, sale_documents, receipts)
    SELECT d.client_id, {month},
           sum(CASE WHEN d.kind = 'receipt' THEN 0 ELSE {SIGN} * d.amount * d.exchange_rate END),
           sum({SIGN} * d.exchange_rate * coalesce(
             (SELECT sum(l.cost) FROM ledger_document_lines l WHERE l.document_id = d.id), 0)),
           sum(CASE WHEN d.kind = 'receipt' THEN d.amount * d.exchange_rate ELSE 0 END),
           sum(CASE WHEN d.kind = 'receipt' THEN 0 ELSE 1 END),
           sum(CASE WHEN d.kind = 'receipt' THEN 1 ELSE 0 END)
    FROM ledger_documents d
    WHERE {STANDING} AND d.kind IN {COUNTED}
    GROUP BY d.client_id, {month}
    """


def _product_months(month: str) -> str:
    """Every product's months, added up the way the triggers add each line."""
    return f"""
    INSERT INTO product_months (product_id, month, sales, cost, quantity, lines)
    SELECT l.product_id, {month}, sum({SIGN} * l.amount * d.exchange_rate),
           sum({SIGN} * coalesce(l.cost, 0) * d.exchange_rate), sum({SIGN} * l.quantity),
           count(*)
    FROM ledger_document_lines l JOIN ledger_documents d ON d.id = l.document_id
    WHERE {STANDING} AND d.kind IN {SALE}
    GROUP BY l.product_id, {month}
    """


def rebuild() -> None:
    """Add both tables up again from the standing documents and lines, in the session's
    transaction (the caller commits)."""
    connection = db.session.connection()
    month = _month(connection)
    connection.execute(sa.text("DELETE FROM sales_months"))
    connection.execute(sa.text(_client_months(month)))
    connection.execute(sa.text("DELETE FROM product_months"))
    connection.execute(sa.text(_product_months(month)))


@contextmanager
def paused() -> Iterator[None]:
    """Hold the sums' triggers still inside the block, then add the sums up once.

    For loads into a database nobody else writes meanwhile (the demo, the benchmarks): on
    PostgreSQL the triggers are disabled (ALTER TABLE, which locks the two tables until the
    commit); on SQLite, which cannot disable a trigger, they are dropped and made again from
    their own stored text. Both are part of the session's transaction: a rollback puts them
    back as they were. A database made without the migrations has no triggers: nothing to hold.
    """
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        found = _pg_triggers(connection)
        for table, name in found:
            connection.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER {name}"))
        yield
        connection = db.session.connection()
        for table, name in found:
            connection.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER {name}"))
    else:
        names = [name for names in TRIGGERS.values() for name in names]
        stored = connection.execute(
            sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        ).all()
        found = [(name, sql) for name, sql in stored if name in names]
        for name, _sql in found:
            connection.execute(sa.text(f"DROP TRIGGER {name}"))
        yield
        connection = db.session.connection()
        for _name, sql in found:
            connection.execute(sa.text(sql))
    if found:
        rebuild()


def _pg_triggers(connection: sa.Connection) -> list[tuple[str, str]]:
    """(table, trigger) of the sums' triggers this database has."""
    rows = connection.execute(
        sa.text(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND c.relname IN ('ledger_documents',"
            " 'ledger_document_lines') AND c.relnamespace = current_schema()::regnamespace"
        )
    ).all()
    return [(table, name) for table, name in rows if name in TRIGGERS.get(table, ())]
