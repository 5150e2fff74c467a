"""Exporting the client list: the list's filters and scope, and an export re-imports unchanged."""

import csv
import io
from datetime import time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.clients import services
from app.clients.models import Client, CustomAttribute
from app.clients.transfer import import_clients
from app.clients.transfer_export import export_clients
from app.extensions import db
from tests import factories
from tests.clients.import_files import csv_bytes, sample_rows


def rows_of(data: bytes) -> list[dict]:
    """An exported CSV's rows by header."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def a_full_client_base() -> None:
    """Clients with references, a contact, a fiscal address, a plan and custom values."""
    seller = factories.make_user("salesperson", username="vend1")
    zone = factories.make_zone(code="OESTE", name="Oeste")
    kind = factories.make_client_type(code="KIO", name="Kioscos")
    db.session.add(CustomAttribute(name="Rubro", kind="text"))
    db.session.add(CustomAttribute(name="Tiene heladera", kind="yes_no"))
    db.session.add(CustomAttribute(name="Superficie", kind="number"))
    db.session.commit()
    import_clients(csv_bytes(sample_rows(30)), "c.csv", None, dry_run=False)
    first = db.session.scalar(sa.select(Client).where(Client.code == "IMP000001"))
    services.update_client(
        first,
        {"salesperson_id": seller.id, "sales_zone_id": zone.id, "client_type_id": kind.id,
         "trade_name": "=Kiosco con igual", "visit_from": time(9), "visit_to": time(13)},
    )  # fmt: skip
    attributes = {a.name: a.id for a in services.active_attributes()}
    services.set_custom_values(
        first,
        {attributes["Rubro"]: "Kiosco", attributes["Tiene heladera"]: True,
         attributes["Superficie"]: Decimal("1.234")},
    )  # fmt: skip
    # a client typed by hand: a main address on its card and no fiscal address, no contact
    factories.make_client(code="MANUAL", street="Mitre 10", city="Haedo", tax_id=None)
    db.session.commit()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_re_imports_with_nothing_created_or_changed(app, fmt):
    a_full_client_base()
    admin = factories.make_user("admin")
    data = export_clients(admin, {}, fmt)
    report = import_clients(data, f"clientes.{fmt}", None, dry_run=False)
    assert report.error_count == 0, report.errors
    assert (report.rows, report.created, report.updated, report.unchanged) == (31, 0, 0, 31)


def test_the_export_has_the_template_columns_and_each_client(app):
    a_full_client_base()
    rows = rows_of(export_clients(factories.make_user("admin"), {"sort": "code"}, "csv"))
    assert len(rows) == 31
    first = next(row for row in rows if row["codigo"] == "IMP000001")
    assert (first["vendedor"], first["zona_venta"], first["tipo_cliente"]) == (
        "vend1",
        "OESTE",
        "KIO",
    )
    assert first["contacto_nombre"] == "Encargado 1" and first["horario_visita"] == "09:00-13:00"
    assert (first["Rubro"], first["Tiene heladera"], first["Superficie"]) == (
        "Kiosco",
        "sí",
        "1,234",
    )
    assert first["latitud"].startswith("-34,")


def test_the_export_follows_the_list_filters_and_the_users_scope(app):
    seller, other = factories.make_user("salesperson"), factories.make_user("salesperson")
    zone = factories.make_zone()
    factories.make_client(code="MIO1", salesperson_id=seller.id, sales_zone_id=zone.id)
    factories.make_client(code="MIO2", salesperson_id=seller.id, state="suspended")
    factories.make_client(code="AJENO", salesperson_id=other.id, sales_zone_id=zone.id)
    db.session.commit()

    def codes(user, filters: dict) -> set[str]:
        """The codes of the clients exported for the user with the filters."""
        return {row["codigo"] for row in rows_of(export_clients(user, filters, "csv"))}

    assert codes(seller, {}) == {"MIO1", "MIO2"}
    assert codes(seller, {"sales_zone_id": str(zone.id)}) == {"MIO1"}
    assert codes(seller, {"state": "suspended"}) == {"MIO2"}
    assert codes(seller, {"q": "mio1"}) == {"MIO1"}
    assert codes(factories.make_user("backoffice"), {}) == {"MIO1", "MIO2", "AJENO"}
