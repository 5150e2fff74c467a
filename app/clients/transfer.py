"""Clients in from spreadsheets: the import, a dry run first, then all or only the valid rows
(the checks are in transfer_check.py; the export and the template in transfer_export.py).

Rows are streamed and checked a chunk at a time with IN queries, so 100,000 rows fit in
bounded memory. A second pass writes the valid rows with the card's services and audit rows
(new clients of a chunk together). It flushes; the caller (the request, the command, the
job) commits.
"""

from collections.abc import Callable

from flask_babel import gettext as _

from app.audit import services as audit
from app.auth.models import User
from app.clients import services
from app.clients.models import Address, Client, Contact
from app.clients.transfer_check import (
    CONTACT_FIELDS,
    Planned,
    card_changes,
    chunks,
    plan_chunk,
    read_layout,
)
from app.clients.transfer_rules import HEADERS, ImportReport, report_summary
from app.core.spreadsheets import ImportRefused, RowError
from app.extensions import db

__all__ = ["ImportReport", "import_clients", "report_summary"]


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
    if progress:
        progress(total, total)
    return report


def _estimate_rows(data: bytes, filename: str) -> int:
    """About how many rows the file has, for the progress bar."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return max(len(data) // 120, 1)  # a compressed row is about 120 bytes
    return max(data.count(b"\n"), 1)


def _check_pass(report, data, filename, progress, total) -> set[int]:
    """Check every row and count what would happen; the numbers of the rows with errors."""
    layout = read_layout(data, filename, report)
    bad_rows: set[int] = set()
    for chunk in chunks(layout):
        for planned in plan_chunk(layout, chunk, report):
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
    layout = read_layout(data, filename, ImportReport())
    counts = {"create": 0, "update": 0, "unchanged": 0}
    late_errors = 0
    savepoint = db.session.begin_nested()
    with audit.acting_as(user.id if user is not None else None):
        for chunk in chunks(layout):
            rows = [(n, cells) for n, cells in chunk if n not in bad_rows]
            planned = plan_chunk(layout, rows, report)
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


def _create_batch(plans: list[Planned]) -> None:
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


def _apply(plan: Planned) -> None:
    """Write one checked row through the card's services."""
    values = plan.values
    if plan.action == "unchanged":
        return
    if plan.action == "create":
        client = services.create_client(dict(values.card))
    else:
        client = db.session.get(Client, plan.client_id)
        changes = card_changes(client, values.card)
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
