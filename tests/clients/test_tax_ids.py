"""Tax ids on the client card and in the API: checked, stored compact, shown formatted, unique
unless the card is a branch; the invoice letter each client gets."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Client
from app.core.types import utcnow
from app.extensions import db
from app.taxes.rules import RG_5003_LEGEND
from tests import factories

CARD = {
    "code": "C900001",
    "kind": "company",
    "legal_name": "Núñez Hermanos S.R.L.",
    "trade_name": "Autoservicio Núñez",
    "tax_id_type": "CUIT",
    "tax_id": "20-12345678-6",
    "country": "AR",
    "state": "active",
    "currency": "ARS",
    "iva_condition": "Responsable Inscripto",
    "delivery_note_copies": "1",
    "invoice_copies": "1",
}
DUPLICATE = (
    "Ya existe el cliente C000123 (Almacén X) con ese CUIT. Marcá la ficha como sucursal si "
    "corresponde."
)
WRONG_DIGIT = "El CUIT no es válido: el dígito verificador no coincide."


@pytest.fixture
def office(login_as):
    return login_as("backoffice")


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def by_code(code: str) -> Client:
    db.session.expire_all()
    return db.session.scalar(sa.select(Client).where(Client.code == code))


def make_main(**fields) -> Client:
    """Almacén X, C000123, CUIT 20-12345678-6."""
    values = {"code": "C000123", "trade_name": "Almacén X", "tax_id": "20123456786"}
    main = factories.make_client(**(values | fields))
    db.session.commit()
    return main


# --- the card form -------------------------------------------------------------------------


def test_a_cuit_with_dashes_is_stored_compact_and_shown_formatted(office):
    response = office.submit("/clients/new", **CARD)
    assert response.status_code == 303, response.get_data(as_text=True)
    client = by_code("C900001")
    assert client.tax_id == "20123456786"
    card = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "CUIT 20-12345678-6" in card
    form = office.get(f"/clients/{client.id}/edit").get_data(as_text=True)
    assert 'value="20-12345678-6"' in form
    found = office.get("/clients/?q=20-12345678-6").get_data(as_text=True)
    assert "Autoservicio Núñez" in found


def test_a_wrong_check_digit_is_a_spanish_field_error_and_nothing_is_written(office):
    response = office.submit("/clients/new", **(CARD | {"tax_id": "20-12345678-7"}))
    assert response.status_code == 422
    assert WRONG_DIGIT in response.get_data(as_text=True)
    assert count(Client) == 0
    assert count(AuditEntry) == 0


def test_a_chilean_rut_with_k_is_accepted(office):
    chile = CARD | {"tax_id_type": "RUT_CL", "tax_id": "60.803.000-k", "country": "CL"}
    response = office.submit("/clients/new", **(chile | {"iva_condition": ""}))
    assert response.status_code == 303, response.get_data(as_text=True)
    client = by_code("C900001")
    assert client.tax_id == "60803000K"
    assert "60.803.000-K" in office.get(f"/clients/{client.id}").get_data(as_text=True)
    wrong = office.submit("/clients/new", **(chile | {"code": "C900002", "tax_id": "60803000-1"}))
    assert wrong.status_code == 422
    assert "El RUT de Chile no es válido" in wrong.get_data(as_text=True)


def test_a_duplicate_tax_id_is_refused_naming_the_client_that_has_it(office):
    make_main()
    response = office.submit("/clients/new", **CARD)
    assert response.status_code == 422
    assert DUPLICATE in response.get_data(as_text=True)
    assert count(Client) == 1
    # the same person's number as a CUIL is the same identity
    as_cuil = office.submit("/clients/new", **(CARD | {"tax_id_type": "CUIL"}))
    assert as_cuil.status_code == 422
    assert "Ya existe el cliente C000123 (Almacén X) con ese CUIL." in as_cuil.get_data(
        as_text=True
    )


def test_a_branch_may_share_the_tax_id_of_its_main_client(office):
    main = make_main()
    response = office.submit("/clients/new", **(CARD | {"branch_of_code": "C000123"}))
    assert response.status_code == 303, response.get_data(as_text=True)
    branch = by_code("C900001")
    assert branch.branch_of_id == main.id
    assert branch.tax_id == main.tax_id
    card = office.get(f"/clients/{branch.id}").get_data(as_text=True)
    assert "Sucursal de" in card and "C000123 · Almacén X" in card
    main_card = office.get(f"/clients/{main.id}").get_data(as_text=True)
    assert "Sucursales" in main_card and "C900001 · Autoservicio Núñez" in main_card
    # a second branch of the same main client, and the main client edited, are fine
    second = CARD | {"code": "C900002", "branch_of_code": "C000123"}
    assert office.submit("/clients/new", **second).status_code == 303
    edit = office.submit(f"/clients/{branch.id}/edit", **(CARD | {"branch_of_code": "C000123"}))
    assert edit.status_code == 303
    form = office.get(f"/clients/{branch.id}/edit").get_data(as_text=True)
    assert 'value="C000123"' in form


def test_a_branch_cannot_leave_its_main_client_while_it_shares_the_tax_id(office):
    make_main()
    office.submit("/clients/new", **(CARD | {"branch_of_code": "C000123"}))
    branch = by_code("C900001")
    response = office.submit(f"/clients/{branch.id}/edit", **CARD)
    assert response.status_code == 422
    assert DUPLICATE in response.get_data(as_text=True)
    assert by_code("C900001").branch_of_id is not None


def test_the_main_client_must_exist_be_live_and_not_be_a_branch(office):
    main = make_main()
    unknown = office.submit("/clients/new", **(CARD | {"branch_of_code": "C999999"}))
    assert unknown.status_code == 422
    assert "No existe un cliente con ese código." in unknown.get_data(as_text=True)

    factories.make_client(code="C000124", branch_of_id=main.id, tax_id=main.tax_id)
    db.session.commit()
    of_a_branch = office.submit("/clients/new", **(CARD | {"branch_of_code": "C000124"}))
    assert of_a_branch.status_code == 422
    assert "El cliente C000124 es una sucursal: indicá su cliente principal, C000123." in (
        of_a_branch.get_data(as_text=True)
    )

    main_with_branches = office.submit(
        f"/clients/{main.id}/edit",
        **(CARD | {"code": "C000123", "tax_id": main.tax_id, "branch_of_code": "C000124"}),
    )
    assert main_with_branches.status_code == 422

    itself = office.submit(
        f"/clients/{main.id}/edit",
        **(CARD | {"code": "C000123", "tax_id": main.tax_id, "branch_of_code": "C000123"}),
    )
    assert itself.status_code == 422
    assert "Una ficha no puede ser sucursal de sí misma." in itself.get_data(as_text=True)


def test_a_client_in_the_trash_does_not_hold_its_tax_id(office):
    main = make_main()
    main.deleted_at = utcnow()
    db.session.commit()
    response = office.submit("/clients/new", **CARD)
    assert response.status_code == 303, response.get_data(as_text=True)
    # ... but it cannot come back while another client has that number
    restore = office.submit("/clients/trash", f"/clients/{main.id}/restore")
    assert restore.status_code == 303
    trash = office.get(restore.headers["Location"]).get_data(as_text=True)
    assert (
        "No se puede restaurar: el cliente C900001 (Autoservicio Núñez) tiene el mismo CUIT."
        in (trash)
    )
    assert by_code("C000123").deleted_at is not None


def test_a_number_stored_before_the_checks_does_not_block_other_changes(office):
    legacy = factories.make_client(tax_id="20123456787", trade_name="Kiosco Viejo")
    db.session.commit()
    data = CARD | {
        "code": legacy.code,
        "legal_name": legacy.legal_name,
        "trade_name": "Kiosco Nuevo",
        "tax_id": "20123456787",
    }
    assert office.submit(f"/clients/{legacy.id}/edit", **data).status_code == 303
    assert by_code(legacy.code).trade_name == "Kiosco Nuevo"
    changed = office.submit(f"/clients/{legacy.id}/edit", **(data | {"tax_id": "20123456788"}))
    assert changed.status_code == 422
    assert WRONG_DIGIT in changed.get_data(as_text=True)


@pytest.mark.parametrize(
    ("condition", "letter"),
    [
        ("Responsable Inscripto", "Factura A"),
        ("Monotributo", "Factura A"),
        ("Consumidor Final", "Factura B"),
        ("Exento", "Factura B"),
        ("Cliente del Exterior", "Factura E"),
    ],
)
def test_the_card_shows_the_invoice_letter(office, condition, letter):
    client = factories.make_client(iva_condition=condition)
    db.session.commit()
    card = office.get(f"/clients/{client.id}").get_data(as_text=True)
    assert f"<strong>{letter}</strong>" in card
    assert (RG_5003_LEGEND in card) == (condition == "Monotributo")


def test_a_monotributo_company_issues_c(office, app, monkeypatch):
    monkeypatch.setitem(app.config, "COMPANY_IVA_CONDITION", "Monotributo")
    client = factories.make_client(iva_condition="Responsable Inscripto")
    db.session.commit()
    card = office.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "<strong>Factura C</strong>" in card
    assert RG_5003_LEGEND not in card


def test_no_letter_without_an_iva_condition(office):
    client = factories.make_client(iva_condition=None)
    db.session.commit()
    assert "Factura" not in office.get(f"/clients/{client.id}").get_data(as_text=True)


# --- the API -------------------------------------------------------------------------------


@pytest.fixture
def api(app):
    """A back-office API caller: (method, path, json) -> response."""
    user = factories.make_user("backoffice")
    db.session.commit()
    http = app.test_client()
    token = http.post(
        "/api/v1/auth/token", json={"username": user.username, "password": factories.PASSWORD}
    ).json["token"]

    def send(method: str, path: str, json=None):
        return http.open(
            path, method=method, json=json, headers={"Authorization": f"Bearer {token}"}
        )

    return send


BODY = {"legal_name": "Núñez Hermanos S.R.L.", "tax_id": "20-12345678-6"}


def test_api_stores_compact_and_answers_formatted_with_the_letter(api):
    response = api("POST", "/api/v1/clients", BODY | {"iva_condition": "Monotributo"})
    assert response.status_code == 201, response.json
    assert response.json["tax_id"] == "20123456786"
    assert response.json["tax_id_formatted"] == "20-12345678-6"
    assert response.json["invoice_letter"] == "A"
    assert response.json["branch_of_id"] is None
    chile = api(
        "POST",
        "/api/v1/clients",
        {"legal_name": "SII", "tax_id_type": "RUT_CL", "tax_id": "60803000k"},
    )
    assert chile.status_code == 201, chile.json
    assert (chile.json["tax_id"], chile.json["tax_id_formatted"]) == ("60803000K", "60.803.000-K")
    assert chile.json["invoice_letter"] is None


@pytest.mark.parametrize(
    ("condition", "letter"),
    [("Responsable Inscripto", "A"), ("Consumidor Final", "B"), ("Cliente del Exterior", "E")],
)
def test_api_answers_the_invoice_letter(api, condition, letter):
    client = factories.make_client(iva_condition=condition)
    db.session.commit()
    assert api("GET", f"/api/v1/clients/{client.id}").json["invoice_letter"] == letter


def test_api_refuses_a_wrong_check_digit_and_writes_nothing(api):
    response = api("POST", "/api/v1/clients", BODY | {"tax_id": "20-12345678-7"})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"tax_id": [WRONG_DIGIT]}
    assert count(Client) == 0


def test_api_refuses_a_duplicate_unless_it_is_a_branch(api):
    main = make_main()
    response = api("POST", "/api/v1/clients", BODY)
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"tax_id": [DUPLICATE]}
    branch = api("POST", "/api/v1/clients", BODY | {"branch_of_id": main.id})
    assert branch.status_code == 201, branch.json
    assert branch.json["branch_of_id"] == main.id
    leave = api("PATCH", f"/api/v1/clients/{branch.json['id']}", {"branch_of_id": None})
    assert leave.status_code == 422
    assert leave.json["error"]["fields"] == {"tax_id": [DUPLICATE]}


@pytest.mark.parametrize(
    ("branch_of_id", "message"), [(987654, "No existe ese cliente."), (10**20, "No existe.")]
)
def test_api_main_client_must_exist(api, branch_of_id, message):
    response = api("POST", "/api/v1/clients", BODY | {"branch_of_id": branch_of_id})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"branch_of_id": [message]}


def test_api_patch_of_other_fields_keeps_a_number_stored_before_the_checks(api):
    legacy = factories.make_client(tax_id="20123456787")
    db.session.commit()
    response = api("PATCH", f"/api/v1/clients/{legacy.id}", {"phone": "011 4555-0000"})
    assert response.status_code == 200, response.json
    assert response.json["tax_id_formatted"] == "20123456787"
    wrong = api("PATCH", f"/api/v1/clients/{legacy.id}", {"tax_id": "20123456788"})
    assert wrong.status_code == 422


def test_api_restore_is_refused_while_another_client_has_the_tax_id(api):
    main = make_main()
    assert api("DELETE", f"/api/v1/clients/{main.id}").status_code == 204
    assert api("POST", "/api/v1/clients", BODY).status_code == 201
    response = api("POST", f"/api/v1/clients/{main.id}/restore")
    assert response.status_code == 422
    assert "tax_id" in response.json["error"]["fields"]
