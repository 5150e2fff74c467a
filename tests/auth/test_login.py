"""Signing in and out, sessions that survive a browser restart, and the login rate limit."""

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.auth.services import hash_password
from app.extensions import db
from tests import factories
from tests.conftest import Browser, csrf_from


@pytest.fixture
def seller(app):
    user = factories.make_user("salesperson", username="vendedor9", full_name="Martín Acosta")
    db.session.commit()
    return user


def test_anonymous_user_is_sent_to_sign_in_and_brought_back(client):
    response = client.get("/clients/?q=kiosco")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "clients" in response.headers["Location"]


def test_sign_in_shows_the_shell_with_who_is_signed_in(browser, seller):
    response = browser.login("vendedor9")
    assert response.status_code == 303
    page = browser.get("/clients/", follow_redirects=True).get_data(as_text=True)
    assert "Martín Acosta" in page
    assert "Mis clientes" in page


def test_a_full_cost_password_hash_signs_in(app, browser):
    """Test users get a cheap hash (tests/factories.py); real ones get scrypt at full cost."""
    real = hash_password(factories.PASSWORD)
    assert real.startswith("scrypt:32768:8:1$")
    assert not factories.PASSWORD_HASH.startswith("scrypt:32768:")
    factories.make_user("salesperson", username="vendedor8", password_hash=real)
    db.session.commit()
    assert browser.login("vendedor8", "otra-clave").status_code != 303
    assert browser.login("vendedor8").status_code == 303


def test_sign_in_follows_only_local_next_paths(browser, seller):
    token = csrf_from(browser.get("/login").get_data(as_text=True))
    response = browser.client.post(
        "/login?next=//evil.example/x",
        data={"csrf_token": token, "username": "vendedor9", "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_session_cookie_outlives_a_browser_restart(browser, seller):
    response = browser.login("vendedor9")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "Expires=" in session_cookie
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie
    assert any(c.startswith("remember_token=") for c in cookies)


def test_wrong_password_shows_a_spanish_message_and_counts_the_failure(browser, seller):
    response = browser.login("vendedor9", "incorrecta")
    assert response.status_code == 422
    assert "Usuario o contraseña incorrectos." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User.failed_logins).where(User.username == "vendedor9")) == 1
    assert browser.get("/clients/").status_code == 302


def test_missing_fields_are_reported_in_spanish(browser):
    token = csrf_from(browser.get("/login").get_data(as_text=True))
    response = browser.client.post("/login", data={"csrf_token": token})
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("Este campo es obligatorio.") == 2


def test_login_form_without_csrf_token_is_refused(client, seller):
    response = client.post("/login", data={"username": "vendedor9", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "El formulario venció" in response.get_data(as_text=True)
    assert client.get("/clients/").status_code == 302


def test_deactivated_user_cannot_sign_in(browser, seller):
    seller.active = False
    db.session.commit()
    assert browser.login("vendedor9").status_code == 422


def test_five_wrong_passwords_in_a_minute_are_slowed_down(browser, seller):
    for _ in range(5):
        assert browser.login("vendedor9", "incorrecta").status_code == 422
    response = browser.login("vendedor9", factories.PASSWORD)
    assert response.status_code == 429
    assert "Demasiados intentos" in response.get_data(as_text=True)
    assert browser.get("/clients/").status_code == 302


def test_successful_sign_ins_do_not_use_up_the_limit(app, seller):
    for _ in range(7):
        signed_in = Browser(app.test_client())
        assert signed_in.login("vendedor9").status_code == 303


def test_sign_out_ends_the_session(login_as):
    browser = login_as("salesperson")
    response = browser.submit("/account", "/logout")
    assert response.status_code == 303
    assert browser.get("/clients/").status_code == 302


def test_password_change_ends_other_sessions(app, login_as):
    phone = login_as("salesperson")
    desktop = Browser(app.test_client())
    desktop.login(phone.user.username)
    response = phone.submit(
        "/account",
        "/account/password",
        current=factories.PASSWORD,
        new="otra-clave-larga",
        confirm="otra-clave-larga",
    )
    assert response.status_code == 303
    assert phone.get("/clients/").status_code == 200
    assert desktop.get("/clients/").status_code == 302
    assert (
        Browser(app.test_client()).login(phone.user.username, "otra-clave-larga").status_code == 303
    )


def test_password_change_with_wrong_current_password_changes_nothing(app, login_as):
    phone = login_as("salesperson")
    response = phone.submit(
        "/account",
        "/account/password",
        current="no-es",
        new="otra-clave-larga",
        confirm="otra-clave-larga",
    )
    assert response.status_code == 422
    assert "La contraseña actual no es correcta." in response.get_data(as_text=True)
    assert Browser(app.test_client()).login(phone.user.username).status_code == 303


def test_short_new_password_is_refused_in_spanish(login_as):
    phone = login_as("salesperson")
    response = phone.submit(
        "/account", "/account/password", current=factories.PASSWORD, new="corta", confirm="corta"
    )
    assert response.status_code == 422
    assert "Debe tener al menos 8 caracteres." in response.get_data(as_text=True)


def test_ten_wrong_passwords_in_a_row_lock_the_account(app, browser, seller):
    from app.auth import services as auth_services
    from app.core.types import utcnow

    for _ in range(auth_services.LOCKOUT_FAILURES):  # spread over time: the rate limit allows
        assert auth_services.authenticate("vendedor9", "incorrecta") is None
    db.session.commit()
    response = browser.login("vendedor9", factories.PASSWORD)
    assert response.status_code == 422
    assert "Cuenta bloqueada por intentos fallidos." in response.get_data(as_text=True)
    assert browser.get("/clients/").status_code == 302
    locked = db.session.scalar(sa.select(User.locked_until).where(User.username == "vendedor9"))
    assert locked > utcnow()
    token = app.test_client().post(
        "/api/v1/auth/token", json={"username": "vendedor9", "password": factories.PASSWORD}
    )
    assert token.status_code == 423


def test_an_expired_lock_lets_the_right_password_in(browser, seller):
    from datetime import timedelta

    from app.core.types import utcnow

    seller.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert browser.login("vendedor9").status_code == 303
    db.session.expire_all()
    assert db.session.get(User, seller.id).locked_until is None


def test_an_admin_password_reset_unlocks(login_as, seller, app):
    from datetime import timedelta

    from app.core.types import utcnow

    seller.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    admin = login_as("admin")
    response = admin.submit(
        f"/admin/users/{seller.id}",
        username="vendedor9",
        full_name="Martín Acosta",
        role="salesperson",
        supervisor_id="0",
        active="y",
        password="nueva-clave-larga",
    )
    assert response.status_code == 303
    assert Browser(app.test_client()).login("vendedor9", "nueva-clave-larga").status_code == 303
