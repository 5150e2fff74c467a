"""POST /api/v1/clients by a salesperson or supervisor: a prospect registered at the door."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.clients.models import Address, Client, ClientNote
from app.extensions import db
from tests import factories
from tests.api.test_clients import api, audit_rows, count  # noqa: F401  (fixture)

URL = "/api/v1/clients"
CUIT = "20-12345678-6"
AT_THE_DOOR = {
    "trade_name": "Almacén La Esquina",
    "legal_name": "Pérez, Juan",
    "tax_id": CUIT,
    "mobile": "11 5555-1234",
    "email": "laesquina@example.com",
    "street": "Av. Maipú 1234",
    "city": "Vicente López",
    "province": "Buenos Aires",
    "latitude": -34.527714,
    "longitude": -58.476329,
    "note": "Atiende el dueño de 8 a 12; pide lista de precios.",
}


def test_a_salesperson_registers_a_prospect_of_their_own(api):  # noqa: F811
    seller = api("salesperson")
    answer = seller.post(URL, json=AT_THE_DOOR)
    assert answer.status_code == 201, answer.json
    client = db.session.get(Client, answer.json["id"])
    assert answer.json["state"] == client.state == "potential"
    assert answer.json["salesperson_id"] == client.salesperson_id == seller.user.id
    assert answer.json["code"] == client.code == "C000001"
    assert answer.json["tax_id"] == "20123456786"
    assert answer.headers["Location"] == f"{URL}/{client.id}"
    assert (client.trade_name, client.legal_name) == ("Almacén La Esquina", "Pérez, Juan")
    assert (client.street, client.city, client.province) == (
        "Av. Maipú 1234",
        "Vicente López",
        "Buenos Aires",
    )
    assert client.collector_id is None and client.credit_policy_id is None

    address = db.session.scalars(sa.select(Address).where(Address.client_id == client.id)).one()
    assert address.kind == "fiscal" and address.street == "Av. Maipú 1234"
    assert (address.latitude, address.longitude) == (Decimal("-34.527714"), Decimal("-58.476329"))
    note = db.session.scalars(sa.select(ClientNote).where(ClientNote.client_id == client.id)).one()
    assert note.text == AT_THE_DOOR["note"] and note.author_id == seller.user.id

    [created] = audit_rows("client.create")
    assert created.entity_id == str(client.id) and created.actor_id == seller.user.id
    assert created.after["state"] == "potential"
    assert created.after["salesperson_id"] == seller.user.id
    assert len(audit_rows("client.addresses.create")) == 1
    assert len(audit_rows("client.note")) == 1
    # The card's main address and the fiscal one are the same: no second change is logged.
    assert audit_rows("client.update") == []


def test_the_trade_name_is_enough_and_it_names_the_card(api):  # noqa: F811
    seller = api("salesperson")
    answer = seller.post(URL, json={"trade_name": "Kiosco Sin Papeles", "state": "potential"})
    assert answer.status_code == 201, answer.json
    assert answer.json["legal_name"] == "Kiosco Sin Papeles"
    assert answer.json["tax_id"] is None
    assert count(Address) == 0 and count(ClientNote) == 0


def test_a_supervisor_registers_one_for_themselves(api):  # noqa: F811
    boss = api("supervisor")
    answer = boss.post(URL, json={"trade_name": "Maxikiosco 24 h", "salesperson_id": boss.user.id})
    assert answer.status_code == 201, answer.json
    assert answer.json["salesperson_id"] == boss.user.id
    assert answer.json["state"] == "potential"
    assert boss.get(f"{URL}/{answer.json['id']}").status_code == 200


OFFICE_ONLY = "Solo el back office puede cargar este dato."


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"state": "active"}, "state", "Solo podés registrar prospectos."),
        ({"credit_policy_id": 1}, "credit_policy_id", OFFICE_ONLY),
        ({"price_list_id": 1}, "price_list_id", OFFICE_ONLY),
        ({"code": "X1"}, "code", OFFICE_ONLY),
        ({"custom": {"horario": "8 a 12"}}, "custom", OFFICE_ONLY),
        ({"whatever": 1}, "whatever", "Campo desconocido."),
        ({"trade_name": "  "}, "trade_name", "Este campo es obligatorio."),
        (
            {"tax_id": "20-12345678-7"},
            "tax_id",
            "El CUIT no es válido: el dígito verificador no coincide.",
        ),
    ],
)
def test_what_only_the_office_fills_or_bad_input_is_refused_and_nothing_written(
    api,  # noqa: F811
    extra,
    field,
    message,
):
    seller = api("salesperson")
    answer = seller.post(URL, json=AT_THE_DOOR | extra)
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["fields"][field] == [message]
    assert count(Client) == count(Address) == count(ClientNote) == 0
    assert audit_rows("client.create") == []


def test_another_salesperson_id_is_refused(api):  # noqa: F811
    seller = api("salesperson")
    other = factories.make_user("salesperson")
    db.session.commit()
    answer = seller.post(URL, json=AT_THE_DOOR | {"salesperson_id": other.id})
    assert answer.status_code == 422
    assert answer.json["error"]["fields"] == {"salesperson_id": [OFFICE_ONLY]}
    assert count(Client) == 0


def test_a_tax_id_of_a_client_of_theirs_names_it(api):  # noqa: F811
    seller = api("salesperson")
    factories.make_client(
        code="1234",
        trade_name="Almacén Don Pepe",
        tax_id="20123456786",
        salesperson_id=seller.user.id,
    )
    db.session.commit()
    answer = seller.post(URL, json=AT_THE_DOOR)
    assert answer.status_code == 422
    assert answer.json["error"]["fields"] == {
        "tax_id": ["Ya existe un cliente con ese CUIT: 1234 Almacén Don Pepe."]
    }
    assert count(Client) == 1


def test_a_tax_id_of_a_client_out_of_reach_does_not_name_it(api):  # noqa: F811
    seller = api("salesperson")
    factories.make_client(
        trade_name="Almacén Ajeno",
        tax_id="20123456786",
        salesperson_id=factories.make_user("salesperson").id,
    )
    db.session.commit()
    # Typed as a CUIL, the same person's number is the same taxpayer.
    answer = seller.post(URL, json=AT_THE_DOOR | {"tax_id_type": "CUIL"})
    assert answer.status_code == 422
    [message] = answer.json["error"]["fields"]["tax_id"]
    assert message == (
        "Ya existe un cliente con ese CUIL en otra cartera; pedí al back office que te lo asigne."
    )
    assert "Ajeno" not in answer.get_data(as_text=True)
    assert count(Client) == 1


def test_a_tax_id_in_the_trash_is_free_again(api):  # noqa: F811
    seller = api("salesperson")
    gone = factories.make_client(tax_id="20123456786")
    gone.deleted_at = gone.created_at
    db.session.commit()
    assert seller.post(URL, json=AT_THE_DOOR).status_code == 201


def test_an_idempotency_key_registers_the_prospect_once(api):  # noqa: F811
    seller = api("salesperson")
    first = seller.post(URL, json=AT_THE_DOOR, key="ph-prospect-0001")
    again = seller.post(URL, json=AT_THE_DOOR, key="ph-prospect-0001")
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(Client) == 1 and count(Address) == 1 and count(ClientNote) == 1
    assert len(audit_rows("client.create")) == 1
    other_body = seller.post(URL, json=AT_THE_DOOR | {"city": "Olivos"}, key="ph-prospect-0001")
    assert other_body.status_code == 422
    assert count(Client) == 1


def test_a_collector_may_not_register_prospects(api):  # noqa: F811
    collector = api("collector")
    answer = collector.post(URL, json={"trade_name": "Kiosco"})
    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "forbidden"
    assert count(Client) == 0


def test_the_back_office_still_creates_full_clients(api):  # noqa: F811
    office = api("backoffice")
    seller = factories.make_user("salesperson")
    db.session.commit()
    body = {"legal_name": "Gómez S.A.", "state": "active", "salesperson_id": seller.id}
    answer = office.post(URL, json=body)
    assert answer.status_code == 201, answer.json
    assert answer.json["state"] == "active" and answer.json["salesperson_id"] == seller.id
    refused = office.post(URL, json={"legal_name": "Con nota", "note": "no es del card"})
    assert refused.json["error"]["fields"] == {"note": ["Campo desconocido."]}


def test_the_prospect_shows_in_the_office_list_filtered_by_state_and_is_activated(api):  # noqa: F811
    seller = api("salesperson")
    office = api("backoffice")
    created = seller.post(URL, json=AT_THE_DOOR).json
    factories.make_client(trade_name="Cliente Activo")
    db.session.commit()

    listed = office.get(f"{URL}?state=potential").json["items"]
    assert [item["id"] for item in listed] == [created["id"]]
    activated = office.patch(f"{URL}/{created['id']}", json={"state": "active"})
    assert activated.status_code == 200 and activated.json["state"] == "active"
    notes = db.session.scalars(sa.select(ClientNote.text).where(ClientNote.automatic)).all()
    assert notes == ["Cliente activado."]


def test_openapi_documents_the_prospect_body(client):
    spec = client.get("/api/v1/openapi.json").json
    prospect = spec["components"]["schemas"]["Prospect"]
    assert prospect["required"] == ["trade_name"]
    assert {"trade_name", "tax_id", "latitude", "longitude", "note", "state"} <= set(
        prospect["properties"]
    )
    assert "credit_policy_id" not in prospect["properties"]
    operation = spec["paths"]["/clients"]["post"]
    assert "Prospect" in operation["requestBody"]["description"]
    assert "403" in operation["responses"]
