"""The import page (check, then confirm) and the export links of the client list."""

import io
import re

import pytest
import sqlalchemy as sa

from app.clients.models import Client
from app.extensions import db
from tests import factories
from tests.clients.import_files import csv_bytes, sample_rows
from tests.conftest import csrf_from


@pytest.fixture(autouse=True)
def uploads_folder(app, tmp_path, monkeypatch):
    """Uploads wait in the test's own folder."""
    monkeypatch.setitem(app.config, "CLIENT_IMPORTS_DIR", str(tmp_path))
    return tmp_path


def upload(browser, data: bytes, name: str = "clientes.csv"):
    """Send a file to the check step."""
    token = csrf_from(browser.get("/clients/import").get_data(as_text=True))
    return browser.client.post(
        "/clients/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def confirm(browser, page: str, mode: str):
    """Press a button of the confirm step."""
    upload_id = re.search(r'name="upload" value="([^"]+)"', page).group(1)
    return browser.client.post(
        "/clients/import/confirm",
        data={"csrf_token": csrf_from(page), "upload": upload_id, "filename": "clientes.csv",
              "mode": mode},
    )  # fmt: skip


def live_clients() -> int:
    """How many clients the database holds."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Client))


def test_the_back_office_checks_then_imports_a_file(login_as, uploads_folder):
    office = login_as("backoffice")
    page = upload(office, csv_bytes(sample_rows(3))).get_data(as_text=True)
    assert "Se crearían" in page and "Importar todo" in page
    assert live_clients() == 0
    done = confirm(office, page, "all")
    assert done.status_code == 200
    assert "Importación lista" in done.get_data(as_text=True)
    assert live_clients() == 3
    assert not list(uploads_folder.iterdir())  # an imported file is not kept


def test_a_file_with_bad_rows_offers_only_the_valid_ones(login_as):
    office = login_as("admin")
    rows = sample_rows(3)
    rows[1]["numero_documento"] = "30-11111111-1"
    page = upload(office, csv_bytes(rows)).get_data(as_text=True)
    assert "Fila" in page and "numero_documento" in page
    assert "Importar todo" not in page and "Importar solo las 2 filas válidas" in page
    done = confirm(office, page, "valid")
    assert done.status_code == 200 and live_clients() == 2


def test_a_bad_file_is_refused_on_the_page(login_as):
    office = login_as("backoffice")
    response = upload(office, b"\x00\x01\x02 not a spreadsheet", "foto.png")
    assert response.status_code == 422
    assert "No se importó nada" in response.get_data(as_text=True)


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
