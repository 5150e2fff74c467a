"""Every route declares who may use it, and each role gets exactly what the table grants."""

import pytest

from app.auth.models import Role
from app.auth.permissions import PERMISSIONS, permission_of
from tests.conftest import csrf_from

ROLES = [role.value for role in Role]


def pages_without_arguments(app) -> list[tuple[str, str]]:
    """(endpoint, path) of every GET route that takes no URL arguments."""
    return sorted(
        (rule.endpoint, rule.rule)
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    )


def test_every_view_declares_a_permission(app):
    undeclared = []
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        try:
            action = permission_of(view)
        except LookupError:
            undeclared.append(endpoint)
            continue
        assert action is None or action in PERMISSIONS, endpoint
    assert undeclared == [], f"views without a permission rule: {undeclared}"


def test_anonymous_users_reach_only_public_pages(app, client):
    for endpoint, path in pages_without_arguments(app):
        action = permission_of(app.view_functions[endpoint])
        response = client.get(path)
        if action is None:
            assert response.status_code == 200, path
        elif path.startswith("/api/"):
            assert response.status_code == 401, path
            assert response.json["error"]["code"] == "unauthorized"
        else:
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/login"), path


# A value for every URL argument name; a new route with a new argument fails here until
# it gets one, so no route escapes the walk.
SAMPLE_ARGS = {
    "client_id": 0,
    "row_id": 0,
    "user_id": 0,
    "attribute_id": 0,
    "family_id": 0,
    "document_id": 0,
    "application_id": 0,
    "notice_id": 0,
    "order_id": 0,
    "request_id": 0,
    "step": "dispatched",
    "receipt_id": 0,
    "product_id": 0,
    "price_id": 0,
    "discount_id": 0,
    "price_list_id": 0,
    "promotion_id": 0,
    "condition_id": 0,
    "action": "trash",
    "part": "contacts",
    "kind": "zones",
    "job_id": 0,
    "file_id": 0,
    "fmt": "csv",
    "jurisdiction_id": 0,
    "case_id": 0,
    "photo_id": 0,
    "section": "month",
}
SKIPPED = {"static", "auth.logout"}  # files; signing out is tested on its own


def every_request(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) for every rule and method of the app."""
    requests = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED:
            continue
        path = rule.build({name: SAMPLE_ARGS[name] for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            requests.append((rule.endpoint, method, path))
    return sorted(requests)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_table_grants_on_every_route(app, login_as, role):
    browser = login_as(role)
    token = csrf_from(browser.get("/account").get_data(as_text=True))
    for endpoint, method, path in every_request(app):
        action = permission_of(app.view_functions[endpoint])
        response = browser.client.open(
            path, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
        )
        where = (role, method, path, response.status_code)
        assert response.status_code < 500, where
        if action is None or Role(role) in PERMISSIONS[action]:
            assert response.status_code not in (401, 403), where
        else:
            assert response.status_code == 403, where
        if response.mimetype == "text/html":
            assert "script-src 'self'" in response.headers["Content-Security-Policy"], where


def test_anonymous_users_are_stopped_on_every_route(app, client):
    # With the sign-in page's CSRF token, so a write is stopped by the sign-in, not by CSRF.
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for endpoint, method, path in every_request(app):
        action = permission_of(app.view_functions[endpoint])
        response = client.open(
            path, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token}
        )
        where = (method, path, response.status_code)
        assert response.status_code < 500, where
        if action is not None and path.startswith("/api/"):
            assert response.status_code == 401, where
        elif action is not None:
            assert response.status_code == 302, where
            assert response.headers["Location"].startswith("/login"), where


def test_an_anonymous_write_without_a_csrf_token_is_refused_before_anything_else(app, client):
    for _endpoint, method, path in every_request(app):
        if method == "GET" or path.startswith("/api/"):
            continue
        response = client.open(path, method=method)
        assert response.status_code == 400, (method, path, response.status_code)


def test_salesperson_cannot_open_the_admin_pages(login_as):
    browser = login_as("salesperson")
    response = browser.get("/admin/users")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "No tenés permiso para ver esta página." in page
    assert "Traceback" not in page
    assert browser.get("/admin/users/new").status_code == 403


def test_navigation_shows_only_what_the_role_may_open(login_as):
    seller_page = login_as("salesperson").get("/clients/").get_data(as_text=True)
    boss_page = login_as("supervisor").get("/clients/").get_data(as_text=True)
    assert "Aprobaciones" not in seller_page
    assert "Aprobaciones" in boss_page
    for label in ("Hoy", "Clientes", "Pedidos", "Cobranzas", "Sincronizar"):
        assert label in seller_page
