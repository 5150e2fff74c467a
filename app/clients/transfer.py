"""Clients in from spreadsheets: the import, a dry run first, then all or only the valid rows
(the export and the template are in transfer_export.py).

Rows are streamed and checked a chunk at a time with IN queries, so 100,000 rows fit in
bounded memory. The import writes through the card's services (create_client, update_client,
save_part, set_custom_values): the same checks as the form, and their audit rows. It flushes;
the caller (the request, the command, the job) commits.
"""

import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from itertools import islice
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from app.audit import services as audit
from app.auth.models import Role, User
from app.clients import services
from app.clients.models import Address, Client, Contact, CustomAttribute, CustomValue
from app.clients.reference import ClientType, Zone
from app.clients.transfer_rules import (
    CLIENT_COLUMNS,
    HEADERS,
    REFERENCES,
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
MAX_ERRORS = 1000  # errors kept in a report; all of them are counted
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
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")
UPLOAD_HOURS = 24  # an uploaded file waits this long for its confirmation


@dataclass
class ImportReport:
    """What an import did or, in a dry run, would do; JSON-able with to_dict()."""

    filename: str = ""
    dry_run: bool = True
    valid_only: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    refused: bool = False  # nothing was written: a bad file, or bad rows in an all-or-nothing run
    applied: bool = False  # the rows were written (flushed; the caller commits)

    def add_error(self, row: int, column: str, message: str) -> None:
        """Count an error; keep it while fewer than MAX_ERRORS are kept."""
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, message))

    def to_dict(self) -> dict:
        """The report as plain JSON values (a job keeps it as its result)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        """The report back from to_dict()."""
        errors = [RowError(**error) for error in data.get("errors", [])]
        return cls(**{**data, "errors": errors})

    def counts_text(self) -> str:
        """ "120 filas: 100 nuevos, 15 modificados, 5 sin cambios, 0 con errores"."""
        return _(
            "%(rows)d filas: %(created)d nuevos, %(updated)d modificados, %(unchanged)d sin "
            "cambios, %(skipped)d con errores.",
            rows=self.rows,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            skipped=self.skipped,
        )


@dataclass
class _Planned:
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
class _Layout:
    """Where each column is in the file, and what the checks need for every chunk."""

    positions: dict[str, int]
    attributes: dict[int, CustomAttribute]  # column index -> attribute
    all_attributes: list[CustomAttribute]  # every active one (the required ones are checked)
    lookups: dict[str, Lookup]
    options: dict[str, dict[str, str]]
    data_rows: Iterator[tuple[int, list]]
    seen_codes: dict[str, int] = field(default_factory=dict)
    seen_tax_ids: dict[tuple[str, str], int] = field(default_factory=dict)


def import_clients(
    data: bytes,
    filename: str,
    user: User | None,
    *,
    dry_run: bool,
    valid_only: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check (dry run) or import a CSV or XLSX of clients; a refused file changes nothing.

    All or nothing unless `valid_only`, which writes the valid rows and skips the others.
    Re-importing updates by code (by tax id when the row has no code); unchanged rows write
    nothing. `progress(done, total)` is called every chunk (total is an estimate).
    """
    report = ImportReport(filename=filename[:200], dry_run=dry_run, valid_only=valid_only)
    total = _estimate_rows(data, filename) * (1 if dry_run else 2)
    try:
        bad_rows = _check_pass(report, data, filename, progress, total)
    except ImportRefused as refused:
        report.errors, report.error_count, report.refused = [], 0, True
        for error in refused.errors:
            report.add_error(error.row, error.column, error.message)
        report.error_count = refused.total
        return report
    if dry_run:
        return report
    if report.error_count and not valid_only:
        report.refused = True
        return report
    _write_pass(report, data, filename, user, bad_rows, progress, total)
    return report


def store_upload(data: bytes, filename: str) -> str:
    """Keep an uploaded file until the user confirms its import; its id."""
    folder = _upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.stat().st_mtime < time.time() - UPLOAD_HOURS * 3600:
            old.unlink(missing_ok=True)
    xlsx = data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx")
    upload_id = f"{secrets.token_hex(16)}.{'xlsx' if xlsx else 'csv'}"
    (folder / upload_id).write_bytes(data)
    return upload_id


def _upload_folder() -> Path:
    """Where uploads wait (CLIENT_IMPORTS_DIR, else the instance folder's client-imports)."""
    configured = current_app.config.get("CLIENT_IMPORTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "client-imports"


def run_import(
    upload_id: str,
    filename: str,
    user: User | None,
    *,
    dry_run: bool,
    valid_only: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check or import a stored upload (the page's one call; a job's body later).

    The file is forgotten once its rows are written.
    """
    path = _upload_folder() / upload_id
    if not UPLOAD_ID.match(upload_id) or not path.is_file():
        report = ImportReport(filename=filename[:200], dry_run=dry_run, refused=True)
        report.add_error(0, "", _("El archivo ya no está: subilo de nuevo."))
        return report
    name = filename if filename.lower().endswith(path.suffix) else f"{filename}{path.suffix}"
    report = import_clients(
        path.read_bytes(), name, user, dry_run=dry_run, valid_only=valid_only, progress=progress
    )
    report.filename = filename[:200]
    if report.applied:
        path.unlink(missing_ok=True)
    return report


def _estimate_rows(data: bytes, filename: str) -> int:
    """About how many rows the file has, for the progress bar."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return max(len(data) // 120, 1)  # a compressed row is about 120 bytes
    return max(data.count(b"\n"), 1)


def _layout(data: bytes, filename: str, report: ImportReport) -> _Layout:
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
    return _Layout(positions, attributes, active, _lookups(), fixed_options(), rows)


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


def _chunks(layout: _Layout) -> Iterator[list[tuple[int, list]]]:
    """The data rows, CHUNK at a time."""
    while chunk := list(islice(layout.data_rows, CHUNK)):
        yield chunk


def _check_pass(report, data, filename, progress, total) -> set[int]:
    """Check every row and count what would happen; the numbers of the rows with errors."""
    layout = _layout(data, filename, report)
    bad_rows: set[int] = set()
    for chunk in _chunks(layout):
        for planned in _plan_chunk(layout, chunk, report):
            report.rows += 1
            if planned.action == "error":
                report.skipped += 1
                bad_rows.add(planned.number)
            else:
                setattr(report, _COUNTERS[planned.action], _count(report, planned.action) + 1)
        if progress:
            progress(min(report.rows, total), total)
    if report.rows == 0:
        raise ImportRefused([RowError(2, "", _("El archivo no tiene filas."))])
    return bad_rows


_COUNTERS = {"create": "created", "update": "updated", "unchanged": "unchanged"}


def _count(report: ImportReport, action: str) -> int:
    """The report's counter for an action."""
    return getattr(report, _COUNTERS[action])


def _write_pass(report, data, filename, user, bad_rows, progress, total) -> None:
    """Write the valid rows through the card's services; undo all on a late error unless
    only the valid rows were asked for."""
    checked = report.rows
    layout = _layout(data, filename, ImportReport())
    counts = {"create": 0, "update": 0, "unchanged": 0}
    late_errors = 0
    savepoint = db.session.begin_nested()
    with audit.acting_as(user.id if user is not None else None):
        for chunk in _chunks(layout):
            rows = [(n, cells) for n, cells in chunk if n not in bad_rows]
            planned = _plan_chunk(layout, rows, report)
            late_errors += sum(plan.action == "error" for plan in planned)
            batch = [p for p in planned if p.action == "create" and p.values.card.get("code")]
            _create_batch(batch)
            counts["create"] += len(batch)
            batched = {id(plan) for plan in batch}
            for plan in planned:
                if plan.action == "error" or id(plan) in batched:
                    continue
                try:
                    _apply(plan)
                except services.ClientError as error:
                    for name, message in error.fields.items():
                        report.add_error(plan.number, HEADERS.get(name, name), message)
                    late_errors += 1
                    continue
                counts[plan.action] += 1
            if progress:
                done = checked + sum(counts.values()) + late_errors
                progress(min(done, total), total)
    if late_errors and not report.valid_only:
        savepoint.rollback()
        report.refused, report.skipped = True, report.skipped + late_errors
        return
    savepoint.commit()
    report.created, report.updated, report.unchanged = (
        counts["create"], counts["update"], counts["unchanged"]
    )  # fmt: skip
    report.skipped += late_errors
    report.applied = True
    if report.created or report.updated:
        audit.record(
            "client.import",
            "client",
            "import",
            None,
            {"file": report.filename or None, **{k: getattr(report, k) for k in _SUMMARY}},
            actor_id=user.id if user is not None else None,
        )


_SUMMARY = ("rows", "created", "updated", "unchanged", "skipped")


def _plan_chunk(layout: _Layout, chunk: list, report: ImportReport) -> list[_Planned]:
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


def _raw(layout: _Layout, cells: list) -> dict[str, object]:
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


def _column_name(layout: _Layout, name: str) -> str:
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


def _plan_row(layout, number, raw, values: RowValues, by_code, holders) -> _Planned:
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
    plan = _Planned(number, "create" if current is None else "update", values=values)
    if current is not None:
        plan.client_id = current.id
        plan.action = "update" if _card_changes(current, card) else "unchanged"
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


def _card_changes(current, card: dict) -> dict:
    """The card fields whose value in the row differs from the client's."""
    return {name: value for name, value in card.items() if getattr(current, name) != value}


def _plan_parts(layout: _Layout, planned: list[_Planned]) -> None:
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


def _address_changed(address, wanted: dict, plan: _Planned) -> bool:
    """The row's address differs from the fiscal one (or, without one, from the card's)."""
    if not wanted:
        return False
    if address is not None:
        return any(getattr(address, k) != v for k, v in wanted.items())
    if plan.client_id is None or "latitude" in wanted or "longitude" in wanted:
        return True
    # a main address typed on the card, without a fiscal address: the same text is no change
    return any(plan.card_address.get(k) != v for k, v in wanted.items())


def _read_custom(layout: _Layout, plan: _Planned, stored: dict[int, str]) -> bool:
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


def _create_batch(plans: list[_Planned]) -> None:
    """Create a chunk's new clients (with their codes) and their parts, one flush per table.

    The check pass ran the card's checks on these rows in bulk (codes and tax ids in the file
    and in the database); the audit rows are the ones create_client and save_part write.
    """
    if not plans:
        return
    clients = [Client(**plan.values.card) for plan in plans]
    db.session.add_all(clients)
    db.session.flush()
    parts = []
    for plan, client in zip(plans, clients, strict=True):
        audit.record("client.create", "client", client.id, None, services.audit_view(client))
        contact = {CONTACT_FIELDS[k]: v for k, v in plan.values.contact.items()}
        if contact:
            parts.append(("contacts", client, Contact(client_id=client.id, **contact)))
        if plan.values.address:
            address = Address(client_id=client.id, kind="fiscal", **plan.values.address)
            parts.append(("addresses", client, address))
    db.session.add_all([row for _part, _client, row in parts])
    db.session.flush()
    for part, client, row in parts:
        audit.record(f"client.{part}.create", "client", client.id, None, services.part_view(row))
    for plan, client in zip(plans, clients, strict=True):
        if plan.custom_changed:
            services.set_custom_values(client, plan.custom)


def _apply(plan: _Planned) -> None:
    """Write one checked row through the card's services."""
    values = plan.values
    if plan.action == "unchanged":
        return
    if plan.action == "create":
        client = services.create_client(dict(values.card))
    else:
        client = db.session.get(Client, plan.client_id)
        changes = _card_changes(client, values.card)
        if changes:
            services.update_client(client, changes)
    if values.contact:
        row = db.session.get(Contact, plan.contact_id) if plan.contact_id else None
        fields = {CONTACT_FIELDS[k]: v for k, v in values.contact.items()}
        services.save_part(client, "contacts", row, fields)
    if values.address:
        row = db.session.get(Address, plan.address_id) if plan.address_id else None
        fields = dict(values.address) | ({"kind": "fiscal"} if row is None else {})
        services.save_part(client, "addresses", row, fields)
    if plan.custom_changed:
        services.set_custom_values(client, plan.custom)


def report_summary(report: ImportReport) -> str:
    """One line for the user: what was (or would be) done."""
    if report.refused and not report.rows:
        return _("No se pudo leer el archivo: no se importó nada.")
    if report.refused:
        return ngettext(
            "El archivo tiene %(num)d error: no se importó nada.",
            "El archivo tiene %(num)d errores: no se importó nada.",
            report.error_count,
        )
    return report.counts_text()
