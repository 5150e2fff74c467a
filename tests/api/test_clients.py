"""The clients API: scoped list and search, get, create, change, trash and restore."""

import itertools
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.audit.models import AuditEntry
from app.auth.models import User
from app.clients.models import Client
from app.core.types import utcnow
from app.credit.models import CreditPolicy
from app.extensions import db
from tests import factories


@dataclass
class Caller:
    """An API client holding a bearer token."""

    http: FlaskClient
    user: User
    token: str

    def send(self, method: str, path: str, key: str | None = None, **kwargs):
        """Send a request with the token (and an Idempotency-Key when given)."""
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        if key:
            headers["Idempotency-Key"] = key
        return self.http.open(path, method=method, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.send("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.send("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.send("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.send("DELETE", path, **kwargs)


@pytest.fixture
def api(app):
    """Factory: an API caller signed in with a token as a new user of the given role."""

    def make(role: str, **fields) -> Caller:
        user = factories.make_user(role, **fields)
        db.session.commit()
        http = app.test_client()
        response = http.post(
            "/api/v1/auth/token",
            json={"username": user.username, "password": factories.PASSWORD},
        )
        assert response.status_code == 201, response.json
        return Caller(http, user, response.json["token"])

    return make


@pytest.fixture
def office(api):
    return api("backoffice")


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def audit_rows(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def names(response) -> list[str]:
    return [item["display_name"] for item in response.json["items"]]


# --- list and get --------------------------------------------------------------------------


def test_salesperson_lists_only_their_clients(api):
    seller = api("salesperson")
    other = factories.make_user("salesperson")
    factories.make_client(trade_name="Almacén Don José", salesperson_id=seller.user.id)
    factories.make_client(trade_name="Almacén Ajeno", salesperson_id=other.id)
    db.session.commit()

    response = seller.get("/api/v1/clients")
    assert response.status_code == 200
    assert names(response) == ["Almacén Don José"]
    assert response.json["total"] == 1
    assert response.json["next"] is None
    item = response.json["items"][0]
    assert {"id", "code", "legal_name", "trade_name", "tax_id", "state"} <= set(item)
    assert item["credit_blocked"] is False
    assert item["deleted"] is False


def test_search_ignores_case_and_accents(office):
    factories.make_client(legal_name="NUNEZ HNOS S.A.", trade_name=None)
    factories.make_client(legal_name="Pérez y Cía", trade_name=None)
    db.session.commit()
    response = office.get("/api/v1/clients?q=nuñez")
    assert names(response) == ["NUNEZ HNOS S.A."]


def test_pages_link_to_the_next_one_keeping_the_search(office):
    for n in range(3):
        factories.make_client(trade_name=f"Kiosco {n}")
    factories.make_client(trade_name="Almacén")
    db.session.commit()

    first = office.get("/api/v1/clients?q=kiosco&per_page=2&sort=code")
    assert first.json["total"] == 3
    assert names(first) == ["Kiosco 0", "Kiosco 1"]
    assert first.json["next"].startswith("/api/v1/clients?")
    assert "q=kiosco" in first.json["next"] and "page=2" in first.json["next"]

    second = office.get(first.json["next"])
    assert names(second) == ["Kiosco 2"]
    assert second.json["next"] is None


def test_filters_and_bad_query_arguments(office):
    factories.make_client(trade_name="Suspendido", state="suspended")
    factories.make_client(trade_name="Bloqueado", credit_blocked=True)
    db.session.commit()
    assert names(office.get("/api/v1/clients?state=suspended")) == ["Suspendido"]
    assert names(office.get("/api/v1/clients?credit=blocked")) == ["Bloqueado"]
    assert len(office.get("/api/v1/clients?state=&credit=").json["items"]) == 2

    response = office.get("/api/v1/clients?page=0&per_page=500&state=nope&client_type_id=x")
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"page", "per_page", "state", "client_type_id"}


def test_another_salespersons_client_is_a_json_404(api):
    seller = api("salesperson")
    theirs = factories.make_client(salesperson_id=factories.make_user("salesperson").id)
    db.session.commit()
    response = seller.get(f"/api/v1/clients/{theirs.id}")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert seller.get("/api/v1/clients/999999").status_code == 404
    assert seller.get(f"/api/v1/clients/{10**20}").json["error"]["code"] == "not_found"


def test_get_a_client_in_scope(api):
    seller = api("salesperson")
    mine = factories.make_client(salesperson_id=seller.user.id, iva_exemption_pct=10)
    db.session.commit()
    response = seller.get(f"/api/v1/clients/{mine.id}")
    assert response.status_code == 200
    assert response.json["code"] == mine.code
    assert response.json["iva_exemption_pct"] == "10.00"


# --- create --------------------------------------------------------------------------------


def test_create_a_client_with_a_suggested_code(office):
    client_type = factories.make_client_type()
    zone = factories.make_zone()
    seller = factories.make_user("salesperson")
    db.session.commit()
    assert office.get("/api/v1/clients/suggest-code").json == {"code": "C000001"}

    body = {
        "legal_name": "  Núñez Hermanos S.R.L. ",
        "trade_name": "Autoservicio Núñez",
        "tax_id": "30500010912",
        "email": "compras@nunez.com.ar",
        "other_emails": "pagos@nunez.com.ar, dueño@nunez.com.ar",
        "iva_condition": "Responsable Inscripto",
        "iva_exemption_pct": "21.5",
        "cbu": "0170099220000067797370",
        "payment_methods": ["cash", "current_account"],
        "default_payment_method": "cash",
        "client_type_id": client_type.id,
        "sales_zone_id": zone.id,
        "salesperson_id": seller.id,
        "social": {"instagram": "@nunez"},
        "invoice_copies": 2,
    }
    response = office.post("/api/v1/clients", json=body)
    assert response.status_code == 201, response.json
    created = response.json
    assert created["code"] == "C000001"
    assert created["legal_name"] == "Núñez Hermanos S.R.L."
    assert created["display_name"] == "Autoservicio Núñez"
    assert created["iva_exemption_pct"] == "21.50"
    assert created["state"] == "active"
    assert created["deleted"] is False
    assert response.headers["Location"] == f"/api/v1/clients/{created['id']}"

    [entry] = audit_rows("client.create")
    assert entry.entity_id == str(created["id"])
    assert entry.actor_id == office.user.id
    assert entry.after["legal_name"] == "Núñez Hermanos S.R.L."
    assert office.get(f"/api/v1/clients/{created['id']}").json == created


def test_bad_fields_are_a_422_with_spanish_messages_and_nothing_is_written(office):
    body = {
        "code": "con espacios",
        "kind": "robot",
        "email": "no-es-un-correo",
        "other_emails": "bien@ejemplo.com, mal",
        "country": "Argentina",
        "cbu": "123",
        "iva_exemption_pct": "12.345",
        "iva_condition": "Inventada",
        "abc_rating": "D",
        "currency": "EUR",
        "invoice_copies": 12,
        "loyalty_points": -1,
        "credit_blocked": "quizás",
        "payment_methods": ["cash"],
        "default_payment_method": "check",
        "trade_name": "x" * 161,
        "color": "verde",
    }
    response = office.post("/api/v1/clients", json=body)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "invalid"
    fields = error["fields"]
    assert set(fields) == (set(body) - {"payment_methods"}) | {"legal_name"}
    assert fields["legal_name"] == ["Este campo es obligatorio."]
    assert fields["email"] == ["El correo no es válido."]
    assert fields["other_emails"] == ["El correo no es válido."]
    assert fields["trade_name"] == ["Como máximo 160 caracteres."]
    assert fields["invoice_copies"] == ["Entre 0 y 9."]
    assert fields["iva_exemption_pct"] == ["Como máximo dos decimales."]
    assert fields["kind"][0].startswith("Tiene que ser uno de estos valores: company")
    assert fields["color"] == ["Campo desconocido."]
    assert count(Client) == 0
    assert audit_rows("client.create") == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"legal_name": None}, "legal_name"),
        ({"legal_name": "   "}, "legal_name"),
        ({"legal_name": 7}, "legal_name"),
        ({"legal_name": "X", "invoice_copies": "2"}, "invoice_copies"),
        ({"legal_name": "X", "iva_exemption_pct": "NaN"}, "iva_exemption_pct"),
        ({"legal_name": "X", "client_type_id": 10**20}, "client_type_id"),
        ({"legal_name": "X", "payment_methods": "cash"}, "payment_methods"),
        ({"legal_name": "X", "payment_methods": ["bitcoin"]}, "payment_methods"),
        ({"legal_name": "X", "social": {"instagram": 5}}, "social"),
    ],
)
def test_wrong_types_and_empty_values_are_field_errors(office, body, field):
    response = office.post("/api/v1/clients", json=body)
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == [field]
    assert count(Client) == 0


def test_a_body_that_is_not_an_object_is_refused(office):
    response = office.post("/api/v1/clients", json=["legal_name"])
    assert response.status_code == 422
    assert "_body" in response.json["error"]["fields"]


def test_a_repeated_code_is_a_field_error(office):
    factories.make_client(code="C000010")
    db.session.commit()
    response = office.post("/api/v1/clients", json={"code": "C000010", "legal_name": "Otro"})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"code": ["Ya existe un cliente con ese código."]}
    assert count(Client) == 1


def test_unknown_or_unusable_references_are_field_errors_not_500(office):
    retired = factories.make_zone(deleted_at=utcnow())
    admin = factories.make_user("admin")
    db.session.commit()
    body = {
        "legal_name": "Almacén",
        "client_type_id": 999999,
        "sales_zone_id": retired.id,
        "salesperson_id": admin.id,
        "family_id": 0,
    }
    response = office.post("/api/v1/clients", json=body)
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {
        "client_type_id": ["No existe."],
        "sales_zone_id": ["No se puede elegir para este campo."],
        "salesperson_id": ["No se puede elegir para este campo."],
        "family_id": ["No existe."],
    }
    assert count(Client) == 0


# --- change --------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(office):
    client = factories.make_client(
        trade_name="Kiosco Viejo", email="a@b.com", payment_methods=["cash"]
    )
    db.session.commit()
    before = office.get(f"/api/v1/clients/{client.id}").json

    response = office.patch(f"/api/v1/clients/{client.id}", json={"trade_name": "Kiosco Nuevo"})
    assert response.status_code == 200, response.json
    assert response.json == before | {"trade_name": "Kiosco Nuevo", "display_name": "Kiosco Nuevo"}

    [entry] = audit_rows("client.update")
    assert entry.before == {"trade_name": "Kiosco Viejo"}
    assert entry.after == {"trade_name": "Kiosco Nuevo"}

    cleared = office.patch(f"/api/v1/clients/{client.id}", json={"trade_name": " "})
    assert cleared.json["trade_name"] is None
    assert cleared.json["display_name"] == client.legal_name


def test_patch_checks_the_payment_methods_against_the_stored_ones(office):
    client = factories.make_client(payment_methods=["cash"], default_payment_method="cash")
    db.session.commit()
    url = f"/api/v1/clients/{client.id}"
    wrong_default = office.patch(url, json={"default_payment_method": "check"})
    assert set(wrong_default.json["error"]["fields"]) == {"default_payment_method"}
    without_default = office.patch(url, json={"payment_methods": ["check"]})
    assert set(without_default.json["error"]["fields"]) == {"payment_methods"}
    both = office.patch(url, json={"payment_methods": ["check"], "default_payment_method": "check"})
    assert both.status_code == 200
    assert audit_rows("client.update")[0].after == {
        "payment_methods": ["check"],
        "default_payment_method": "check",
    }


def test_patch_may_keep_a_reference_that_was_retired(office):
    zone = factories.make_zone()
    client = factories.make_client(sales_zone_id=zone.id)
    zone.deleted_at = utcnow()
    db.session.commit()
    url = f"/api/v1/clients/{client.id}"
    assert office.patch(url, json={"sales_zone_id": zone.id, "city": "Luján"}).status_code == 200
    assert office.patch(url, json={"sales_zone_id": None}).json["sales_zone_id"] is None
    assert office.patch(url, json={"sales_zone_id": zone.id}).status_code == 422


def test_patch_to_a_repeated_code_is_a_field_error(office):
    factories.make_client(code="C000001")
    client = factories.make_client(code="C000002")
    db.session.commit()
    response = office.patch(f"/api/v1/clients/{client.id}", json={"code": "C000001"})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"code"}
    assert audit_rows("client.update") == []


# --- trash and restore ---------------------------------------------------------------------


def test_delete_sends_to_the_trash_and_restore_brings_back(office):
    client = factories.make_client(trade_name="Despensa Luz")
    db.session.commit()
    url = f"/api/v1/clients/{client.id}"

    response = office.delete(url)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert names(office.get("/api/v1/clients")) == []
    assert office.get(url).json["deleted"] is True
    assert office.delete(url).status_code == 404
    assert office.patch(url, json={"city": "Tandil"}).status_code == 404

    restored = office.post(f"{url}/restore")
    assert restored.status_code == 200
    assert restored.json["deleted"] is False
    assert names(office.get("/api/v1/clients")) == ["Despensa Luz"]
    assert office.post(f"{url}/restore").status_code == 404
    assert [e.action for e in audit_rows("client.trash") + audit_rows("client.restore")] == [
        "client.trash",
        "client.restore",
    ]


def test_a_salesperson_does_not_see_a_trashed_client(api):
    seller = api("salesperson")
    client = factories.make_client(salesperson_id=seller.user.id, deleted_at=utcnow())
    db.session.commit()
    assert seller.get(f"/api/v1/clients/{client.id}").status_code == 404


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        # POST /api/v1/clients registers a prospect: tests/api/test_clients_prospects.py
        ("GET", "/api/v1/clients/suggest-code"),
        ("PATCH", "/api/v1/clients/{id}"),
        ("DELETE", "/api/v1/clients/{id}"),
        ("POST", "/api/v1/clients/{id}/restore"),
    ],
)
def test_a_salesperson_cannot_change_clients(api, method, path):
    seller = api("salesperson")
    own = factories.make_client(salesperson_id=seller.user.id, trade_name="Propio")
    db.session.commit()
    response = seller.send(method, path.format(id=own.id), json={"legal_name": "Cambiado"})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert count(Client) == 1
    db.session.refresh(own)
    assert own.legal_name != "Cambiado" and own.deleted_at is None


def test_anonymous_callers_get_a_json_401(client):
    response = client.get("/api/v1/clients")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


# --- idempotency ---------------------------------------------------------------------------


def test_an_idempotency_key_creates_the_client_once(office):
    body = {"legal_name": "Almacén Único"}
    first = office.post("/api/v1/clients", json=body, key="alta-0001-abcdef")
    again = office.post("/api/v1/clients", json=body, key="alta-0001-abcdef")
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert count(Client) == 1
    assert len(audit_rows("client.create")) == 1


def test_a_refused_create_does_not_use_up_the_key(office):
    key = "alta-0002-abcdef"
    assert office.post("/api/v1/clients", json={}, key=key).status_code == 422
    assert office.post("/api/v1/clients", json={}, key=key).status_code == 422
    assert count(Client) == 0


# --- sale condition ------------------------------------------------------------------------


def test_create_and_patch_with_a_sale_condition(office):
    cash = factories.make_sale_condition(rule_days=0)
    credit = factories.make_sale_condition(rule_days=30)
    db.session.commit()
    response = office.post(
        "/api/v1/clients", json={"legal_name": "Almacén", "sale_condition_id": cash.id}
    )
    assert response.status_code == 201, response.json
    assert response.json["sale_condition_id"] == cash.id
    url = f"/api/v1/clients/{response.json['id']}"
    assert audit_rows("client.create")[0].after["sale_condition_id"] == cash.id

    patched = office.patch(url, json={"sale_condition_id": credit.id})
    assert patched.status_code == 200, patched.json
    assert patched.json["sale_condition_id"] == credit.id
    [entry] = audit_rows("client.update")
    assert (entry.before, entry.after) == (
        {"sale_condition_id": cash.id},
        {"sale_condition_id": credit.id},
    )
    assert office.patch(url, json={"sale_condition_id": None}).json["sale_condition_id"] is None


def test_an_unknown_or_retired_sale_condition_is_a_field_error(office):
    retired = factories.make_sale_condition(deleted_at=utcnow())
    client = factories.make_client()
    db.session.commit()
    url = f"/api/v1/clients/{client.id}"
    for value, message in [
        (999999, "No existe."),
        (retired.id, "No se puede elegir para este campo."),
        (0, "No existe."),
    ]:
        response = office.patch(url, json={"sale_condition_id": value})
        assert response.status_code == 422
        assert response.json["error"]["fields"] == {"sale_condition_id": [message]}
    wrong_type = office.patch(url, json={"sale_condition_id": "3"})
    assert set(wrong_type.json["error"]["fields"]) == {"sale_condition_id"}
    assert audit_rows("client.update") == []


def test_openapi_documents_the_sale_condition(client):
    spec = client.get("/api/v1/openapi.json").json
    field = spec["components"]["schemas"]["Client"]["properties"]["sale_condition_id"]
    assert field["type"] == "integer"
    assert field["nullable"] is True


# --- credit policy -------------------------------------------------------------------------

POLICY_CODES = itertools.count(1)


def make_policy(**fields) -> CreditPolicy:
    policy = CreditPolicy(**({"code": f"P{next(POLICY_CODES)}", "name": "Política"} | fields))
    db.session.add(policy)
    db.session.flush()
    return policy


def test_create_and_patch_with_a_credit_policy(office):
    retail = make_policy(name="Minoristas")
    wholesale = make_policy(name="Mayoristas")
    db.session.commit()
    response = office.post(
        "/api/v1/clients", json={"legal_name": "Almacén", "credit_policy_id": retail.id}
    )
    assert response.status_code == 201, response.json
    assert response.json["credit_policy_id"] == retail.id
    assert audit_rows("client.create")[0].after["credit_policy_id"] == retail.id
    url = f"/api/v1/clients/{response.json['id']}"

    patched = office.patch(url, json={"credit_policy_id": wholesale.id})
    assert patched.status_code == 200, patched.json
    assert patched.json["credit_policy_id"] == wholesale.id
    [entry] = audit_rows("client.update")
    assert (entry.before, entry.after) == (
        {"credit_policy_id": retail.id},
        {"credit_policy_id": wholesale.id},
    )
    assert office.patch(url, json={"credit_policy_id": None}).json["credit_policy_id"] is None
    assert office.get(url).json["credit_policy_id"] is None


def test_an_unknown_or_retired_credit_policy_is_a_field_error(office):
    retired = make_policy(deleted_at=utcnow())
    client = factories.make_client()
    db.session.commit()
    url = f"/api/v1/clients/{client.id}"
    for value, message in [
        (999999, "No existe."),
        (retired.id, "No se puede elegir para este campo."),
        (0, "No existe."),
    ]:
        response = office.patch(url, json={"credit_policy_id": value})
        assert response.status_code == 422
        assert response.json["error"]["fields"] == {"credit_policy_id": [message]}
    for wrong in ("3", 1.5, True):
        response = office.patch(url, json={"credit_policy_id": wrong})
        assert set(response.json["error"]["fields"]) == {"credit_policy_id"}
    assert audit_rows("client.update") == []


def test_a_client_keeps_a_credit_policy_that_was_retired(office):
    policy = make_policy()
    client = factories.make_client(credit_policy_id=policy.id)
    policy.deleted_at = utcnow()
    db.session.commit()
    url = f"/api/v1/clients/{client.id}"
    response = office.patch(url, json={"credit_policy_id": policy.id, "activity": "Kiosco"})
    assert response.status_code == 200, response.json
    assert response.json["credit_policy_id"] == policy.id


def test_openapi_documents_the_credit_policy(client):
    spec = client.get("/api/v1/openapi.json").json
    field = spec["components"]["schemas"]["Client"]["properties"]["credit_policy_id"]
    assert field["type"] == "integer"
    assert field["nullable"] is True


# --- OpenAPI -------------------------------------------------------------------------------


def test_openapi_describes_the_client_paths(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    assert {
        "/clients",
        "/clients/{client_id}",
        "/clients/{client_id}/restore",
        "/clients/suggest-code",
    } <= set(paths)
    assert set(paths["/clients/{client_id}"]) >= {"get", "patch", "delete"}
    for path, method in [
        ("/clients", "post"),
        ("/clients/{client_id}", "patch"),
        ("/clients/{client_id}", "delete"),
        ("/clients/{client_id}/restore", "post"),
    ]:
        operation = paths[path][method]
        assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"]), path
        assert "422" in operation["responses"] or method == "delete"
    client_schema = spec["components"]["schemas"]["Client"]
    assert client_schema["required"] == ["legal_name"]
    assert client_schema["properties"]["state"]["enum"][0] == "active"
    assert "required" not in spec["components"]["schemas"]["ClientPatch"]
    list_params = {p["name"] for p in paths["/clients"]["get"]["parameters"]}
    assert {"q", "page", "per_page", "state", "sort"} <= list_params
