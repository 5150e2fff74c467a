"""Importing clients from CSV and XLSX: the dry run, all or nothing, valid rows only, re-import."""

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Address, Client, Contact
from app.clients.transfer import import_clients
from app.extensions import db
from tests.clients.import_files import csv_bytes, sample_rows, valid_cuit, xlsx_bytes


def counts() -> tuple[int, int, int, int]:
    """Clients, contacts, addresses and audit rows in the database."""
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Client, Contact, Address, AuditEntry)
    )


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(app):
    data = csv_bytes(sample_rows(5))
    before = counts()
    report = import_clients(data, "clientes.csv", None, dry_run=True)
    assert (report.rows, report.created, report.updated, report.error_count) == (5, 5, 0, 0)
    assert counts() == before


def test_an_import_creates_clients_with_contact_address_and_visit_plan(app):
    data = xlsx_bytes(sample_rows(3))
    report = import_clients(data, "clientes.xlsx", None, dry_run=False)
    assert report.applied and (report.created, report.updated) == (3, 0), report.errors
    client = db.session.scalar(sa.select(Client).where(Client.code == "IMP000001"))
    assert client.tax_id == valid_cuit(1).replace("-", "")
    assert client.city and client.visit_weekdays and client.visit_from is not None
    contact = db.session.scalar(sa.select(Contact).where(Contact.client_id == client.id))
    assert contact.name == "Encargado 1"
    address = db.session.scalar(sa.select(Address).where(Address.client_id == client.id))
    assert address.kind == "fiscal" and address.latitude is not None
    again = import_clients(data, "clientes.xlsx", None, dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3), again.errors
