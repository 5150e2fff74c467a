"""The import page (check, then confirm) and the export links of the client list."""

import io
import re

import sqlalchemy as sa

from app.clients.models import Client
from app.clients.transfer import import_clients
from app.extensions import db
from tests import factories
from tests.clients.import_files import csv_bytes, sample_rows
from tests.conftest import csrf_from


def follow(browser, response):
    """The page of the job a form started (the tests run jobs as they start)."""
    assert response.status_code == 303 and "/jobs/" in response.location, response.status_code
    return browser.get(response.location)


def upload(browser, data: bytes, name: str = "clientes.csv"):
    """Send a file to the check step: its job's page."""
    token = csrf_from(browser.get("/clients/import").get_data(as_text=True))
    response = browser.client.post(
        "/clients/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return follow(browser, response)


def confirm(browser, page: str, mode: str):
    """Press a button of the confirm step (on the check's job page): the import's job page."""
    job_id = re.search(r'name="job_id" value="([^"]+)"', page).group(1)
    response = browser.client.post(
        "/clients/import/confirm",
        data={"csrf_token": csrf_from(page), "job_id": job_id, "mode": mode},
    )
    return follow(browser, response)


def live_clients() -> int:
    """How many clients the database holds."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Client))


def test_the_back_office_checks_then_imports_a_file(login_as):
    office = login_as("backoffice")
    page = upload(office, csv_bytes(sample_rows(3))).get_data(as_text=True)
    assert "Verificación de clientes.csv" in page and "Terminada" in page
    assert "Se crearían" in page and "Importar todo" in page
    assert live_clients() == 0
    done = confirm(office, page, "all")
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    assert "Importación de clientes.csv" in html and "Importación lista" in html
    assert "Importar todo" not in html  # nothing left to confirm
    assert live_clients() == 3
    assert (
        office.client.post(
            "/clients/import/confirm",
            data={"csrf_token": csrf_from(page), "job_id": "999999", "mode": "all"},
        ).status_code
        == 422
    )


def test_someone_elses_check_cannot_be_confirmed(login_as):
    office = login_as("backoffice")
    page = upload(office, csv_bytes(sample_rows(2))).get_data(as_text=True)
    job_id = re.search(r'name="job_id" value="([^"]+)"', page).group(1)
    other = login_as("backoffice")
    token = csrf_from(other.get("/clients/import").get_data(as_text=True))
    refused = other.client.post(
        "/clients/import/confirm", data={"csrf_token": token, "job_id": job_id, "mode": "all"}
    )
    assert refused.status_code == 422 and live_clients() == 0


def test_a_file_with_bad_rows_offers_only_the_valid_ones(login_as):
    office = login_as("admin")
    rows = sample_rows(3)
    rows[1]["numero_documento"] = "30-11111111-1"
    page = upload(office, csv_bytes(rows)).get_data(as_text=True)
    assert "Fila" in page and "numero_documento" in page
    assert "Importar todo" not in page and "Importar solo las 2 filas válidas" in page
    done = confirm(office, page, "valid")
    assert done.status_code == 200 and live_clients() == 2
    assert "Importación lista" in done.get_data(as_text=True)


def test_a_bad_file_is_refused_on_its_jobs_page(login_as):
    office = login_as("backoffice")
    response = upload(office, b"\x00\x01\x02 not a spreadsheet", "foto.png")
    html = response.get_data(as_text=True)
    assert "Falló" in html and "No se importó nada" in html
    assert "Importar todo" not in html and live_clients() == 0


def test_a_long_list_is_exported_by_a_job(login_as, monkeypatch):
    from app.clients import transfer_views

    monkeypatch.setattr(transfer_views, "EXPORTED_AT_ONCE", 2)
    office = login_as("backoffice")
    for code in ("E1", "E2", "E3"):
        factories.make_client(code=code)
    db.session.commit()
    page = follow(office, office.get("/clients/export.xlsx")).get_data(as_text=True)
    assert "Exportación de clientes (XLSX)" in page and "Terminada" in page
    link = re.search(r'href="(/jobs/\d+/files/\d+)"', page).group(1)
    data = office.get(link).data
    assert data[:2] == b"PK"
    report = import_clients(data, "clientes.xlsx", None, dry_run=True)
    assert (report.rows, report.unchanged, report.created) == (3, 3, 0)


def test_salespeople_cannot_import(login_as):
    seller = login_as("salesperson")
    assert seller.get("/clients/import").status_code == 403


def test_the_template_downloads(login_as):
    office = login_as("backoffice")
    response = office.get("/clients/import/template.csv")
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip("\ufeff").startswith("codigo;razon_social;")
    assert office.get("/clients/import/template.xlsx").data[:2] == b"PK"


def test_the_export_keeps_the_list_filters_and_the_scope(login_as):
    seller = login_as("salesperson")
    other = factories.make_user("salesperson")
    zone = factories.make_zone()
    factories.make_client(code="MIO1", salesperson_id=seller.user.id, sales_zone_id=zone.id)
    factories.make_client(code="MIO2", salesperson_id=seller.user.id)
    factories.make_client(code="AJENO", salesperson_id=other.id, sales_zone_id=zone.id)
    db.session.commit()
    page = seller.get("/clients/").get_data(as_text=True)
    assert "/clients/export.csv" in page
    text = seller.get(f"/clients/export.csv?sales_zone_id={zone.id}").get_data(as_text=True)
    assert "MIO1" in text and "MIO2" not in text and "AJENO" not in text
    everything = seller.get("/clients/export.csv").get_data(as_text=True)
    assert "MIO2" in everything and "AJENO" not in everything
