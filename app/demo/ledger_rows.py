"""Demo ledger rows: made in memory with their ids known in advance, inserted in bulk."""

import operator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock
from decimal import Decimal

import sqlalchemy as sa

from app.core.changes import reserve_change_seqs
from app.extensions import db
from app.ledger.models import (
    DEBIT_KINDS,
    Application,
    Document,
    DocumentInstallment,
    DocumentKind,
    DocumentState,
    ReceiptLine,
)
from app.ledger.rules import DueRule, installments

D = Decimal
ZERO = D("0")
OPEN, PARTLY_PAID, PAID, VOID = (
    DocumentState.OPEN,
    DocumentState.PARTLY_PAID,
    DocumentState.PAID,
    DocumentState.VOID,
)


@dataclass(frozen=True)
class Terms:
    """A sale condition as the simulation uses it."""

    id: int
    rule: DueRule
    installments: int


def stamp(day: date, ident: int) -> datetime:
    """A working-hours UTC timestamp on a day (Argentina is UTC-3), spread by an id."""
    return datetime.combine(day, clock(12 + ident % 9, ident * 7 % 60), tzinfo=UTC)


class LedgerRows:
    """Ledger rows made in memory with their ids known in advance and inserted in batches.

    Ids continue from the largest in each table, so rows point to each other before any is
    written; numbers are given at insert time in date order, per kind and letter.
    """

    def __init__(self) -> None:
        self.next_ids = {
            model: (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
            for model in (Document, DocumentInstallment, Application)
        }
        self.last_numbers = _last_numbers()
        self.documents: list[dict] = []
        self.installments: list[dict] = []
        self.applications: list[dict] = []
        self.lines: list[dict] = []
        self.by_id: dict[int, dict] = {}
        self.installment_rows: dict[int, dict] = {}
        self.written = 0

    def _id(self, model) -> int:
        """The next id of a table."""
        ident = self.next_ids[model]
        self.next_ids[model] = ident + 1
        return ident

    def document(self, client_id: int, kind: str, day: date, amount: Decimal, **fields) -> dict:
        """A new document row; debits and credits start wholly open."""
        ident = self._id(Document)
        row = {
            "id": ident,
            "client_id": client_id,
            "kind": kind,
            "sign": 1 if kind in DEBIT_KINDS else -1,
            "letter": "X",
            "number": "",
            "date": day,
            "currency": "ARS",
            "exchange_rate": D(1),
            "amount": amount,
            "open_amount": amount,
            "state": OPEN,
            "sale_condition_id": None,
            "notes": None,
            "source": "api",
            "reverses_id": None,
            "voided_at": None,
            "void_reason": None,
            "created_by_id": None,
            "created_at": stamp(day, ident),
            "change_seq": 0,
            "deleted_at": None,
        } | fields
        self.documents.append(row)
        self.by_id[ident] = row
        return row

    def split(self, document: dict, terms: Terms) -> list[dict]:
        """The installments of a debit document by its sale condition."""
        parts = installments(terms.rule, document["date"], document["amount"], terms.installments)
        rows = [
            {
                "id": self._id(DocumentInstallment),
                "document_id": document["id"],
                "client_id": document["client_id"],
                "currency": document["currency"],
                "number": part.number,
                "due_date": part.due_date,
                "amount": part.amount,
                "open_amount": part.amount,
                "change_seq": 0,
                "deleted_at": None,
            }
            for part in parts
        ]
        self.installments.extend(rows)
        self.installment_rows.update((row["id"], row) for row in rows)
        return rows

    def apply(self, credit: dict, targets: list[dict], on: date, user_id: int | None) -> None:
        """Apply what is open of a credit to installments in the order given, as far as it goes."""
        for installment in targets:
            left = credit["open_amount"]
            if left <= 0:
                break
            amount = min(left, installment["open_amount"])
            if amount <= 0:
                continue
            debit = self.by_id[installment["document_id"]]
            installment["open_amount"] -= amount
            debit["open_amount"] -= amount
            credit["open_amount"] -= amount
            _settle(debit)
            ident = self._id(Application)
            self.applications.append(
                {
                    "id": ident,
                    "client_id": credit["client_id"],
                    "credit_document_id": credit["id"],
                    "installment_id": installment["id"],
                    "debit_document_id": debit["id"],
                    "amount": amount,
                    "applied_on": on,
                    "created_at": stamp(on, ident),
                    "created_by_id": user_id,
                    "unapplied_at": None,
                    "unapplied_by_id": None,
                    "change_seq": 0,
                    "deleted_at": None,
                }
            )
        _settle(credit)

    def void(self, credit: dict, on: date, reason: str, user_id: int | None) -> None:
        """Void a credit as services.void_document does: unapply it, then write its reversal."""
        undone = stamp(on, credit["id"])
        for application in self.applications:
            if application["credit_document_id"] != credit["id"] or application["unapplied_at"]:
                continue
            application["unapplied_at"] = undone
            application["unapplied_by_id"] = user_id
            debit = self.by_id[application["debit_document_id"]]
            self.installment_rows[application["installment_id"]]["open_amount"] += application[
                "amount"
            ]
            debit["open_amount"] += application["amount"]
            _settle(debit)
        credit.update(open_amount=ZERO, state=VOID, voided_at=undone, void_reason=reason)
        self.document(
            credit["client_id"],
            DocumentKind.REVERSAL,
            on,
            credit["amount"],
            sign=-credit["sign"],
            letter=credit["letter"],
            currency=credit["currency"],
            exchange_rate=credit["exchange_rate"],
            open_amount=ZERO,
            state=VOID,
            reverses_id=credit["id"],
            void_reason=reason,
            source="backoffice",
            created_by_id=user_id,
        )

    def line(self, receipt: dict, kind: str, amount: Decimal, **fields) -> None:
        """A payment line of a receipt."""
        self.lines.append(
            {
                "receipt_id": receipt["id"],
                "kind": kind,
                "amount": amount,
                "bank": None,
                "number": None,
                "due_date": None,
                "drawer": None,
                "drawer_tax_id": None,
                "reference": None,
                "card_plan_id": None,
                "tax": None,
                "certificate": None,
            }
            | fields
        )

    def flush(self) -> None:
        """Number the documents in date order, then insert every row made so far."""
        for row in sorted(
            (row for row in self.documents if row["reverses_id"] is None),
            key=lambda row: (row["date"], row["id"]),
        ):
            key = (row["kind"], row["letter"])
            self.last_numbers[key] = self.last_numbers.get(key, 0) + 1
            row["number"] = f"0001-{self.last_numbers[key]:08d}"
        for row in self.documents:
            if row["reverses_id"] is not None:
                row["number"] = self.by_id[row["reverses_id"]]["number"]
        connection = db.session.connection()
        for model, rows in (
            (Document, self.documents),
            (DocumentInstallment, self.installments),
            (Application, self.applications),
        ):
            if rows:
                for row, seq in zip(rows, reserve_change_seqs(connection, len(rows)), strict=True):
                    row["change_seq"] = seq
                insert_rows(model.__table__, rows)
        if self.lines:
            insert_rows(ReceiptLine.__table__, self.lines)
        self.written += len(self.documents)
        self.documents, self.installments, self.applications, self.lines = [], [], [], []
        self.by_id, self.installment_rows = {}, {}

    def finish(self) -> None:
        """Insert what is left; on PostgreSQL, move the id sequences past the ids given here."""
        self.flush()
        connection = db.session.connection()
        if connection.dialect.name != "postgresql":
            return
        for model in (Document, DocumentInstallment, Application):
            table = model.__tablename__
            connection.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE(MAX(id), 0) + 1, false) FROM {table}"
                )
            )


def insert_rows(table: sa.Table, rows: list[dict]) -> None:
    """Insert rows that all have the same keys straight through the driver.

    SQLAlchemy's executemany spends longer preparing each row's parameters than the database
    spends writing it, and the demo ledger is millions of rows: PostgreSQL (psycopg) takes them
    by COPY, SQLite by the driver's executemany with SQLAlchemy's own type conversions; any
    other driver goes through SQLAlchemy.
    """
    connection = db.session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    cursor = connection.connection.cursor()
    columns = ", ".join(names)
    if dialect.name == "postgresql" and hasattr(cursor, "copy"):
        with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in names])
    elif dialect.driver == "pysqlite":
        processors = [
            (index, process)
            for index, name in enumerate(names)
            if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        ]
        values = operator.itemgetter(*names)
        data = []
        for row in rows:
            data.append(line := list(values(row)))
            for index, process in processors:
                if line[index] is not None:
                    line[index] = process(line[index])
        marks = ", ".join("?" * len(names))
        cursor.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", data)
    else:
        connection.execute(sa.insert(table), rows)
    cursor.close()


def _last_numbers() -> dict[tuple[str, str], int]:
    """The last number used at point of sale 1, per kind and letter."""
    rows = db.session.execute(
        sa.select(Document.kind, Document.letter, sa.func.max(Document.number))
        .where(
            Document.number.like("0001-%"),
            sa.func.length(Document.number) == 13,
            Document.reverses_id.is_(None),
        )
        .group_by(Document.kind, Document.letter)
    )
    return {(kind, letter): int(last[5:]) for kind, letter, last in rows if last[5:].isdigit()}


def _settle(row: dict) -> None:
    """A document's state follows its open amount, as services._set_state keeps it."""
    if row["state"] == VOID:
        return
    if row["open_amount"] == row["amount"]:
        row["state"] = OPEN
    elif row["open_amount"] == 0:
        row["state"] = PAID
    else:
        row["state"] = PARTLY_PAID
