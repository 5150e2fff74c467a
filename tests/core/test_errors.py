"""Errors: a friendly Spanish page or a JSON body, never a stack trace."""

import pytest

from app import create_app
from app.auth.permissions import public
from tests.conftest import app_config


@pytest.fixture
def crashing_app(tmp_path):
    app = create_app(app_config(f"sqlite:///{tmp_path / 'x.db'}") | {"TESTING": False})

    @app.get("/boom")
    @public
    def boom():
        raise ZeroDivisionError("secret detail")

    @app.get("/api/v1/boom")
    @public
    def api_boom():
        raise ZeroDivisionError("secret detail")

    @app.get("/undeclared")
    def undeclared():
        return "should never be shown"

    return app


def test_unknown_page_is_a_spanish_404(client):
    response = client.get("/no-existe")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Página no encontrada" in page
    assert "No encontramos lo que buscabas." in page


def test_a_crash_shows_a_plain_page_without_the_trace(crashing_app):
    response = crashing_app.test_client().get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Algo salió mal de nuestro lado." in page
    assert "secret detail" not in page and "Traceback" not in page


def test_a_crash_in_the_api_is_a_json_500(crashing_app):
    response = crashing_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json["error"]["code"] == "server_error"
    assert "secret detail" not in response.get_data(as_text=True)


def test_a_route_that_declares_no_permission_is_refused(crashing_app):
    response = crashing_app.test_client().get("/undeclared")
    assert response.status_code == 403
    assert "should never be shown" not in response.get_data(as_text=True)


def test_a_nul_character_in_a_form_is_refused_before_it_reaches_the_database(browser):
    from tests.conftest import csrf_from

    token = csrf_from(browser.get("/login").get_data(as_text=True))
    response = browser.client.post(
        "/login", data={"csrf_token": token, "username": "a\x00", "password": "x"}
    )
    assert response.status_code == 400
    assert "El texto contiene caracteres no válidos." in response.get_data(as_text=True)
    assert browser.get("/clients/?q=a%00b").status_code == 400


def test_ids_past_the_integer_range_are_404_for_every_method(login_as):
    office = login_as("backoffice")
    huge = "/api/v1/clients/340694769112459776"
    assert office.client.get(huge).status_code == 404
    assert office.get("/clients/340694769112459776/edit").status_code == 404
