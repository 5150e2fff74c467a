"""The AFIP registry lookup over real HTTP against the fake registry: protocol, caches, errors."""

import json
from pathlib import Path

import pytest

from app import create_app
from app.taxes import padron
from app.taxes.fake_registry import (
    BROKEN,
    EXEMPT,
    FINAL_CONSUMER,
    INACTIVE,
    MONOTRIBUTO,
    REGISTERED,
    REGISTERED_WITHOUT_STATES,
    SLOW,
    UNKNOWN,
    make_certificate,
)
from app.taxes.padron import iva_condition_from_taxes, parse_persona
from tests.conftest import app_config

HX = {"HX-Request": "true"}
ANSWERS = Path(__file__).parent / "answers"


# --- the IVA condition -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("taxes", "category", "expected"),
    [
        ([(30, "AC"), (10, "AC")], None, "Responsable Inscripto"),
        ([(30, "BD"), (20, "AC")], None, "Monotributo"),
        ([], "A", "Monotributo"),
        ([(32, "AC")], None, "Exento"),
        ([(30, "EX")], None, "Exento"),
        ([(30, "BD"), (32, "BD")], None, "Consumidor Final"),
        ([(20, "BD"), (30, "AC")], None, "Responsable Inscripto"),
        ([], None, "Consumidor Final"),
        # A5 answers may list the taxes a person is registered in without a state.
        ([(11, ""), (30, ""), (936, "")], None, "Responsable Inscripto"),
        ([(20, "")], None, "Monotributo"),
        ([(32, "")], None, "Exento"),
        ([(30, "BD"), (20, "")], None, "Monotributo"),
    ],
)
def test_iva_condition_counts_only_active_taxes(taxes, category, expected):
    assert iva_condition_from_taxes(taxes, category) == expected


def test_a5_answer_without_tax_states_is_a_responsable_inscripto():
    """A recorded A5 shape: taxes listed without estadoImpuesto, plus errorMonotributo."""
    content = (ANSWERS / "a5_registered_without_states.xml").read_bytes()
    person = parse_persona(content, "20254789632")
    assert person.iva_condition == "Responsable Inscripto"
    assert person.active_taxes == (11, 30, 936)
    assert (person.last_name, person.first_name) == ("FERREYRA", "RAUL ALBERTO")
    assert [a.code for a in person.activities] == ["471900", "463212"]
    assert person.monotributo_category is None
    assert person.warnings == (
        "No cumple con las condiciones para enviar datos monotributo: Datos de monotributo "
        "incompletos- no posee categoría",
    )


# --- the lookup over HTTP --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cuit", "kind", "legal_name", "iva", "province"),
    [
        ("30-71234567-1", "company", "DISTRIBUIDORA EL SOL S.A.", "Responsable Inscripto",
         "CIUDAD AUTONOMA BUENOS AIRES"),
        ("27 31234567 1", "person", "GOMEZ MARIA JOSE", "Monotributo", "BUENOS AIRES"),
        (EXEMPT, "company", "ASOCIACION CIVIL CLUB ATLETICO VILLA DEL PARQUE", "Exento",
         "CORDOBA"),
        (FINAL_CONSUMER, "person", "PEREZ JUAN CARLOS", "Consumidor Final", "SANTA FE"),
    ],
)  # fmt: skip
def test_each_kind_of_taxpayer_is_read(registry, cuit, kind, legal_name, iva, province):
    person = padron.lookup(cuit)
    assert (person.kind, person.legal_name, person.iva_condition) == (kind, legal_name, iva)
    assert person.province == province
    assert person.key_state == "ACTIVO"
    assert registry.calls == {"wsaa": 1, "padron": 1}


def test_company_details(registry):
    person = padron.lookup(REGISTERED)
    assert person.street == "AV CORRIENTES 1234 Piso:3 Dpto:B"
    assert person.postal_code == "1043"
    assert (person.last_name, person.first_name) == (None, None)
    assert person.active_taxes == (10, 30, 301)  # MONOTRIBUTO dropped (BD) is not active
    assert [a.code for a in person.activities] == ["463121", "464991"]


def test_monotributo_person_details(registry):
    person = padron.lookup(MONOTRIBUTO)
    assert (person.last_name, person.first_name) == ("GOMEZ", "MARIA JOSE")
    assert person.monotributo_category == "D LOCACIONES DE SERVICIO"
    assert person.activities[0].description == "VENTA AL POR MENOR DE FIAMBRES Y EMBUTIDOS"


def test_error_constancia_is_kept_as_a_warning(registry):
    person = padron.lookup(FINAL_CONSUMER)
    assert "baja de oficio" in person.warnings[0]


def test_taxes_without_a_state_count_as_registered(registry):
    person = padron.lookup(REGISTERED_WITHOUT_STATES)
    assert person.iva_condition == "Responsable Inscripto"
    assert person.active_taxes == (11, 30, 936)
    assert person.warnings == (
        "No cumple con las condiciones para enviar datos monotributo: Datos de monotributo "
        "incompletos- no posee categoría",
    )


def test_error_regimen_general_is_kept_as_a_warning(registry):
    person = padron.lookup(MONOTRIBUTO)
    assert person.iva_condition == "Monotributo"
    assert person.warnings == (
        "No cumple con las condiciones para enviar datos del régimen general: No registra "
        "impuestos activos en el régimen general",
    )


def test_unknown_cuit(registry):
    with pytest.raises(padron.PersonNotFound) as caught:
        padron.lookup(UNKNOWN)
    assert str(caught.value) == "El CUIT 20999999999 no figura en el padrón de AFIP."
    assert registry.calls["padron"] == 1  # a SOAP fault is an answer, not retried


def test_inactive_key_is_refused(registry):
    with pytest.raises(padron.InactiveKey) as caught:
        padron.lookup(INACTIVE)
    assert "INACTIVO" in str(caught.value)


def test_slow_registry_times_out_once(registry):
    with pytest.raises(padron.RegistryUnavailable) as caught:
        padron.lookup(SLOW)
    assert "no respondió a tiempo" in str(caught.value)
    assert registry.calls["padron"] == 1


def test_server_error_is_retried_then_reported(registry):
    with pytest.raises(padron.RegistryUnavailable) as caught:
        padron.lookup(BROKEN)
    assert "no está disponible" in str(caught.value)
    assert registry.calls["padron"] == 1 + padron.RETRIES


def test_registry_down(registry, app, monkeypatch):
    monkeypatch.setitem(app.config, "AFIP_WSAA_URL", "http://127.0.0.1:9/ws/services/LoginCms")
    with pytest.raises(padron.RegistryUnavailable):
        padron.lookup(REGISTERED)


def test_ticket_is_reused_until_it_expires(registry):
    padron.lookup(REGISTERED)
    padron.lookup(MONOTRIBUTO)
    assert registry.calls == {"wsaa": 1, "padron": 2}


def test_expired_ticket_is_renewed(registry, tmp_path):
    padron.lookup(REGISTERED)
    ticket_file = next((tmp_path / "afip").glob("ticket-*.json"))
    stale = json.loads(ticket_file.read_text()) | {"expires": "2020-01-01T00:00:00-03:00"}
    ticket_file.write_text(json.dumps(stale))
    padron.lookup(MONOTRIBUTO)
    assert registry.calls["wsaa"] == 2


def test_same_cuit_is_not_asked_twice(registry):
    first = padron.lookup(REGISTERED)
    assert padron.lookup("30-71234567-1") == first
    assert registry.calls == {"wsaa": 1, "padron": 1}


def test_result_cache_expires(registry, app, monkeypatch):
    monkeypatch.setitem(app.config, "PADRON_CACHE_SECONDS", 0)
    padron.lookup(REGISTERED)
    padron.lookup(REGISTERED)
    assert registry.calls["padron"] == 2


def test_invalid_cuit_is_refused_without_asking(registry):
    with pytest.raises(padron.InvalidCuit) as caught:
        padron.lookup("30-71234567-2")
    assert "dígito verificador" in str(caught.value)
    assert registry.calls == {"wsaa": 0, "padron": 0}


def test_signature_by_another_certificate_is_refused(registry, app, tmp_path, monkeypatch):
    other_cert, other_key = make_certificate(tmp_path / "other")
    monkeypatch.setitem(app.config, "AFIP_CERT_PATH", str(other_cert))
    monkeypatch.setitem(app.config, "AFIP_KEY_PATH", str(other_key))
    with pytest.raises(padron.RegistryUnavailable) as caught:
        padron.lookup(REGISTERED)
    assert "no autorizó" in str(caught.value)
    assert registry.calls == {"wsaa": 1, "padron": 0}


def test_missing_certificate(registry, app, monkeypatch):
    monkeypatch.setitem(app.config, "AFIP_CERT_PATH", "")
    with pytest.raises(padron.NotConfigured):
        padron.lookup(REGISTERED)
    assert registry.calls["wsaa"] == 0


# --- the endpoint ----------------------------------------------------------------------------


def test_fragment_fills_the_new_client_form(registry, login_as):
    response = login_as("backoffice").get("/taxes/padron?tax_id=30-71234567-1", headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in page
    assert "HX-Request" in response.headers["Vary"]
    assert 'id="legal_name"' in page and 'value="DISTRIBUIDORA EL SOL S.A."' in page
    assert page.count('hx-swap-oob="true"') == 12
    assert 'value="30-71234567-1"' in page
    assert '<option selected value="Responsable Inscripto">' in page
    assert 'value="1043"' in page


def test_fragment_fills_only_the_prospects_short_form(registry, login_as):
    response = login_as("salesperson").get(
        "/taxes/padron?form=prospect&tax_id=30-71234567-1", headers=HX
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('hx-swap-oob="true"') == 6
    for name in ("legal_name", "tax_id_type", "tax_id", "street", "city", "province"):
        assert f'id="{name}"' in page, name
    for name in ("kind", "activity", "postal_code", "iva_condition", "first_name"):
        assert f'id="{name}"' not in page, name
    assert 'value="DISTRIBUIDORA EL SOL S.A."' in page


def test_fragment_shows_the_registry_warnings(registry, login_as):
    response = login_as("backoffice").get(
        f"/taxes/padron?tax_id={REGISTERED_WITHOUT_STATES}", headers=HX
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<option selected value="Responsable Inscripto">' in page
    assert "No cumple con las condiciones para enviar datos monotributo" in page


def test_fragment_error_changes_nothing_else(registry, login_as):
    response = login_as("backoffice").get(f"/taxes/padron?tax_id={UNKNOWN}", headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "no figura en el padrón de AFIP" in page
    assert "hx-swap-oob" not in page


def test_fragment_refuses_an_invalid_cuit(registry, login_as):
    response = login_as("backoffice").get("/taxes/padron?tax_id=123", headers=HX)
    assert response.status_code == 422
    assert "El CUIT no es válido" in response.get_data(as_text=True)
    assert registry.calls == {"wsaa": 0, "padron": 0}


def test_page_without_htmx_shows_the_result(registry, login_as):
    response = login_as("salesperson").get(f"/taxes/padron?tax_id={MONOTRIBUTO}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in page and "GOMEZ MARIA JOSE" in page and "Monotributo" in page


def test_collector_may_not_look_up(registry, login_as):
    response = login_as("collector").get(f"/taxes/padron?tax_id={REGISTERED}", headers=HX)
    assert response.status_code == 403
    assert registry.calls["padron"] == 0


def test_new_client_form_has_the_button(login_as):
    page = login_as("backoffice").get("/clients/new").get_data(as_text=True)
    assert "Buscar en padrón" in page
    assert 'hx-get="/taxes/padron"' in page


# --- the fake registry's command -------------------------------------------------------------


def test_production_app_has_no_fake_registry_command(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    production = create_app(app_config(f"sqlite:///{tmp_path / 'p.db'}") | {"TESTING": False})
    assert not production.debug and not production.testing
    result = production.test_cli_runner().invoke(args=["fake-registry", "--help"])
    assert result.exit_code == 2
    assert "No such command 'fake-registry'" in result.output


def test_development_and_test_apps_have_the_fake_registry_command(app, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    development = create_app(app_config(f"sqlite:///{tmp_path / 'd.db'}") | {"TESTING": False})
    for each in (development, app):
        result = each.test_cli_runner().invoke(args=["fake-registry", "--help"])
        assert result.exit_code == 0, result.output
        assert "Serve a fake AFIP" in result.output
