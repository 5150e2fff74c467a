"""Checking an import's rows: the file's layout, then each chunk of rows against the file so
far and the database with a few IN queries, as the card's form and services check a card."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

import sqlalchemy as sa
from flask_babel import gettext as _

from app.auth.models import Role, User
from app.clients import services
from app.clients.models import Address, Client, Contact, CustomAttribute, CustomValue
from app.clients.reference import ClientType, Zone
from app.clients.transfer_rules import (
    CLIENT_COLUMNS,
    HEADERS,
    REFERENCES,
    ImportReport,
    Lookup,
    RowValues,
    attribute_key,
    fixed_options,
    read_row,
)
from app.core.spreadsheets import (
    Formula,
    ImportRefused,
    RowError,
    cell_text,
    iter_rows,
    match_headers,
    parse_flag,
    parse_number,
)
from app.extensions import db
from app.ledger.models import SaleCondition
from app.orders.models import PriceList
from app.taxes.rules import TaxIdType, same_identity_kinds

CHUNK = 500  # rows checked together, values per IN (...)
CONTACT_FIELDS = {"contact_name": "name", "contact_role": "role", "contact_phone": "phone",
                  "contact_email": "email"}  # fmt: skip
ADDRESS_FIELDS = ("street", "city", "province", "postal_code", "latitude", "longitude")
# the card's columns read back for comparing and for the export
CARD_COLUMNS = (
    "id", "code", "legal_name", "trade_name", "tax_id_type", "tax_id", "iva_condition", "state",
    "client_type_id", "price_list_id", "sale_condition_id", "salesperson_id", "collector_id",
    "sales_zone_id", "delivery_zone_id", "email", "phone", "mobile", "street", "city",
    "province", "postal_code", "visit_weekdays", "visit_every_weeks", "visit_from", "visit_to",
    "route_position", "branch_of_id", "deleted_at",
)  # fmt: skip


@dataclass
class Planned:
    """One checked row: what to write for it (nothing when unchanged)."""

    number: int
    action: str  # create | update | unchanged | error
    client_id: int | None = None
    values: RowValues | None = None
    contact_id: int | None = None
    address_id: int | None = None
    custom_raw: dict[int, object] = field(default_factory=dict)  # attribute id -> cell
    custom: dict[int, object] = field(default_factory=dict)  # attribute id -> typed, all of them
    custom_changed: bool = False
    card_address: dict = field(default_factory=dict)  # the client's main address on its card


@dataclass
class Layout:
    """Where each column is in the file, and what the checks need for every chunk."""

    positions: dict[str, int]
    attributes: dict[int, CustomAttribute]  # column index -> attribute
    all_attributes: list[CustomAttribute]  # every active one (the required ones are checked)
    lookups: dict[str, Lookup]
    options: dict[str, dict[str, str]]
    data_rows: Iterator[tuple[int, list]]
    seen_codes: dict[str, int] = field(default_factory=dict)
    seen_tax_ids: dict[tuple[str, str], int] = field(default_factory=dict)


def read_layout(data: bytes, filename: str, report: ImportReport) -> Layout:
    """Read the header: known columns, custom attributes, and what was not recognised."""
    rows = iter_rows(data, filename, formulas=False)
    first = next(rows, None)
    if first is None:
        raise ImportRefused([RowError(1, "", _("El archivo está vacío."))])
    number, header = first
    positions, unknown, errors = match_headers(header, CLIENT_COLUMNS, number)
    if "code" not in positions and "tax_id" not in positions:
        message = _("Falta la columna codigo (o numero_documento, para buscar por documento).")
        errors.append(RowError(number, HEADERS["code"], message))
    active = services.active_attributes()
    by_key = {attribute_key(a.name): a for a in active}
    attributes, ignored = {}, []
    for index, text in unknown:
        if (attribute := by_key.get(attribute_key(text))) is not None:
            attributes[index] = attribute
        else:
            ignored.append(text)
    if errors:
        if ignored:
            message = _("No reconocemos estas columnas: %(names)s.", names=", ".join(ignored))
            errors.append(RowError(number, "", message))
        raise ImportRefused(errors)
    report.ignored_columns = ignored
    return Layout(positions, attributes, active, _lookups(), fixed_options(), rows)


def _lookups() -> dict[str, Lookup]:
    """The reference rows a file may name, by code or name (users by user name or full name)."""

    def rows(model, label) -> list[tuple[int, str, str]]:
        query = sa.select(model.id, model.code, label).where(model.deleted_at.is_(None))
        return [tuple(row) for row in db.session.execute(query)]

    def staff(role: Role) -> Lookup:
        query = sa.select(User.id, User.username, User.full_name).where(
            User.role == role, User.active
        )
        return Lookup.of([tuple(row) for row in db.session.execute(query)])

    zones = Lookup.of(rows(Zone, Zone.name))
    return {
        "client_type": Lookup.of(rows(ClientType, ClientType.name)),
        "price_list": Lookup.of(rows(PriceList, PriceList.name)),
        "sale_condition": Lookup.of(rows(SaleCondition, SaleCondition.description)),
        "salesperson": staff(Role.SALESPERSON),
        "collector": staff(Role.COLLECTOR),
        "sales_zone": zones,
        "delivery_zone": zones,
    }


def chunks(layout: Layout) -> Iterator[list[tuple[int, list]]]:
    """The data rows, CHUNK at a time."""
    while chunk := list(islice(layout.data_rows, CHUNK)):
        yield chunk


def plan_chunk(layout: Layout, chunk: list, report: ImportReport) -> list[Planned]:
    """Check a chunk of rows against the file so far and the database, with a few IN queries.

    Errors go to the report (in a write pass, only errors the check did not see come).
    """
    raws = [(number, _raw(layout, cells)) for number, cells in chunk]
    codes = sorted({cell_text(raw["code"]) for _n, raw in raws} - {""})
    by_code = {row.code: row for row in fetch_clients(Client.code, codes)}
    read = []
    for number, raw in raws:
        current = by_code.get(cell_text(raw["code"]))
        kind = current.tax_id_type if current is not None else TaxIdType.CUIT
        stored = current.tax_id if current is not None else None
        values = read_row(raw, layout.lookups, layout.options, kind, stored)
        read.append((number, raw, values))
    tax_ids = sorted({v.card["tax_id"] for _n, _r, v in read if v.card.get("tax_id")})
    holders: dict[str, list] = {}
    for row in fetch_clients(Client.tax_id, tax_ids):
        if row.deleted_at is None:
            holders.setdefault(row.tax_id, []).append(row)
    planned = [
        _plan_row(layout, number, raw, values, by_code, holders) for number, raw, values in read
    ]
    _plan_parts(layout, planned)
    for plan, (number, _raw_cells, values) in zip(planned, read, strict=True):
        if values.errors:
            plan.action = "error"
            for name, message in values.errors.items():
                report.add_error(number, _column_name(layout, name), message)
    return planned


def _raw(layout: Layout, cells: list) -> dict[str, object]:
    """A row's cells by field (None for a column the file lacks), custom ones as attr_<id>."""
    raw = {
        column.field: _cell(cells, layout.positions.get(column.field)) for column in CLIENT_COLUMNS
    }
    for index, attribute in layout.attributes.items():
        raw[f"attr_{attribute.id}"] = _cell(cells, index)
    return raw


def _cell(cells: list, index: int | None) -> object:
    """The cell at a position; None when the file lacks the column or the row is short."""
    return cells[index] if index is not None and index < len(cells) else None


def _column_name(layout: Layout, name: str) -> str:
    """The column an error is shown under: the template's header, or the attribute's name."""
    if name.startswith("attr_"):
        attribute_id = int(name.removeprefix("attr_"))
        return next((a.name for a in layout.all_attributes if a.id == attribute_id), name)
    return HEADERS.get(name, HEADERS.get(_CARD_TO_COLUMN.get(name, ""), name))


_CARD_TO_COLUMN = {card: column for column, card in REFERENCES.items()}


def fetch_clients(column, values: list) -> list:
    """The clients (their card columns) whose column is one of the values."""
    if not values:
        return []
    query = sa.select(*(getattr(Client, name) for name in CARD_COLUMNS))
    return db.session.execute(query.where(column.in_(values))).all()


def _plan_row(layout, number, raw, values: RowValues, by_code, holders) -> Planned:
    """Match the row to a client (code first, then tax id) and check the file's duplicates."""
    card, errors = values.card, values.errors
    code, tax_id = card.get("code"), card.get("tax_id")
    if not code and not tax_id and "code" not in errors and "tax_id" not in errors:
        errors["code"] = _("Escribí el código o el número de documento.")
    current = by_code.get(code) if code else None
    if code and code in layout.seen_codes:
        row = layout.seen_codes[code]
        errors["code"] = _("Código repetido: ya está en la fila %(row)d.", row=row)
    elif code:
        layout.seen_codes[code] = number
    kind = card.get("tax_id_type") or (current.tax_id_type if current else TaxIdType.CUIT)
    if tax_id:
        key = (same_identity_kinds(kind)[0], tax_id)
        if key in layout.seen_tax_ids:
            row = layout.seen_tax_ids[key]
            errors["tax_id"] = _("Documento repetido: ya está en la fila %(row)d.", row=row)
        else:
            layout.seen_tax_ids[key] = number
        others = [h for h in holders.get(tax_id, []) if h.tax_id_type in same_identity_kinds(kind)]
        if current is None and not code and others:
            current = min(others, key=lambda h: (h.branch_of_id is not None, h.id))
        _check_tax_clash(current, kind, tax_id, others, errors)
    if current is not None and current.deleted_at is not None:
        errors["code"] = _(
            "El cliente %(code)s está en la papelera: restauralo antes de importarlo.",
            code=current.code,
        )
    plan = Planned(number, "create" if current is None else "update", values=values)
    if current is not None:
        plan.client_id = current.id
        plan.action = "update" if card_changes(current, card) else "unchanged"
        plan.card_address = {k: getattr(current, k) for k in ADDRESS_FIELDS[:4]}
    plan.custom_raw = {a.id: raw[f"attr_{a.id}"] for a in layout.attributes.values()}
    return plan


def _check_tax_clash(current, kind: str, tax_id: str, others: list, errors: dict) -> None:
    """A tax id held by another live client outside this card's group refuses the row."""
    if current is not None and (current.tax_id_type, current.tax_id) == (kind, tax_id):
        return  # an identity that does not change is not checked again (as the card does)
    group = None if current is None else (current.branch_of_id or current.id)
    for other in others:
        if current is not None and other.id == current.id:
            continue
        if group is not None and group in (other.id, other.branch_of_id):
            continue
        name = other.trade_name or other.legal_name
        errors.setdefault("tax_id", services.tax_id_taken(kind, other.code, name))
        return


def card_changes(current, card: dict) -> dict:
    """The card fields whose value in the row differs from the client's."""
    return {name: value for name, value in card.items() if getattr(current, name) != value}


def _plan_parts(layout: Layout, planned: list[Planned]) -> None:
    """Compare contact, fiscal address and custom values with the clients' (three queries)."""
    ids = [p.client_id for p in planned if p.client_id is not None]
    contacts, addresses, customs = first_parts(ids)
    for plan in planned:
        values = plan.values
        contact = contacts.get(plan.client_id)
        address = addresses.get(plan.client_id)
        plan.contact_id = contact.id if contact is not None else None
        plan.address_id = address.id if address is not None else None
        contact_changed = bool(values.contact) and (
            contact is None
            or any(getattr(contact, CONTACT_FIELDS[k]) != v for k, v in values.contact.items())
        )
        address_changed = _address_changed(address, values.address, plan)
        plan.custom_changed = _read_custom(layout, plan, customs.get(plan.client_id, {}))
        if plan.action == "unchanged" and (
            contact_changed or address_changed or plan.custom_changed
        ):
            plan.action = "update"
        if not contact_changed:
            values.contact = {}
        if not address_changed:
            values.address = {}


def first_parts(ids: list[int]) -> tuple[dict, dict, dict]:
    """Each client's first live contact, first live fiscal address, and custom values."""
    if not ids:
        return {}, {}, {}
    contacts, addresses, customs = {}, {}, {}
    query = sa.select(Contact).where(Contact.client_id.in_(ids), Contact.deleted_at.is_(None))
    for row in db.session.scalars(query.order_by(Contact.id.desc())):
        contacts[row.client_id] = row
    query = sa.select(Address).where(
        Address.client_id.in_(ids), Address.kind == "fiscal", Address.deleted_at.is_(None)
    )
    for row in db.session.scalars(query.order_by(Address.id.desc())):
        addresses[row.client_id] = row
    query = sa.select(CustomValue.client_id, CustomValue.attribute_id, CustomValue.value)
    for client_id, attribute_id, value in db.session.execute(
        query.where(CustomValue.client_id.in_(ids))
    ):
        customs.setdefault(client_id, {})[attribute_id] = value
    return contacts, addresses, customs


def _address_changed(address, wanted: dict, plan: Planned) -> bool:
    """The row's address differs from the fiscal one (or, without one, from the card's)."""
    if not wanted:
        return False
    if address is not None:
        return any(getattr(address, k) != v for k, v in wanted.items())
    if plan.client_id is None or "latitude" in wanted or "longitude" in wanted:
        return True
    # a main address typed on the card, without a fiscal address: the same text is no change
    return any(plan.card_address.get(k) != v for k, v in wanted.items())


def _read_custom(layout: Layout, plan: Planned, stored: dict[int, str]) -> bool:
    """Type the row's custom values and check the required ones; True when one changes."""
    errors = plan.values.errors
    given = {}
    for attribute in layout.attributes.values():
        raw, key = plan.custom_raw.get(attribute.id), f"attr_{attribute.id}"
        if isinstance(raw, Formula):
            errors[key] = _("La celda tiene una fórmula: pegala como valor.")
        elif cell_text(raw) != "":
            try:
                given[attribute.id] = _typed(attribute, raw)
            except ValueError:
                errors[key] = _("El valor no es válido para este atributo.")
    texts = {aid: None if v is False else services.to_text(v) for aid, v in given.items()}
    present = {a.id for a in layout.attributes.values()}
    for attribute in layout.all_attributes:
        if not attribute.required or attribute.kind == "yes_no":
            continue
        checked = plan.client_id is None or attribute.id in present
        if checked and not (texts.get(attribute.id) or stored.get(attribute.id)):
            errors.setdefault(f"attr_{attribute.id}", _("Este campo es obligatorio."))
    plan.custom = {
        a.id: services.from_text(a.kind, stored.get(a.id)) for a in layout.all_attributes
    } | given
    return any(stored.get(aid) != text for aid, text in texts.items())


def _typed(attribute: CustomAttribute, raw: object) -> object:
    """A cell's custom value as its attribute's kind wants it; ValueError when it does not fit."""
    if attribute.kind == "number" and isinstance(raw, int | float | Decimal):
        number = parse_number(raw)  # a number cell as it shows: 1.234 is not 1234
        if number is None:
            raise ValueError(raw)
        return number
    if attribute.kind != "yes_no":
        return services.typed_custom(attribute, cell_text(raw))
    flag = parse_flag(raw)
    if flag is None:
        raise ValueError(raw)
    return flag
