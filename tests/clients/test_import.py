"""Importing clients: the dry run, all or nothing, valid rows only, re-import, the form's rules."""

import json

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Address, Client, Contact, CustomAttribute, CustomValue
from app.clients.transfer import ImportReport, import_clients
from app.extensions import db
from tests import factories
from tests.clients.import_files import csv_bytes, sample_rows, valid_cuit, xlsx_bytes


def counts() -> tuple[int, ...]:
    """Clients, contacts, addresses, custom values and audit rows in the database."""
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Client, Contact, Address, CustomValue, AuditEntry)
    )


def client(code: str) -> Client:
    """The client with this code."""
    return db.session.scalar(sa.select(Client).where(Client.code == code))


def run(rows: list[dict], **options) -> ImportReport:
    """Import the rows as a CSV (for real unless told)."""
    options.setdefault("dry_run", False)
    return import_clients(csv_bytes(rows), "clientes.csv", None, **options)


def errors_of(report: ImportReport) -> list[tuple[int, str, str]]:
    """The report's errors as (row, column, message)."""
    return [(e.row, e.column, e.message) for e in report.errors]


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(app):
    factories.make_client(code="IMP000002")
    db.session.commit()
    rows = sample_rows(4)
    rows[3]["numero_documento"] = "20-1"
    before = counts()
    calls = []
    report = import_clients(
        csv_bytes(rows), "clientes.csv", None, dry_run=True, progress=lambda d, t: calls.append(t)
    )
    assert (report.rows, report.created, report.updated, report.skipped) == (4, 2, 1, 1)
    assert errors_of(report)[0][:2] == (5, "numero_documento")
    assert counts() == before
    assert calls and not report.applied
    assert json.loads(json.dumps(report.to_dict()))["created"] == 2
    assert ImportReport.from_dict(report.to_dict()) == report


def test_an_import_creates_clients_with_contact_address_and_visit_plan(app):
    user = factories.make_user("backoffice")
    report = import_clients(xlsx_bytes(sample_rows(3)), "c.xlsx", user, dry_run=False)
    assert report.applied and (report.created, report.updated) == (3, 0), errors_of(report)
    row = sample_rows(1)[0]
    card = client("IMP000001")
    assert card.tax_id == valid_cuit(1).replace("-", "") and card.city == row["localidad"]
    assert card.visit_every_weeks == int(row["frecuencia_visita"])
    assert f"{card.visit_from:%H:%M}-{card.visit_to:%H:%M}" == "08:30-12:00"
    contact = db.session.scalar(sa.select(Contact).where(Contact.client_id == card.id))
    assert (contact.name, contact.phone) == ("Encargado 1", row["contacto_telefono"])
    address = db.session.scalar(sa.select(Address).where(Address.client_id == card.id))
    assert (address.kind, address.street) == ("fiscal", row["direccion"])
    assert str(address.latitude) == row["latitud"].replace(",", ".")
    actions = db.session.execute(sa.select(AuditEntry.action, AuditEntry.actor_id)).all()
    assert ("client.create", user.id) in actions and ("client.import", user.id) in actions


def test_by_default_one_bad_row_refuses_the_whole_file(app):
    rows = sample_rows(3)
    rows[1]["razon_social"] = ""
    before = counts()
    report = run(rows)
    assert report.refused and not report.applied
    assert errors_of(report) == [(3, "razon_social", "Este campo es obligatorio.")]
    assert counts() == before


def test_valid_only_imports_the_good_rows_and_skips_the_bad_ones(app):
    rows = sample_rows(3)
    rows[1]["zona_venta"] = "Atlántida"
    report = run(rows, valid_only=True)
    assert report.applied and (report.created, report.skipped) == (2, 1)
    assert client("IMP000002") is None and client("IMP000003") is not None
    assert "No existe «Atlántida»" in errors_of(report)[0][2]


def test_re_importing_updates_by_code_and_leaves_unchanged_rows_alone(app):
    rows = sample_rows(3)
    run(rows)
    audits = counts()[-1]
    rows[0]["telefono"] = "011 4999-0000"
    rows[1]["contacto_nombre"] = "Otra Persona"
    report = run(rows)
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1), errors_of(report)
    assert client("IMP000001").phone == "011 4999-0000"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Client)) == 3
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[audits:] == ["client.update", "client.contacts.update", "client.import"]


def test_without_a_code_the_client_is_found_by_its_tax_id(app):
    existing = factories.make_client(code="VIEJO1", tax_id=valid_cuit(9).replace("-", ""))
    db.session.commit()
    rows = [{"razon_social": "Nuevo Nombre S.A.", "cuit": valid_cuit(9)},
            {"razon_social": "Cliente Nuevo", "cuit": valid_cuit(10)}]  # fmt: skip
    report = run(rows)
    assert (report.created, report.updated) == (1, 1), errors_of(report)
    db.session.refresh(existing)
    assert existing.legal_name == "Nuevo Nombre S.A."
    assert client("C000001").legal_name == "Cliente Nuevo"  # the next free code


def test_the_same_code_or_tax_id_twice_in_the_file_is_an_error(app):
    rows = sample_rows(3)
    rows[1]["codigo"] = rows[0]["codigo"]
    rows[2]["numero_documento"] = rows[0]["numero_documento"]
    report = run(rows, dry_run=True)
    assert errors_of(report) == [
        (3, "codigo", "Código repetido: ya está en la fila 2."),
        (4, "numero_documento", "Documento repetido: ya está en la fila 2."),
    ]


def test_a_tax_id_another_client_holds_is_refused_as_the_card_refuses_it(app):
    holder = factories.make_client(
        code="DUENO", trade_name="El Dueño", tax_id=factories.company_cuit(500)
    )
    db.session.commit()
    rows = sample_rows(1, numero_documento=holder.tax_id)
    report = run(rows)
    assert report.refused
    assert errors_of(report)[0][1] == "numero_documento"
    assert "Ya existe el cliente DUENO (El Dueño)" in errors_of(report)[0][2]


def test_a_client_in_the_trash_is_not_imported_over(app):
    from app.core.types import utcnow

    factories.make_client(code="IMP000001", deleted_at=utcnow())
    db.session.commit()
    report = run(sample_rows(1))
    assert "está en la papelera" in errors_of(report)[0][2]


def test_references_are_found_by_code_or_by_name(app):
    seller = factories.make_user("salesperson", username="vend7", full_name="Juana Gómez")
    collector = factories.make_user("collector", username="cobra7", full_name="Luis Paz")
    zone = factories.make_zone(code="NORTE", name="Zona Norte")
    kind = factories.make_client_type(code="KIO", name="Kioscos")
    price_list = factories.make_price_list(code="MAY", name="Mayorista")
    condition = factories.make_sale_condition(code="CC30", description="Cuenta corriente 30")
    db.session.commit()
    by_code = {
        "vendedor": "VEND7",
        "cobrador": "cobra7",
        "zona_venta": "norte",
        "tipo_cliente": "KIO",
        "lista_precios": "MAY",
        "condicion_venta": "CC30",
    }
    by_name = {"vendedor": "juana gomez", "cobrador": "Luis Paz", "zona_venta": "Zona Norte",
               "tipo_cliente": "kioscos", "lista_precios": "Mayorista",
               "condicion_venta": "cuenta corriente 30"}  # fmt: skip
    report = run(sample_rows(1, **by_code) + sample_rows(1, start=2, **by_name))
    assert report.created == 2, errors_of(report)
    for code in ("IMP000001", "IMP000002"):
        card = client(code)
        assert (card.salesperson_id, card.collector_id, card.sales_zone_id) == (
            seller.id, collector.id, zone.id,
        )  # fmt: skip
        assert (card.client_type_id, card.price_list_id, card.sale_condition_id) == (
            kind.id, price_list.id, condition.id,
        )  # fmt: skip


def test_a_name_two_rows_share_asks_for_the_code(app):
    factories.make_zone(code="N1", name="Norte")
    factories.make_zone(code="N2", name="Norte")
    db.session.commit()
    report = run(sample_rows(1, zona_venta="Norte"), dry_run=True)
    assert errors_of(report) == [
        (2, "zona_venta", "Hay más de uno con ese nombre: escribí el código.")
    ]


def test_the_form_rules_apply_to_every_cell(app):
    bad = {"codigo": "C 1", "email": "no-es-correo", "estado": "Jubilado",
           "dias_visita": "lun, feriado", "frecuencia_visita": "3",
           "horario_visita": "12:00-08:00", "orden_ruta": "0", "latitud": "-134,5"}  # fmt: skip
    report = run(sample_rows(1, **bad), dry_run=True)
    columns = {column for _row, column, _message in errors_of(report)}
    assert columns == {"codigo", "email", "estado", "dias_visita", "frecuencia_visita",
                       "horario_visita", "orden_ruta", "latitud"}  # fmt: skip


def test_required_custom_attributes_are_required_in_the_file(app):
    rubro = CustomAttribute(name="Rubro", kind="choice", required=True, choices=["Kiosco", "Bar"])
    db.session.add(rubro)
    db.session.commit()
    report = run(sample_rows(1), dry_run=True)
    assert errors_of(report) == [(2, "Rubro", "Este campo es obligatorio.")]
    report = run(sample_rows(2, rubro="Kiosco") + sample_rows(1, start=3, rubro="Hotel"))
    assert report.refused
    assert errors_of(report) == [(4, "Rubro", "El valor no es válido para este atributo.")]
    report = run(sample_rows(2, rubro="Kiosco"))
    assert report.created == 2
    values = db.session.scalars(sa.select(CustomValue.value)).all()
    assert values == ["Kiosco", "Kiosco"]
