"""The office uploads a jurisdiction's IIBB registry (TXT or ZIP, over the usual body limit);
a background job imports it and its page reports what it did."""

import io
import zipfile

from app.extensions import db
from app.jobs.models import Job
from tests.conftest import csrf_from
from tests.taxes.test_rates_import import MALFORMED, arba, count_rates, registry_lines


def _upload(browser, name: str, data: bytes, jurisdiction_id):
    token = csrf_from(browser.get("/taxes/iibb").get_data(as_text=True))
    return browser.client.post(
        "/taxes/iibb",
        data={
            "csrf_token": token,
            "jurisdiction_id": str(jurisdiction_id),
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def test_an_uploaded_registry_is_imported_by_a_job_whose_page_reports_it(app, login_as):
    jurisdiction = arba()
    office = login_as("backoffice")
    text = "".join(registry_lines(30)) + MALFORMED["bad CUIT"] + "\r\n"
    response = _upload(office, "PadronRGSPer122026.txt", text.encode("latin-1"), jurisdiction.id)
    assert response.status_code == 303 and "/jobs/" in response.location
    assert count_rates() == 30
    page = office.get(response.location).get_data(as_text=True)
    assert "Padrón de IIBB: Buenos Aires" in page and "Terminada" in page
    assert "Alícuotas importadas" in page and "<strong>30</strong>" in page
    assert "Línea 31:" in page  # the malformed line, by number
    assert "01/12/2026 – 31/12/2026" in page


def test_a_zip_as_arba_publishes_it_is_read(app, login_as):
    jurisdiction = arba()
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("PadronRGSPer122026.txt", "".join(registry_lines(12)))
    response = _upload(
        login_as("admin"), "PadronRGSPer122026.zip", packed.getvalue(), jurisdiction.id
    )
    assert response.status_code == 303
    assert count_rates() == 12


def test_a_registry_over_the_usual_body_limit_is_taken(app, login_as, monkeypatch):
    jurisdiction = arba()
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2_000)
    data = "".join(registry_lines(200)).encode("latin-1")
    assert len(data) > 2_000
    response = _upload(login_as("backoffice"), "padron.txt", data, jurisdiction.id)
    assert response.status_code == 303 and count_rates() == 200
    monkeypatch.setitem(app.config, "MAX_UPLOAD_LENGTH", 2_000)
    refused = _upload(login_as("backoffice"), "padron.txt", data, jurisdiction.id)
    assert refused.status_code == 413


def test_a_file_that_is_not_a_registry_fails_its_job_and_keeps_the_rates(app, login_as):
    jurisdiction = arba()
    office = login_as("backoffice")
    _upload(office, "bueno.txt", "".join(registry_lines(5)).encode(), jurisdiction.id)
    response = _upload(office, "planilla.txt", b"codigo;nombre\nC1;Kiosco\n", jurisdiction.id)
    page = office.get(response.location).get_data(as_text=True)
    assert "Falló" in page and "no tiene ninguna línea del padrón" in page
    assert count_rates() == 5


def test_bad_uploads_are_refused_on_the_form_and_start_nothing(app, login_as):
    jurisdiction = arba()
    office = login_as("backoffice")
    no_file = _upload(office, "", b"", jurisdiction.id)
    assert no_file.status_code == 422
    assert "Elegí el archivo del padrón" in no_file.get_data(as_text=True)
    wrong_kind = _upload(office, "padron.xlsx", b"PK\x03\x04", jurisdiction.id)
    assert "TXT o ZIP" in wrong_kind.get_data(as_text=True)
    no_place = _upload(office, "padron.txt", b"x", 999)
    assert "Elegí la jurisdicción" in no_place.get_data(as_text=True)
    assert db.session.query(Job).count() == 0


def test_only_the_office_uploads_registries(app, login_as):
    for role in ("supervisor", "salesperson", "collector"):
        assert login_as(role).get("/taxes/iibb").status_code == 403
