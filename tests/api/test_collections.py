"""The collections API: calls and promises, the sheet, receipts in the field."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.collections.models import CollectionCall, FieldReceipt
from app.core.types import local_today
from app.extensions import db
from app.ledger import accounts
from tests import factories
from tests.api.test_clients import api, count  # noqa: F401  (fixture)


def test_a_collector_logs_a_promise_once_per_key(api):  # noqa: F811
    collector = api("collector")
    client = factories.make_client(collector_id=collector.user.id)
    db.session.commit()
    friday = (local_today() + timedelta(days=4)).isoformat()
    body = {
        "client_id": client.id,
        "channel": "phone",
        "outcome": "promise",
        "promise_amount": "50000",
        "promise_date": friday,
        "next_contact_at": friday,
        "notes": "Paga el viernes con transferencia",
    }
    first = collector.post("/api/v1/collection-calls", json=body, key="llamada-0001")
    again = collector.post("/api/v1/collection-calls", json=body, key="llamada-0001")
    assert first.status_code == again.status_code == 201, first.json
    assert first.json["promise_amount"] == "50000.00" and first.json["promise_state"] == "open"
    assert again.get_data() == first.get_data() and count(CollectionCall) == 1
    listed = collector.get(f"/api/v1/collection-calls?client_id={client.id}").json
    assert [c["id"] for c in listed["items"]] == [first.json["id"]]


def test_a_promise_without_amount_or_a_client_out_of_reach_is_refused(api):  # noqa: F811
    collector = api("collector")
    mine = factories.make_client(collector_id=collector.user.id)
    other = factories.make_client()
    db.session.commit()
    answer = collector.post(
        "/api/v1/collection-calls",
        json={"client_id": mine.id, "channel": "phone", "outcome": "promise"},
    )
    assert answer.status_code == 422
    assert set(answer.json["error"]["fields"]) == {"promise_amount", "promise_date"}
    outside = collector.post(
        "/api/v1/collection-calls",
        json={"client_id": other.id, "channel": "visit", "outcome": "paid"},
    )
    assert outside.status_code == 422 and outside.json["error"]["fields"] == {
        "client_id": ["No existe."]
    }
    assert count(CollectionCall) == 0


def test_the_sheet_and_a_field_receipt_confirmed_by_the_office(api):  # noqa: F811
    collector = api("collector")
    office = api("backoffice")
    client = factories.make_client(collector_id=collector.user.id)
    factories.post_document(client, amount="1000", date=local_today() - timedelta(days=45))
    db.session.commit()
    sheet = collector.get("/api/v1/collection-sheet").json
    [zone] = sheet["zones"]
    assert zone["rows"][0]["client_id"] == client.id and zone["rows"][0]["overdue"] == "1000.00"
    answer = collector.post(
        "/api/v1/field-receipts",
        key="cobro-0000001",
        json={
            "client_id": client.id,
            "apply_oldest": True,
            "lines": [
                {
                    "kind": "third_party_check",
                    "amount": "600",
                    "bank": "Banco Nación",
                    "number": "12345678",
                    "due_date": local_today().isoformat(),
                    "drawer": "Juan Pérez",
                    "drawer_tax_id": "20-12345678-6",
                }
            ],
        },
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["state"] == "pending" and answer.json["total"] == "600.00"
    assert accounts.balances(client.id) == {"ARS": Decimal("1000.00")}
    assert collector.post(f"/api/v1/field-receipts/{answer.json['id']}/confirm").status_code == 403
    done = office.post(f"/api/v1/field-receipts/{answer.json['id']}/confirm")
    assert done.status_code == 200 and done.json["state"] == "confirmed", done.json
    db.session.expire_all()
    assert accounts.balances(client.id) == {"ARS": Decimal("400.00")}
    twice = office.post(f"/api/v1/field-receipts/{answer.json['id']}/confirm")
    assert twice.status_code == 422


def test_a_field_receipt_with_a_bad_line_writes_nothing(api):  # noqa: F811
    collector = api("collector")
    client = factories.make_client(collector_id=collector.user.id)
    db.session.commit()
    answer = collector.post(
        "/api/v1/field-receipts",
        json={"client_id": client.id, "number": "1-1", "lines": [{"kind": "cash", "amount": "-5"}]},
    )
    assert answer.status_code == 422
    assert "number" in answer.json["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FieldReceipt)) == 0


FIELD_KINDS_MESSAGE = (
    "En la calle se cobra en efectivo, cheque propio o de terceros, transferencia o "
    "retenciones; las demás formas de pago las carga la oficina."
)


@pytest.mark.parametrize(
    "line",
    [
        {"kind": "card", "amount": "900", "card_plan_id": 1, "number": "4242"},
        {"kind": "own_promissory", "amount": "900", "number": "7", "due_date": "2030-01-31"},
        {"kind": "third_party_promissory", "amount": "900", "number": "8"},
    ],
    ids=lambda line: line["kind"],
)
def test_a_field_receipt_in_a_back_office_kind_is_refused(api, line):  # noqa: F811
    collector = api("collector")
    client = factories.make_client(collector_id=collector.user.id)
    db.session.commit()
    answer = collector.post(
        "/api/v1/field-receipts",
        json={"client_id": client.id, "lines": [{"kind": "cash", "amount": "100"}, line]},
    )
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["fields"] == {"lines.1.kind": [FIELD_KINDS_MESSAGE]}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FieldReceipt)) == 0


def test_a_field_receipt_takes_the_clients_own_check_and_withholdings(api):  # noqa: F811
    collector = api("collector")
    client = factories.make_client(collector_id=collector.user.id)
    db.session.commit()
    lines = [
        {"kind": "cash", "amount": "100"},
        {
            "kind": "own_check",
            "amount": "500",
            "bank": "Banco Galicia",
            "number": "00112233",
            "due_date": (local_today() + timedelta(days=30)).isoformat(),
        },
        {"kind": "withholding", "amount": "25.50", "tax": "iibb", "certificate": "0001-00004567"},
        {"kind": "transfer", "amount": "10", "reference": "TRF-1"},
    ]
    answer = collector.post("/api/v1/field-receipts", json={"client_id": client.id, "lines": lines})
    assert answer.status_code == 201, answer.json
    assert answer.json["total"] == "635.50"
    row = db.session.get(FieldReceipt, answer.json["id"])
    assert [line["kind"] for line in row.data["lines"]] == [
        "cash",
        "own_check",
        "withholding",
        "transfer",
    ]


def test_an_id_that_cannot_exist_is_a_field_error_not_a_crash(api):  # noqa: F811
    collector = api("collector")
    answer = collector.get("/api/v1/collection-calls?client_id=99999999999999999999")
    assert answer.status_code == 422 and answer.json["error"]["fields"] == {
        "client_id": ["No existe."]
    }
    sheet = collector.get("/api/v1/collection-sheet?collector_id=99999999999999999999")
    assert sheet.status_code == 422
