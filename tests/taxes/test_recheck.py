"""An existing client's tax data checked again against the padrón (the local fake registry):
the differences field by field, and only the chosen ones applied, with an audit row."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from app.taxes import padron, recheck
from app.taxes.fake_registry import INACTIVE, REGISTERED
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)
from tests.conftest import csrf_from


def stale_client(**fields):
    """DISTRIBUIDORA EL SOL S.A. as the card had it years ago."""
    client = factories.make_client(
        **{
            "tax_id": REGISTERED,
            "kind": "company",
            "legal_name": "Distribuidora El Sol SRL",
            "iva_condition": "Monotributo",
            "street": "Av. Corrientes 1234 3° B",
            "city": "Ciudad Autónoma Buenos Aires",
            "province": "Ciudad Autónoma de Buenos Aires",
            "postal_code": "1043",
            "phone": "011 4321-0000",
        }
        | fields
    )
    db.session.commit()
    return client


def audit_actions(client_id: int) -> list[str]:
    return db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.entity_type == "client", AuditEntry.entity_id == str(client_id))
        .order_by(AuditEntry.id)
    ).all()


def test_the_differences_are_listed_field_by_field(registry):
    client = stale_client()
    person = padron.lookup(client.tax_id)

    found = {d.field: (d.current, d.registry) for d in recheck.differences(client, person)}

    assert found == {
        "legal_name": ("Distribuidora El Sol SRL", "DISTRIBUIDORA EL SOL S.A."),
        "iva_condition": ("Monotributo", "Responsable Inscripto"),
        "activity": (None, "VENTA AL POR MAYOR DE PRODUCTOS LACTEOS"),
        "street": ("Av. Corrientes 1234 3° B", "AV CORRIENTES 1234 Piso:3 Dpto:B"),
    }  # same city, province (AFIP's spelling) and postal code are no difference


def test_only_the_chosen_differences_are_applied_with_an_audit_row(registry):
    client = stale_client()
    person = padron.lookup(client.tax_id)

    changed = recheck.apply_differences(client, person, ["legal_name", "iva_condition", "phone"])
    db.session.commit()

    assert changed == ["iva_condition", "legal_name"]
    db.session.expire_all()
    assert client.legal_name == "DISTRIBUIDORA EL SOL S.A."
    assert client.iva_condition == "Responsable Inscripto"
    assert client.street == "Av. Corrientes 1234 3° B" and client.phone == "011 4321-0000"
    assert audit_actions(client.id) == ["client.update", "client.padron_recheck"]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "client.update"))
    assert entry.before == {
        "legal_name": "Distribuidora El Sol SRL",
        "iva_condition": "Monotributo",
    }


def test_a_province_in_afips_spelling_is_stored_as_the_card_writes_it(registry):
    client = stale_client(province="Santa Fe")
    person = padron.lookup(client.tax_id)
    recheck.apply_differences(client, person, ["province"])
    assert client.province == "Ciudad Autónoma de Buenos Aires"


def test_the_page_shows_the_differences_and_applies_the_checked_ones(registry, login_as):
    client = stale_client()
    office = login_as("backoffice")
    card = office.get(f"/clients/{client.id}").get_data(as_text=True)
    assert (
        f"/taxes/clients/{client.id}/padron" in card and "Consultar de nuevo en el padrón" in card
    )

    page = office.get(f"/taxes/clients/{client.id}/padron").get_data(as_text=True)
    assert "Razón social" in page and "DISTRIBUIDORA EL SOL S.A." in page
    assert "Condición frente al IVA" in page and "Responsable Inscripto" in page
    assert "Código postal" not in page  # the same on both sides

    response = office.client.post(
        f"/taxes/clients/{client.id}/padron",
        data={"csrf_token": csrf_from(page), "field": ["iva_condition", "street"]},
    )
    assert response.status_code == 303 and response.location.endswith(f"/clients/{client.id}")
    db.session.expire_all()
    assert client.iva_condition == "Responsable Inscripto"
    assert client.street == "AV CORRIENTES 1234 Piso:3 Dpto:B"
    assert client.legal_name == "Distribuidora El Sol SRL"  # not chosen
    assert "Se copiaron 2 datos del padrón." in office.get(response.location).get_data(as_text=True)
    assert audit_actions(client.id)[-1] == "client.padron_recheck"


def test_choosing_nothing_changes_nothing(registry, login_as):
    client = stale_client()
    office = login_as("backoffice")
    page = office.get(f"/taxes/clients/{client.id}/padron").get_data(as_text=True)
    response = office.client.post(
        f"/taxes/clients/{client.id}/padron", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 422
    assert "Elegí al menos un dato" in response.get_data(as_text=True)
    assert audit_actions(client.id) == []


def test_a_card_that_matches_says_so(registry, login_as):
    client = stale_client(
        legal_name="DISTRIBUIDORA EL SOL S.A.",
        iva_condition="Responsable Inscripto",
        activity="Venta al por mayor de productos lácteos",
        street="AV CORRIENTES 1234 Piso:3 Dpto:B",
    )
    page = login_as("admin").get(f"/taxes/clients/{client.id}/padron").get_data(as_text=True)
    assert "La ficha coincide con el padrón" in page


def test_registry_errors_are_shown_and_change_nothing(registry, login_as):
    client = stale_client(tax_id=INACTIVE)
    page = login_as("backoffice").get(f"/taxes/clients/{client.id}/padron").get_data(as_text=True)
    assert "INACTIVO" in page
    dni = factories.make_client(tax_id_type="DNI", tax_id="30123456")
    db.session.commit()
    page = login_as("backoffice").get(f"/taxes/clients/{dni.id}/padron").get_data(as_text=True)
    assert "no tiene un CUIT o CUIL" in page


def test_salespeople_may_not_recheck(registry, login_as):
    client = stale_client()
    assert login_as("salesperson").get(f"/taxes/clients/{client.id}/padron").status_code == 403


# --- the API -----------------------------------------------------------------------------------


@pytest.fixture
def office_api(registry, api):  # noqa: F811
    return api("backoffice")


def test_the_api_lists_the_differences(office_api):
    client = stale_client()
    answer = office_api.get(f"/api/v1/clients/{client.id}/padron")
    assert answer.status_code == 200, answer.json
    assert answer.json["cuit"] == REGISTERED and answer.json["changed"] == []
    fields = {d["field"]: d["registry"] for d in answer.json["differences"]}
    assert fields["iva_condition"] == "Responsable Inscripto"
    assert set(fields) == {"legal_name", "iva_condition", "activity", "street"}


def test_the_api_applies_the_chosen_fields_once_per_key(office_api):
    client = stale_client()
    body = {"fields": ["legal_name"]}
    path = f"/api/v1/clients/{client.id}/padron"
    answer = office_api.post(path, json=body, key="recheck-0001")
    again = office_api.post(path, json=body, key="recheck-0001")
    assert answer.status_code == 200, answer.json
    assert answer.json["changed"] == ["legal_name"]
    assert "legal_name" not in {d["field"] for d in answer.json["differences"]}
    assert again.json == answer.json
    db.session.expire_all()
    assert client.legal_name == "DISTRIBUIDORA EL SOL S.A."
    assert audit_actions(client.id) == ["client.update", "client.padron_recheck"]


def test_the_api_refuses_bad_fields_and_clients_without_a_cuit(office_api):
    client = stale_client()
    path = f"/api/v1/clients/{client.id}/padron"
    for body in ({"fields": []}, {"fields": ["phone"]}, {}):
        answer = office_api.post(path, json=body)
        assert answer.status_code == 422
        assert any(name.startswith("fields") for name in answer.json["error"]["fields"])
    dni = factories.make_client(tax_id_type="DNI", tax_id="30123456")
    db.session.commit()
    answer = office_api.get(f"/api/v1/clients/{dni.id}/padron")
    assert answer.status_code == 422 and "tax_id" in answer.json["error"]["fields"]
    assert audit_actions(client.id) == []


def test_the_api_says_when_the_registry_is_not_there(office_api, app, monkeypatch):
    client = stale_client()
    monkeypatch.setitem(app.config, "AFIP_CERT_PATH", "")
    answer = office_api.get(f"/api/v1/clients/{client.id}/padron")
    assert answer.status_code == 424
    assert answer.json["error"]["code"] == "registry_unavailable"
