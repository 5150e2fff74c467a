"""GET /api/v1/clients/{id}/notices: the notices in force for a client, for phones and the ERP."""

from app.extensions import db
from app.notices import services
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)
from tests.notices.conftest import days, make_notice


def test_the_notices_in_force_come_most_pressing_first_with_the_callers_seen_mark(api):  # noqa: F811
    seller = api("salesperson")
    zone = factories.make_zone(code="Z01", name="Zona Norte")
    client = factories.make_client(salesperson_id=seller.user.id, sales_zone_id=zone.id)
    info = make_notice(client, message="Pide factura A")
    urgent = make_notice(zone, "zone", message="Corte de calle", severity="important",
                         valid_to=days(3))  # fmt: skip
    make_notice(client, message="Mañana", valid_from=days(1))
    services.mark_seen(info, seller.user, client)
    db.session.commit()
    answer = seller.get(f"/api/v1/clients/{client.id}/notices")
    assert answer.status_code == 200
    body = answer.json
    assert (body["client_id"], body["on"]) == (client.id, days(0).isoformat())
    first, second = body["items"]
    assert first == {
        "id": urgent.id, "message": "Corte de calle", "severity": "important", "audience": "all",
        "valid_from": days(-1).isoformat(), "valid_to": days(3).isoformat(),
        "target_kind": "zone", "target_id": zone.id, "target": "Zona de venta: Z01 · Zona Norte",
        "seen_at": None,
    }  # fmt: skip
    assert second["id"] == info.id and second["seen_at"] and second["valid_to"] is None
    tomorrow = seller.get(f"/api/v1/clients/{client.id}/notices?on={days(1).isoformat()}")
    assert {n["message"] for n in tomorrow.json["items"]} == {
        "Corte de calle",
        "Pide factura A",
        "Mañana",
    }


def test_out_of_scope_clients_are_404_and_bad_days_are_422(api):  # noqa: F811
    seller = api("salesperson")
    stranger = factories.make_client()
    mine = factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    assert seller.get(f"/api/v1/clients/{stranger.id}/notices").status_code == 404
    answer = seller.get(f"/api/v1/clients/{mine.id}/notices?on=mañana")
    assert answer.status_code == 422
    assert answer.json["error"]["fields"]["on"] == ["Fecha inválida."]


def test_the_operation_is_documented(api):  # noqa: F811
    document = api("backoffice").get("/api/v1/openapi.json").json
    operation = document["paths"]["/clients/{client_id}/notices"]["get"]
    assert {"200", "401", "404", "422"} <= set(operation["responses"])
    assert "Notice" in document["components"]["schemas"]
