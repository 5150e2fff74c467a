"""The client list out to CSV and XLSX with the import's columns, so an export re-imports
unchanged; and the import's template. Written a chunk of clients at a time."""

from collections.abc import Callable, Iterator
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.auth.models import User
from app.clients import services
from app.clients.models import Client
from app.clients.reference import ClientType, Zone
from app.clients.transfer_check import CHUNK, CONTACT_FIELDS, fetch_clients, first_parts
from app.clients.transfer_rules import CLIENT_COLUMNS, REFERENCES, STATES, visit_days_text
from app.clients.visit_plan import window_of
from app.core.spreadsheets import csv_text, xlsx_bytes
from app.extensions import db
from app.ledger.models import SaleCondition
from app.orders.models import PriceList
from app.taxes.rules import format_tax_id

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def custom_headers() -> list[str]:
    """The columns after the template's: one per active custom attribute, by its name."""
    return [attribute.name for attribute in services.active_attributes()]


def export_headers() -> list[str]:
    """The file's header: the template's columns, then one per active custom attribute."""
    return [column.header for column in CLIENT_COLUMNS] + custom_headers()


def template_rows() -> list[list[str]]:
    """The template's header and example rows."""
    attributes = services.active_attributes()
    examples = zip(*(column.example for column in CLIENT_COLUMNS), strict=True)
    return [export_headers(), *(list(row) + [""] * len(attributes) for row in examples)]


def template_file(fmt: str) -> bytes:
    """The template as CSV (";", BOM, as Excel in Spanish opens it) or XLSX."""
    return _write(fmt, iter(template_rows()))


def _exported(user: User | None, filters: dict) -> sa.Select:
    """The clients an export of the list with these filters writes, in the list's order."""
    scoped = (
        services.scoped_clients(user)
        if user is not None
        else sa.select(Client).where(Client.deleted_at.is_(None))
    )
    query = services.search_clients(scoped, filters.get("q") or "")
    return services.sort_clients(services.filter_clients(query, filters), filters.get("sort"))


def export_size(user: User | None, filters: dict) -> int:
    """How many clients an export with these filters writes."""
    query = _exported(user, filters).with_only_columns(Client.id).order_by(None)
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def export_clients(
    user: User | None,
    filters: dict,
    fmt: str,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """The client list the user sees with these filters (the list page's), as CSV or XLSX.

    Without a user (the command line), every client not in the trash.
    """
    ids = db.session.scalars(_exported(user, filters).with_only_columns(Client.id)).all()
    return _write(fmt, _export_rows(ids, progress))


def _export_rows(ids: list[int], progress) -> Iterator[list]:
    """The header, then each client's row, CHUNK clients at a time."""
    attributes = services.active_attributes()
    yield [column.header for column in CLIENT_COLUMNS] + [a.name for a in attributes]
    codes = _reference_codes()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        clients = {row.id: row for row in fetch_clients(Client.id, chunk)}
        contacts, addresses, customs = first_parts(chunk)
        for client_id in chunk:
            client = clients[client_id]
            yield _export_row(
                client, contacts.get(client_id), addresses.get(client_id), codes, attributes,
                customs.get(client_id, {}),
            )  # fmt: skip
        if progress:
            progress(min(start + CHUNK, len(ids)), len(ids))


def _reference_codes() -> dict[str, dict[int, str]]:
    """id -> code (user name for people) of each reference a row names."""

    def codes(model, column) -> dict[int, str]:
        return dict(db.session.execute(sa.select(model.id, column)).all())

    zones = codes(Zone, Zone.code)
    users = codes(User, User.username)
    return {
        "client_type_id": codes(ClientType, ClientType.code),
        "price_list_id": codes(PriceList, PriceList.code),
        "sale_condition_id": codes(SaleCondition, SaleCondition.code),
        "salesperson_id": users,
        "collector_id": users,
        "sales_zone_id": zones,
        "delivery_zone_id": zones,
    }


def _export_row(client, contact, address, codes, attributes, custom: dict[int, str]) -> list:
    """One client as the template's columns."""
    window = window_of(client.visit_from, client.visit_to)
    values = {
        "code": client.code,
        "legal_name": client.legal_name,
        "trade_name": client.trade_name,
        "tax_id_type": client.tax_id_type,
        "tax_id": format_tax_id(client.tax_id_type, client.tax_id) if client.tax_id else None,
        "iva_condition": client.iva_condition,
        "state": str(STATES.get(client.state, client.state)),
        **{column: codes[card].get(getattr(client, card)) for column, card in REFERENCES.items()},
        "email": client.email,
        "phone": client.phone,
        "mobile": client.mobile,
        "street": client.street,
        "city": client.city,
        "province": client.province,
        "postal_code": client.postal_code,
        "latitude": address.latitude if address is not None else None,
        "longitude": address.longitude if address is not None else None,
        "visit_days": visit_days_text(client.visit_weekdays) or None,
        "visit_every_weeks": client.visit_every_weeks if client.visit_weekdays else None,
        "visit_window": str(window) if window else None,
        "route_position": client.route_position,
    }
    if contact is not None:
        values |= {column: getattr(contact, name) for column, name in CONTACT_FIELDS.items()}
    row = [values.get(column.field) for column in CLIENT_COLUMNS]
    for attribute in attributes:
        text = custom.get(attribute.id)
        if attribute.kind == "yes_no":
            text = _("sí") if text == "true" else None
        elif attribute.kind == "number" and text is not None:
            text = Decimal(text)  # written as a number: "1,234" in a CSV, never "1.234"
        row.append(text)
    return row


def _write(fmt: str, rows: Iterator[list]) -> bytes:
    """The rows as a CSV Excel in Spanish opens well, or as an XLSX written as it streams."""
    if fmt == "xlsx":
        return xlsx_bytes(rows, _("clientes"))
    return csv_text(rows).encode("utf-8")
