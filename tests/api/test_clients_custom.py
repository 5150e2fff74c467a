"""Custom attributes through the clients API: typed, required ones enforced."""

import pytest
import sqlalchemy as sa

from app.clients.models import Client, CustomAttribute
from app.extensions import db
from tests.api.test_clients import api  # noqa: F401  (fixture)


@pytest.fixture
def attributes(app):
    db.session.add_all(
        [
            CustomAttribute(
                name="Día de visita", kind="choice", choices=["Lunes", "Martes"], required=True
            ),
            CustomAttribute(name="Heladeras", kind="number"),
            CustomAttribute(name="Tiene cartel", kind="yes_no"),
        ]
    )
    db.session.commit()


def test_required_custom_attribute_is_enforced_through_the_api(api, attributes):  # noqa: F811
    office = api("backoffice")
    body = {"legal_name": "Gómez S.A."}
    missing = office.post("/api/v1/clients", json=body)
    assert missing.status_code == 422
    assert missing.json["error"]["fields"] == {
        "custom.Día de visita": ["Este campo es obligatorio."]
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Client)) == 0

    custom = {"Día de visita": "Martes", "Heladeras": "2", "Tiene cartel": True}
    created = office.post("/api/v1/clients", json=body | {"custom": custom})
    assert created.status_code == 201, created.json
    assert created.json["custom"] == {
        "Día de visita": "Martes",
        "Heladeras": "2",
        "Tiene cartel": True,
    }


def test_bad_custom_values_are_field_errors(api, attributes):  # noqa: F811
    office = api("backoffice")
    body = {
        "legal_name": "Gómez S.A.",
        "custom": {"Día de visita": "Domingo", "Heladeras": "muchas", "Color": "rojo"},
    }
    response = office.post("/api/v1/clients", json=body)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {
        "custom.Día de visita",
        "custom.Heladeras",
        "custom.Color",
    }


def test_patch_changes_only_the_custom_values_sent(api, attributes):  # noqa: F811
    office = api("backoffice")
    created = office.post(
        "/api/v1/clients",
        json={"legal_name": "Gómez S.A.", "custom": {"Día de visita": "Lunes", "Heladeras": 1}},
    ).json
    url = f"/api/v1/clients/{created['id']}"
    changed = office.patch(url, json={"custom": {"Tiene cartel": False}})
    assert changed.status_code == 200, changed.json
    assert changed.json["custom"] == {
        "Día de visita": "Lunes",
        "Heladeras": "1",
        "Tiene cartel": False,
    }
    cleared = office.patch(url, json={"custom": {"Día de visita": None}})
    assert cleared.status_code == 422
