"""The admin's user pages: create, edit, deactivate; every change audited."""

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.auth.models import ApiToken, User
from app.extensions import db
from tests import factories
from tests.conftest import Browser


def user_named(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def audit_rows(action: str) -> list[AuditEntry]:
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def test_admin_creates_a_user_who_can_sign_in(app, login_as):
    admin = login_as("admin")
    boss = factories.make_user("supervisor", full_name="Carolina Méndez")
    db.session.commit()
    response = admin.submit(
        "/admin/users/new",
        username="vendedor7",
        full_name="Juana Pérez",
        email="juana@example.com",
        role="salesperson",
        supervisor_id=str(boss.id),
        active="y",
        password="una-clave-segura",
    )
    assert response.status_code == 303
    user = user_named("vendedor7")
    assert user.full_name == "Juana Pérez"
    assert user.supervisor_id == boss.id
    assert "una-clave-segura" not in user.password_hash
    [entry] = audit_rows("user.create")
    assert entry.actor_id == admin.user.id
    assert entry.after["username"] == "vendedor7"
    assert "password_hash" not in entry.after
    assert "Juana Pérez" in admin.get("/admin/users").get_data(as_text=True)
    assert Browser(app.test_client()).login("vendedor7", "una-clave-segura").status_code == 303


def test_duplicate_username_is_refused_and_nothing_is_written(login_as):
    admin = login_as("admin")
    factories.make_user("salesperson", username="repetido")
    db.session.commit()
    response = admin.submit(
        "/admin/users/new",
        username="repetido",
        full_name="Otra Persona",
        role="collector",
        supervisor_id="0",
        password="una-clave-segura",
    )
    assert response.status_code == 422
    assert "Ya existe un usuario con ese nombre." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2
    assert audit_rows("user.create") == []


def test_bad_fields_get_spanish_messages(login_as):
    admin = login_as("admin")
    response = admin.submit(
        "/admin/users/new",
        username="Con Espacios",
        full_name="",
        email="no-es-un-correo",
        role="salesperson",
        supervisor_id="0",
        password="corta",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Solo minúsculas, números, punto, guion." in page
    assert "Este campo es obligatorio." in page
    assert "El correo no es válido." in page
    assert "Debe tener al menos 8 caracteres." in page
    assert user_named("Con Espacios") is None


def test_input_is_escaped_when_the_form_is_shown_again(login_as):
    admin = login_as("admin")
    response = admin.submit(
        "/admin/users/new",
        username="x",
        full_name="<script>alert(1)</script>",
        role="salesperson",
        supervisor_id="0",
        password="una-clave-segura",
    )
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_deactivating_a_user_ends_their_sessions_and_tokens(app, login_as):
    admin = login_as("admin")
    seller = login_as("salesperson")
    token = app.test_client().post(
        "/api/v1/auth/token",
        json={"username": seller.user.username, "password": factories.PASSWORD},
    )
    assert token.status_code == 201
    user_id, old_name = seller.user.id, seller.user.full_name
    page = f"/admin/users/{user_id}"
    response = admin.submit(
        page,
        username=seller.user.username,
        full_name="Vendedor Dado de Baja",
        role="salesperson",
        supervisor_id="0",
    )
    assert response.status_code == 303
    assert user_named(seller.user.username).active is False
    assert seller.get("/clients/").status_code == 302
    bearer = {"Authorization": f"Bearer {token.json['token']}"}
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    revoked = db.session.scalar(sa.select(ApiToken.revoked_at).where(ApiToken.user_id == user_id))
    assert revoked is not None
    [entry] = audit_rows("user.update")
    assert entry.before == {"active": True, "full_name": old_name}
    assert entry.after == {"active": False, "full_name": "Vendedor Dado de Baja"}


def test_editing_an_unknown_user_is_404(login_as):
    assert login_as("admin").get("/admin/users/999999").status_code == 404
