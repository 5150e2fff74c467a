"""Statements (screen, PDF, CSV) and the aging report."""

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import Response, current_app, request
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import SCOPES, requires
from app.auth.services import team_ids
from app.clients import services as clients
from app.clients.models import Client
from app.core.rendering import render, wants_fragment
from app.core.types import local_today
from app.ledger import aging as ledger_aging
from app.ledger import services as ledger
from app.ledger import statements
from app.ledger.blueprint import bp
from app.ledger.models import CURRENCIES, Document, DocumentKind
from app.ledger.parsing import parse_date
from app.ledger.rules import AGING_BUCKETS

AGING_PAGE_SIZE = 50
# Rows the aging CSV asks the service for at a time, so memory stays flat on big books.


# --- statement -------------------------------------------------------------------------------


@dataclass
class StatementQuery:
    """The statement's range and currency as asked, with the Spanish messages of what is wrong."""

    date_from: date | None
    date_to: date | None
    currency: str
    raw: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def args(self) -> dict[str, str]:
        """The query string that asks for this same statement (for the PDF and CSV links)."""
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "currency": self.currency,
        }


def months_back_start(today: date, months: int = 3) -> date:
    """The first day of the month `months` months before today's."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def statement_query(client: Client) -> StatementQuery:
    """Read from, to and currency from the query string; defaults: three months back, today."""
    today = local_today()
    raw = {
        "from": request.args.get("from", "").strip(),
        "to": request.args.get("to", "").strip(),
        "currency": request.args.get("currency", "").strip().upper(),
    }
    errors: dict[str, str] = {}
    date_from = parse_date(raw["from"] or months_back_start(today), "from", errors)
    date_to = parse_date(raw["to"] or today, "to", errors)
    if date_from and date_to and date_from > date_to:
        errors["to"] = _("La fecha «hasta» no puede ser anterior a la fecha «desde».")
    currency = raw["currency"] or client.currency or "ARS"
    if currency not in CURRENCIES:
        errors["currency"] = _("Moneda inválida: usá ARS o USD.")
    return StatementQuery(date_from, date_to, currency, raw, errors)


def _statement_client(client_id: int) -> Client:
    """The client, in the user's scope; the back office also reaches clients in the trash."""
    return clients.visible_client(current_user, client_id)


def _statement_page(client: Client, query: StatementQuery) -> Response:
    """The statement page, or only its body for htmx; 422 with the messages on bad input."""
    statement = None
    if not query.errors:
        statement = statements.statement(client, query.date_from, query.date_to, query.currency)
    return render(
        "ledger/statement.html",
        block="statement",
        status=422 if query.errors else 200,
        client=client,
        query=query,
        statement=statement,
        currencies=ledger_aging.client_currencies(client),
        document_title=ledger.document_title,
        document_state=document_state,
    )


def document_state(document: Document) -> str:
    """The state as the statement names it: reversals read "Anulación"."""
    if document.kind == DocumentKind.REVERSAL:
        return _("Anulación")
    return ledger.state_label(document)


@bp.get("/clients/<int:client_id>/account/statement")
@requires("ledger.view")
def statement(client_id: int):
    """The account statement for a date range, phone first."""
    client = _statement_client(client_id)
    return _statement_page(client, statement_query(client))


def _download_name(client: Client, query: StatementQuery, extension: str) -> str:
    """estado-de-cuenta-<code>-<from>-<to>.<extension>, with only safe characters."""
    code = re.sub(r"[^A-Za-z0-9_-]+", "-", client.code).strip("-") or str(client.id)
    return f"estado-de-cuenta-{code}-{query.date_from}-{query.date_to}.{extension}"


@bp.get("/clients/<int:client_id>/account/statement.pdf")
@requires("ledger.view")
def statement_pdf(client_id: int):
    """The statement as an A4 PDF to print or send."""
    client = _statement_client(client_id)
    query = statement_query(client)
    if query.errors:
        return _statement_page(client, query)
    statement = statements.statement(client, query.date_from, query.date_to, query.currency)
    company = current_app.config.get("COMPANY_NAME") or "Clientes en ruta"
    from app.ledger import pdf  # fpdf2 loads only where a PDF is made (45 MB a worker)

    body = pdf.statement_pdf(statement, company, compress=not current_app.testing)
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_download_name(client, query, "pdf")}"'
    )
    return response


def csv_amount(value: Decimal | None) -> str:
    """An amount as Argentine Excel reads it: decimal comma, no thousands separator."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def csv_date(value: date | None) -> str:
    """A date as Argentine Excel reads it (23/11/2026)."""
    return value.strftime("%d/%m/%Y") if value else ""


def csv_response(rows: Iterable[list[str]], filename: str) -> Response:
    """A CSV download for Excel in Spanish: UTF-8 with a BOM, ";" between fields, sent as made.

    Excel set to Spanish (Argentina) uses the comma as its decimal mark and so expects ";"
    between fields; without the BOM it reads the file as ANSI and breaks the accents.
    """

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        yield "\ufeff"
        for row in rows:
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    response = Response(generate(), mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def statement_rows(statement: statements.Statement) -> Iterator[list[str]]:
    """The statement's CSV rows: header, opening, one per document, closing."""
    yield [_("Fecha"), _("Comprobante"), _("Vencimiento"), _("Debe"), _("Haber"), _("Saldo"),
           _("Estado")]  # fmt: skip
    yield [csv_date(statement.date_from), _("Saldo anterior"), "", "", "",
           csv_amount(statement.opening), ""]  # fmt: skip
    for line in statement.lines:
        document = line.document
        dues = ", ".join(csv_date(part.due_date) for part in document.installments)
        yield [
            csv_date(document.date),
            ledger.document_title(document),
            dues if document.is_debit else "",
            csv_amount(line.debit),
            csv_amount(line.credit),
            csv_amount(line.balance),
            document_state(document),
        ]
    yield [
        csv_date(statement.date_to),
        _("Saldo final"),
        "",
        csv_amount(statement.total_debit),
        csv_amount(statement.total_credit),
        csv_amount(statement.closing),
        "",
    ]


@bp.get("/clients/<int:client_id>/account/statement.csv")
@requires("ledger.view")
def statement_csv(client_id: int):
    """The statement as a CSV for Excel."""
    client = _statement_client(client_id)
    query = statement_query(client)
    if query.errors:
        return _statement_page(client, query)
    statement = statements.statement(client, query.date_from, query.date_to, query.currency)
    rows = list(statement_rows(statement))
    return csv_response(rows, _download_name(client, query, "csv"))


# --- aging report ----------------------------------------------------------------------------


@dataclass
class AgingQuery:
    """The aging report's filters as asked, with the Spanish messages of what is wrong."""

    as_of: date | None
    currency: str
    zone_id: str
    salesperson_id: str
    collector_id: str
    overdue_only: bool
    page: int
    raw_as_of: str
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def args(self) -> dict[str, str]:
        """The filters as a query string (without the page), for links and the CSV."""
        values = {
            "as_of": self.raw_as_of,
            "currency": self.currency,
            "zone_id": self.zone_id,
            "salesperson_id": self.salesperson_id,
            "collector_id": self.collector_id,
            "overdue": "1" if self.overdue_only else "",
        }
        return {name: value for name, value in values.items() if value}


def aging_query() -> AgingQuery:
    """Read the aging filters from the query string; as of today, in pesos, page 1."""
    errors: dict[str, str] = {}
    raw_as_of = request.args.get("as_of", "").strip()
    as_of = parse_date(raw_as_of or local_today(), "as_of", errors)
    currency = request.args.get("currency", "").strip().upper() or "ARS"
    if currency not in CURRENCIES:
        errors["currency"] = _("Moneda inválida: usá ARS o USD.")
    page = request.args.get("page", "")
    return AgingQuery(
        as_of=as_of,
        currency=currency,
        zone_id=_id_arg("zone_id"),
        salesperson_id=_id_arg("salesperson_id"),
        collector_id=_id_arg("collector_id"),
        overdue_only=request.args.get("overdue") in ("1", "on", "true"),
        page=min(int(page), 10**6) if page.isdigit() and int(page) > 0 else 1,
        raw_as_of=raw_as_of,
        errors=errors,
    )


def _id_arg(name: str) -> str:
    """An id from the query string, or "" when missing or not a number."""
    value = request.args.get(name, "").strip()
    return value if value.isdigit() and len(value) < 12 else ""


def aging_clients(query: AgingQuery) -> sa.Select:
    """The user's clients narrowed by zone, salesperson and collector."""
    filters = {
        "sales_zone_id": query.zone_id,
        "salesperson_id": query.salesperson_id,
        "collector_id": query.collector_id,
    }
    return clients.filter_clients(clients.scoped_clients(current_user), filters)


def aging_filter_options() -> dict[str, list]:
    """The zones and the people the user may filter by (a supervisor: the team)."""
    people = {}
    for name in ("salesperson_id", "collector_id"):
        rows = clients.choosable(name)
        if SCOPES[Role(current_user.role)] == "team":
            team = set(team_ids(current_user))
            rows = [row for row in rows if row.id in team]
        people[name] = sorted(rows, key=lambda user: user.full_name)
    zones = sorted(clients.choosable("sales_zone_id"), key=lambda zone: zone.name)
    return {"zone_id": zones, **people}


@dataclass
class Pages:
    """Where a page stands among the report's pages."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        """True past the first page."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """True before the last page."""
        return self.page < self.pages


@bp.get("/ledger/aging")
@requires("ledger.reports")
def aging():
    """Aging of the accounts (antigüedad de saldos): what each client owes, by days overdue."""
    return _aging_page(aging_query())


def _aging_page(query: AgingQuery) -> Response:
    """The report page, or only its body for htmx; 422 with the messages on bad input."""
    rows, totals, count = [], dict.fromkeys((*AGING_BUCKETS, "unapplied"), Decimal("0")), 0
    if not query.errors:
        rows, totals, count = ledger_aging.aging_report(
            aging_clients(query),
            query.as_of,
            query.currency,
            page=query.page,
            per_page=AGING_PAGE_SIZE,
            overdue_only=query.overdue_only,
        )
    overdue = sum((totals[name] for name in AGING_BUCKETS[1:]), Decimal("0"))
    return render(
        "ledger/aging.html",
        block="report",
        status=422 if query.errors else 200,
        query=query,
        rows=rows,
        totals=totals,
        total_overdue=overdue,
        total_balance=sum((totals[name] for name in AGING_BUCKETS), Decimal("0"))
        - totals["unapplied"],
        pages=Pages(query.page, AGING_PAGE_SIZE, count),
        buckets=AGING_BUCKETS,
        bucket_labels=ledger.BUCKET_LABELS,
        currencies=CURRENCIES,
        # The filter choices are drawn only on the full page, not for htmx's swaps.
        options=aging_filter_options() if not wants_fragment() else None,
    )


def aging_rows(query: AgingQuery) -> Iterator[list[str]]:
    """Every row of the report in its order, asked of the service a chunk at a time.

    The rows are read while the response streams, after the request's context has ended, so
    the reading runs in an application context (and database session) of its own.
    """
    selected = aging_clients(query)
    labels = [str(ledger.BUCKET_LABELS[name]) for name in AGING_BUCKETS]
    header = [_("Código"), _("Cliente"), _("Moneda"), *labels, _("Vencido"), _("Sin aplicar"),
              _("Total")]  # fmt: skip
    app = current_app._get_current_object()

    def generate() -> Iterator[list[str]]:
        yield header
        with app.app_context():
            for row in ledger_aging.aging_rows(
                selected, query.as_of, query.currency, overdue_only=query.overdue_only
            ):
                yield [
                    row.code,
                    row.name,
                    row.currency,
                    *(csv_amount(row.buckets[name]) for name in AGING_BUCKETS),
                    csv_amount(row.overdue),
                    csv_amount(row.unapplied),
                    csv_amount(row.total),
                ]

    return generate()


@bp.get("/ledger/aging.csv")
@requires("ledger.reports")
def aging_csv():
    """The whole aging report (every page) as a CSV for Excel."""
    query = aging_query()
    if query.errors:
        return _aging_page(query)
    filename = f"antiguedad-de-saldos-{query.currency}-{query.as_of}.csv"
    return csv_response(aging_rows(query), filename)
