"""Files as users really send them: Excel's CSVs, XLSX workbooks, and each kind of bad file.

A bad file is refused with a Spanish report and changes nothing.
"""

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Client
from app.clients.transfer import import_clients
from app.core.spreadsheets import OLE_MAGIC
from app.extensions import db
from tests.clients.import_files import csv_bytes, sample_rows, xlsx_bytes


def nothing_written() -> bool:
    """No client and no audit row in the database."""
    clients = db.session.scalar(sa.select(sa.func.count()).select_from(Client))
    audits = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    return clients == 0 and audits == 0


def messages(report) -> str:
    """Every error the report shows, in one text."""
    return " | ".join(f"{e.row}:{e.column}:{e.message}" for e in report.errors)


def refused(data: bytes, name: str):
    """Import the file for real; it must be refused and write nothing."""
    report = import_clients(data, name, None, dry_run=False)
    assert report.refused and not report.applied
    assert nothing_written()
    return report


def test_excel_in_spanish_writes_windows_1252_with_semicolons(app):
    rows = sample_rows(2, nombre_fantasia="Panadería Ñandú", localidad="San Martín")
    report = import_clients(csv_bytes(rows, "cp1252", ";"), "clientes.csv", None, dry_run=False)
    assert report.created == 2, messages(report)
    names = db.session.scalars(sa.select(Client.trade_name)).all()
    assert names == ["Panadería Ñandú", "Panadería Ñandú"]


def test_a_utf8_csv_with_commas_and_no_bom_is_read(app):
    report = import_clients(csv_bytes(sample_rows(2), "utf-8", ","), "c.csv", None, dry_run=True)
    assert (report.created, report.error_count) == (2, 0), messages(report)


def test_headers_match_whatever_their_accents_case_and_spacing(app):
    rows = [{"  Código ": "A1", "RAZÓN SOCIAL": "Kiosco Uno", "Número de documento": ""}]
    report = import_clients(csv_bytes(rows), "c.csv", None, dry_run=False)
    assert report.created == 1, messages(report)
    assert db.session.scalar(sa.select(Client.legal_name)) == "Kiosco Uno"


def test_something_that_is_not_a_spreadsheet_is_refused(app):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
    report = refused(png, "foto.png")
    assert "no es un CSV ni una planilla XLSX" in messages(report)
    report = refused(b"PK\x03\x04 not really a zip", "roto.xlsx")
    assert "No pudimos leer la planilla" in messages(report)


def test_an_empty_file_and_a_file_with_only_its_header_are_refused(app):
    assert "El archivo está vacío" in messages(refused(b"", "vacio.csv"))
    assert "El archivo está vacío" in messages(refused(b"\xef\xbb\xbf\r\n;;\r\n", "vacio.csv"))
    header_only = csv_bytes([], header=["codigo", "razon_social"])
    assert "no tiene filas" in messages(refused(header_only, "c.csv"))


def test_a_password_protected_workbook_is_recognised(app):
    # Office encrypts a workbook into an OLE compound file holding an "EncryptedPackage" stream.
    ole = OLE_MAGIC + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    report = refused(ole, "clientes.xlsx")
    assert "protegida con contraseña" in messages(report)
    assert "Guardá la planilla como .xlsx" in messages(refused(OLE_MAGIC + b"\x00" * 600, "a.xls"))


def test_wrong_headers_name_the_missing_and_the_unknown_columns(app):
    data = csv_bytes([{"cliente": "A1", "nombre del cliente": "Kiosco"}])
    text = messages(refused(data, "c.csv"))
    assert "Falta la columna razon_social" in text
    assert "Falta la columna codigo" in text
    assert "No reconocemos estas columnas: cliente, nombre del cliente" in text


def test_an_unknown_extra_column_is_reported_but_does_not_stop_the_import(app):
    rows = [{"codigo": "A1", "razon_social": "Kiosco", "observaciones": "paga bien"}]
    report = import_clients(csv_bytes(rows), "c.csv", None, dry_run=False)
    assert report.created == 1 and report.ignored_columns == ["observaciones"]


def test_bytes_that_are_neither_utf8_nor_windows_1252_are_refused(app):
    data = "codigo;razon_social\r\nA1;Café".encode() + b"\x81\x8d\r\n"
    assert "codificación" in messages(refused(data, "c.csv"))


def test_formulas_in_a_workbook_are_refused_cell_by_cell(app):
    rows = sample_rows(2)

    def add_formula(sheet):
        sheet["B3"] = '=CONCATENATE("Kiosco ";A3)'

    report = refused(xlsx_bytes(rows, edit=add_formula), "c.xlsx")
    assert report.error_count == 1
    error = report.errors[0]
    assert (error.row, error.column) == (3, "razon_social")
    assert "fórmula" in error.message


def test_merged_cells_are_refused_with_where_they_are(app):
    def merge(sheet):
        sheet.merge_cells("B2:C2")

    report = refused(xlsx_bytes(sample_rows(2), edit=merge), "c.xlsx")
    assert "celdas combinadas (B2)" in messages(report)


def test_a_thousand_bad_rows_are_all_counted_and_nothing_is_written(app):
    rows = sample_rows(1200, numero_documento="30-11111111-1")
    report = refused(csv_bytes(rows), "c.csv")
    assert report.error_count >= 1200 and report.skipped == 1200
    assert len(report.errors) == 1000
    assert {e.column for e in report.errors} == {"numero_documento"}
