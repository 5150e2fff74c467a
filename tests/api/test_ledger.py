"""The current-account API: documents, receipts, applications, voids, statement and aging."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.core.types import local_today, utcnow
from app.extensions import db
from app.ledger.models import Application, CardIssuer, CardPlan, Document
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)

API = "/api/v1"


@pytest.fixture
def office(api):  # noqa: F811
    return api("backoffice")


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def floats_in(value) -> list:
    """Every float anywhere in a JSON value (money must never be one)."""
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [found for item in value for found in floats_in(item)]
    return []


def days_ago(days: int) -> date:
    return local_today() - timedelta(days=days)


def invoice(client, amount="1000.00", when=None, **fields):
    """An invoice posted through the services, committed for the API to see."""
    document = factories.post_document(client, amount=amount, date=when or local_today(), **fields)
    db.session.commit()
    return document


# --- documents -----------------------------------------------------------------------------


def test_post_an_invoice_in_three_installments_and_read_it_back(office):
    condition = factories.make_sale_condition(rule_days=30, installments=3)
    client = factories.make_client(sale_condition_id=condition.id)
    db.session.commit()
    body = {
        "client_id": client.id,
        "kind": "invoice",
        "letter": "A",
        "number": "1-1234",
        "date": "2026-01-31",
        "amount": "100.00",
        "notes": "Pedido 5521",
    }
    response = office.post(f"{API}/documents", json=body)
    assert response.status_code == 201, response.json
    posted = response.json
    assert posted["number"] == "0001-00001234"
    assert posted["title"] == "FC A 0001-00001234"
    assert (posted["amount"], posted["open_amount"]) == ("100.00", "100.00")
    assert (posted["state"], posted["source"], posted["sign"]) == ("open", "api", 1)
    assert posted["sale_condition_id"] == condition.id
    assert [(p["number"], p["due_date"], p["amount"]) for p in posted["installments"]] == [
        (1, "2026-03-02", "33.33"),
        (2, "2026-04-01", "33.33"),
        (3, "2026-05-01", "33.34"),
    ]
    assert posted["lines"] == [] and posted["applications"] == []
    assert response.headers["Location"] == f"{API}/documents/{posted['id']}"
    assert office.get(response.headers["Location"]).json == posted

    account = office.get(f"{API}/clients/{client.id}/account?as_of=2026-03-10").json
    assert account["balances"] == {"ARS": "100.00"}
    assert [(i["number"], i["installments"], i["days_overdue"]) for i in account["open_items"]] == [
        (1, 3, 8),
        (2, 3, 0),
        (3, 3, 0),
    ]
    assert account["last_sale_date"] == "2026-01-31"
    assert floats_in(account) == [] and floats_in(posted) == []


def test_a_usd_document_keeps_its_rate_and_numbers_are_taken_as_amounts(office):
    client = factories.make_client()
    db.session.commit()
    body = {
        "client_id": client.id,
        "kind": "debit_note",
        "letter": "B",
        "currency": "USD",
        "exchange_rate": "1050.25",
        "amount": 250.5,
    }
    response = office.post(f"{API}/documents", json=body)
    assert response.status_code == 201, response.json
    assert (response.json["currency"], response.json["exchange_rate"]) == ("USD", "1050.250000")
    assert response.json["amount"] == "250.50"
    balances = office.get(f"{API}/clients/{client.id}/account").json["balances"]
    assert balances == {"USD": "250.50"}


def test_bad_documents_are_field_errors_in_spanish_and_nothing_is_written(office):
    client = factories.make_client()
    db.session.commit()
    body = {
        "client_id": client.id,
        "kind": "receipt",
        "letter": "Z",
        "date": "2150-01-01",
        "amount": "10.005",
        "exchange_rate": "abc",
        "sale_condition_id": 10**20,
        "color": "verde",
    }
    response = office.post(f"{API}/documents", json=body)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid"
    fields = response.json["error"]["fields"]
    assert set(fields) == set(body) - {"client_id"}
    assert fields["kind"][0].startswith("Tiene que ser uno de estos valores: invoice")
    assert fields["date"] == ["La fecha está fuera de rango."]
    assert fields["amount"] == ["Como máximo dos decimales."]
    assert fields["exchange_rate"] == ["Tiene que ser un número."]
    assert fields["sale_condition_id"] == ["No existe."]
    assert fields["color"] == ["Campo desconocido."]

    # Sound JSON that the ledger refuses: the services' messages, under the same names.
    refused = office.post(
        f"{API}/documents",
        json={"client_id": client.id, "kind": "invoice", "letter": "A", "currency": "USD",
              "amount": "0.01", "sale_condition_id": 999, "date": "2026-03-02"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {
        "exchange_rate": ["No hay cotización de USD para el 02/03/2026: cargala en Cotizaciones."],
        "sale_condition_id": ["Elegí una condición de venta de la lista."],
    }
    unknown = office.post(
        f"{API}/documents", json={"client_id": 999999, "kind": "invoice", "letter": "A",
                                  "amount": "1"},
    )  # fmt: skip
    assert unknown.json["error"]["fields"] == {"client_id": ["No existe."]}
    assert count(Document) == 0
    assert db.session.scalars(sa.select(AuditEntry)).all() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": None}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "1e400"}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": "1000000000000"}, "amount"),
        ({"client_id": "7"}, "client_id"),
        ({"date": "31/01/2026"}, "date"),
        ({"notes": "x" * 2001}, "notes"),
        ({"number": "1" * 21}, "number"),
        ({"notes": "a\x00b"}, "notes"),
    ],
)
def test_absurd_values_are_field_errors(office, body, field):
    client = factories.make_client()
    db.session.commit()
    base = {"client_id": client.id, "kind": "invoice", "letter": "A", "amount": "10"}
    response = office.post(f"{API}/documents", json=base | body)
    assert response.status_code == 422, response.json
    assert list(response.json["error"]["fields"]) == [field]


def test_a_clients_documents_are_filtered_and_paged(office):
    client = factories.make_client()
    for day in (1, 2, 3):
        factories.post_document(client, amount="10", date=date(2026, 3, day))
    factories.post_document(client, kind="credit_note", amount="5", date=date(2026, 3, 4))
    db.session.commit()
    url = f"{API}/clients/{client.id}/documents"

    first = office.get(f"{url}?kind=invoice&per_page=2&from=2026-03-01").json
    assert [d["date"] for d in first["items"]] == ["2026-03-03", "2026-03-02"]
    assert first["total"] == 3
    assert "kind=invoice" in first["next"] and "page=2" in first["next"]
    second = office.get(first["next"]).json
    assert [d["date"] for d in second["items"]] == ["2026-03-01"]
    assert second["next"] is None

    credit = office.get(f"{url}?kind=credit_note&state=open").json["items"]
    assert [(d["title"], d["sign"]) for d in credit] == [("NC 0001-00000001", -1)]
    assert office.get(f"{url}?to=2026-03-01&kind=").json["total"] == 1
    bad = office.get(f"{url}?from=2026-03-05&to=2026-03-01&page=0&state=nope")
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"page", "state"}
    reversed_range = office.get(f"{url}?from=2026-03-05&to=2026-03-01")
    assert reversed_range.json["error"]["fields"] == {
        "from": ["La fecha inicial es posterior a la final."]
    }


# --- receipts and applications -------------------------------------------------------------


def test_a_receipt_with_cash_and_a_withholding_pays_an_invoice(office):
    client = factories.make_client()
    db.session.commit()
    debt = invoice(client, "1000.00", days_ago(40))
    account = office.get(f"{API}/clients/{client.id}/account").json
    assert account["balances"] == {"ARS": "1000.00"}
    [summary] = account["currencies"]
    assert summary["buckets"]["31_60"] == "1000.00"
    assert (summary["overdue"], summary["open_items"]) == ("1000.00", 1)
    [item] = account["open_items"]
    assert (item["document_id"], item["days_overdue"], item["bucket"]) == (debt.id, 40, "31_60")

    body = {
        "client_id": client.id,
        "lines": [
            {"kind": "cash", "amount": "800"},
            {"kind": "withholding", "amount": "200.00", "tax": "iibb", "certificate": "R-77"},
        ],
        "applications": [{"installment_id": item["installment_id"], "amount": "1000"}],
    }
    response = office.post(f"{API}/receipts", json=body)
    assert response.status_code == 201, response.json
    receipt = response.json
    assert (receipt["kind"], receipt["amount"], receipt["state"]) == ("receipt", "1000.00", "paid")
    assert receipt["open_amount"] == "0.00"
    assert [(line["kind"], line["amount"]) for line in receipt["lines"]] == [
        ("cash", "800.00"),
        ("withholding", "200.00"),
    ]
    assert (receipt["lines"][1]["tax"], receipt["lines"][1]["certificate"]) == ("iibb", "R-77")
    [applied] = receipt["applications"]
    assert (applied["debit_document_id"], applied["amount"], applied["active"]) == (
        debt.id,
        "1000.00",
        True,
    )

    account = office.get(f"{API}/clients/{client.id}/account").json
    assert account["balances"] == {}
    assert account["open_items"] == [] and account["open_credits"] == []
    assert account["last_receipt_date"] == local_today().isoformat()
    assert account["days_to_pay"] == "40.0"
    assert office.get(f"{API}/documents/{debt.id}").json["state"] == "paid"


def test_a_receipt_line_missing_what_its_kind_needs_names_the_row(office):
    client = factories.make_client()
    db.session.commit()
    body = {
        "client_id": client.id,
        "lines": [
            {"kind": "cash", "amount": "10"},
            {"kind": "own_check", "amount": "10.005", "drawer": 5},
            {"kind": "bitcoin", "amount": "1"},
            "efectivo",
        ],
        "apply_oldest": "sí",
    }
    response = office.post(f"{API}/receipts", json=body)
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert set(fields) == {
        "lines.1.amount",
        "lines.1.drawer",
        "lines.2.kind",
        "lines.3",
        "apply_oldest",
    }
    assert fields["lines.1.amount"] == ["Como máximo dos decimales."]
    assert fields["lines.3"] == ["Se esperaba un objeto JSON."]
    assert fields["apply_oldest"] == ["Tiene que ser verdadero o falso."]

    check = {"kind": "own_check", "amount": "10"}
    refused = office.post(f"{API}/receipts", json={"client_id": client.id, "lines": [check]})
    assert refused.json["error"]["fields"] == {
        "lines.0.bank": ["Este dato es obligatorio para cheque propio."],
        "lines.0.number": ["Este dato es obligatorio para cheque propio."],
        "lines.0.due_date": ["Este dato es obligatorio para cheque propio."],
    }
    empty = office.post(f"{API}/receipts", json={"client_id": client.id, "lines": []})
    assert empty.json["error"]["fields"] == {"lines": ["Cargá al menos una forma de pago."]}
    assert count(Document) == 0


def test_a_card_payment_uses_a_plan_and_apply_oldest_pays_by_due_date(office):
    client = factories.make_client()
    issuer = CardIssuer(code="VISA", name="Visa")
    plan = CardPlan(issuer=issuer, name="3 cuotas", installments=3, surcharge_pct=Decimal("10"))
    db.session.add_all([issuer, plan])
    db.session.commit()
    newer = invoice(client, "300", days_ago(5))
    older = invoice(client, "200", days_ago(20))
    card = {"kind": "card", "amount": "250", "card_plan_id": plan.id, "number": "4509"}
    response = office.post(
        f"{API}/receipts", json={"client_id": client.id, "lines": [card], "apply_oldest": True}
    )
    assert response.status_code == 201, response.json
    applied = [(a["debit_document_id"], a["amount"]) for a in response.json["applications"]]
    assert applied == [(older.id, "200.00"), (newer.id, "50.00")]
    assert response.json["lines"][0]["card_plan_id"] == plan.id
    issuers = office.get(f"{API}/card-issuers").json
    assert issuers == [
        {
            "id": issuer.id,
            "code": "VISA",
            "name": "Visa",
            "legal_name": None,
            "address": None,
            "iva_condition": None,
            "tax_id": None,
            "iibb_number": None,
            "supplier_account": None,
            "bank": None,
            "contact": None,
            "plans": [
                {"id": plan.id, "name": "3 cuotas", "installments": 3, "surcharge_pct": "10.00"}
            ],
        }
    ]


def test_an_unapplied_receipt_is_applied_later_to_the_oldest_items(office):
    client = factories.make_client()
    db.session.commit()
    first = invoice(client, "100", days_ago(60))
    second = invoice(client, "100", days_ago(10))
    posted = office.post(
        f"{API}/receipts",
        json={"client_id": client.id, "lines": [{"kind": "transfer", "amount": "150",
                                                  "reference": "TRF-1"}]},
    ).json  # fmt: skip
    assert (posted["state"], posted["open_amount"], posted["applications"]) == (
        "open",
        "150.00",
        [],
    )
    account = office.get(f"{API}/clients/{client.id}/account").json
    assert [c["id"] for c in account["open_credits"]] == [posted["id"]]
    assert account["currencies"][0]["unapplied"] == "150.00"
    assert account["balances"] == {"ARS": "50.00"}

    url = f"{API}/documents/{posted['id']}/applications"
    response = office.post(url, json={"apply_oldest": True})
    assert response.status_code == 200, response.json
    assert [(a["debit_document_id"], a["amount"]) for a in response.json["applications"]] == [
        (first.id, "100.00"),
        (second.id, "50.00"),
    ]
    assert response.json["state"] == "paid"
    nothing = office.post(url, json={"apply_oldest": True})
    assert nothing.status_code == 422
    assert list(nothing.json["error"]["fields"]) == ["apply_oldest"]
    debit = office.post(f"{API}/documents/{second.id}/applications", json={"apply_oldest": True})
    assert debit.json["error"]["fields"] == {
        "document": ["Solo se aplican recibos, notas de crédito y ajustes."]
    }
    both = office.post(url, json={"apply_oldest": True, "applications": [
        {"installment_id": second.installments[0].id, "amount": "1"}]})  # fmt: skip
    assert list(both.json["error"]["fields"]) == ["apply_oldest"]
    neither = office.post(url, json={})
    assert neither.json["error"]["fields"] == {
        "applications": ["Indicá qué comprobantes cancela y por cuánto."]
    }


def test_applying_named_installments_and_unapplying(office):
    client = factories.make_client()
    db.session.commit()
    debt = invoice(client, "500", days_ago(3))
    credit = factories.post_document(client, kind="credit_note", amount="300")
    db.session.commit()
    installment_id = debt.installments[0].id
    url = f"{API}/documents/{credit.id}/applications"

    too_much = office.post(url, json={"applications": [{"installment_id": installment_id,
                                                        "amount": "400"}]})  # fmt: skip
    assert too_much.json["error"]["fields"] == {
        "applications": ["Se aplica más de lo disponible (300)."]
    }
    elsewhere = office.post(url, json={"applications": [{"installment_id": 999999,
                                                         "amount": "1"}]})  # fmt: skip
    assert elsewhere.json["error"]["fields"] == {
        "applications.0.installment_id": ["Ese comprobante no está pendiente en esta cuenta."]
    }

    response = office.post(
        url, json={"applications": [{"installment_id": installment_id, "amount": "120.50"}]}
    )
    assert response.status_code == 200, response.json
    assert (response.json["state"], response.json["open_amount"]) == ("partly_paid", "179.50")
    [applied] = response.json["applications"]
    assert office.get(f"{API}/documents/{debt.id}").json["open_amount"] == "379.50"

    undone = office.post(f"{API}/applications/{applied['id']}/unapply")
    assert undone.status_code == 200, undone.json
    assert (undone.json["id"], undone.json["open_amount"]) == (credit.id, "300.00")
    [history] = undone.json["applications"]
    assert history["active"] is False and history["unapplied_at"] is not None
    assert office.get(f"{API}/documents/{debt.id}").json["open_amount"] == "500.00"
    again = office.post(f"{API}/applications/{applied['id']}/unapply")
    assert again.json["error"]["fields"] == {"application": ["Esa aplicación ya se deshizo."]}
    assert office.post(f"{API}/applications/999999/unapply").status_code == 404
    assert office.post(f"{API}/applications/{10**20}/unapply").status_code == 404


def test_voiding_writes_a_reversal_and_frees_the_receipt(office):
    client = factories.make_client()
    db.session.commit()
    debt = invoice(client, "400", days_ago(2))
    receipt = factories.post_receipt(client, amount="400", apply_oldest=True)
    db.session.commit()
    url = f"{API}/documents/{debt.id}/void"

    assert office.post(url, json={"reason": "  "}).json["error"]["fields"] == {
        "reason": ["Contá por qué se anula."]
    }
    response = office.post(url, json={"reason": "Facturado por error"})
    assert response.status_code == 200, response.json
    voided, reversal = response.json["document"], response.json["reversal"]
    assert (voided["state"], voided["void_reason"]) == ("void", "Facturado por error")
    assert voided["voided_at"] is not None and voided["open_amount"] == "0.00"
    assert (reversal["kind"], reversal["reverses_id"], reversal["sign"]) == (
        "reversal",
        debt.id,
        -1,
    )
    assert reversal["amount"] == "400.00"
    assert reversal["title"] == f"Anulación de {voided['title']}"
    freed = office.get(f"{API}/documents/{receipt.id}").json
    assert (freed["state"], freed["open_amount"]) == ("open", "400.00")
    assert office.get(f"{API}/clients/{client.id}/account").json["balances"] == {"ARS": "-400.00"}
    assert office.post(url, json={"reason": "otra vez"}).json["error"]["fields"] == {
        "document": ["El comprobante ya está anulado."]
    }
    assert office.post(f"{API}/documents/999999/void", json={"reason": "x"}).status_code == 404


def test_a_spoiled_receipt_form_is_entered_once(office):
    client = factories.make_client()
    db.session.commit()
    body = {"client_id": client.id, "number": "1-77", "reason": "Se manchó"}
    response = office.post(f"{API}/receipts/voided", json=body)
    assert response.status_code == 201, response.json
    entered = response.json
    assert (entered["kind"], entered["state"], entered["amount"]) == ("receipt", "void", "0.00")
    assert (entered["number"], entered["letter"]) == ("0001-00000077", "X")
    again = office.post(f"{API}/receipts/voided", json=body)
    assert again.json["error"]["fields"] == {
        "number": ["Ya existe un comprobante de ese tipo con ese número."]
    }
    missing = office.post(f"{API}/receipts/voided", json={"client_id": client.id})
    assert set(missing.json["error"]["fields"]) == {"number", "reason"}


def test_writes_refuse_a_client_in_the_trash(office):
    client = factories.make_client(deleted_at=utcnow())
    db.session.commit()
    body = {"client_id": client.id, "number": "1-5", "reason": "Se rompió"}
    response = office.post(f"{API}/receipts/voided", json=body)
    assert response.json["error"]["fields"] == {"client_id": ["El cliente está en la papelera."]}


# --- idempotency ---------------------------------------------------------------------------


def test_an_idempotency_key_records_a_receipt_once(office):
    client = factories.make_client()
    db.session.commit()
    body = {"client_id": client.id, "lines": [{"kind": "cash", "amount": "99.90"}]}
    first = office.post(f"{API}/receipts", json=body, key="recibo-0001-abcdef")
    again = office.post(f"{API}/receipts", json=body, key="recibo-0001-abcdef")
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert count(Document) == 1

    other = body | {"lines": [{"kind": "cash", "amount": "100"}]}
    reused = office.post(f"{API}/receipts", json=other, key="recibo-0001-abcdef")
    assert reused.status_code == 422
    assert reused.json["error"]["code"] == "idempotency_key_reused"
    assert count(Document) == 1


def test_a_refused_receipt_does_not_use_up_its_key(office):
    client = factories.make_client()
    db.session.commit()
    body = {"client_id": client.id, "lines": [{"kind": "transfer", "amount": "10"}]}
    key = "recibo-0002-abcdef"
    assert office.post(f"{API}/receipts", json=body, key=key).status_code == 422
    fixed = body | {"lines": [{"kind": "transfer", "amount": "10", "reference": "T-1"}]}
    assert office.post(f"{API}/receipts", json=fixed, key="recibo-0003-abcdef").status_code == 201
    assert count(Document) == 1


# --- scope and permissions -----------------------------------------------------------------


def test_a_salesperson_reads_only_their_clients_accounts_and_cannot_write(api):  # noqa: F811
    seller = api("salesperson")
    mine = factories.make_client(salesperson_id=seller.user.id)
    theirs = factories.make_client(salesperson_id=factories.make_user("salesperson").id)
    db.session.commit()
    own_invoice = invoice(mine, "10")
    their_invoice = invoice(theirs, "20")

    assert seller.get(f"{API}/clients/{mine.id}/account").json["balances"] == {"ARS": "10.00"}
    assert seller.get(f"{API}/documents/{own_invoice.id}").status_code == 200
    for path in (
        f"/clients/{theirs.id}/account",
        f"/clients/{theirs.id}/documents",
        f"/clients/{theirs.id}/statement",
        f"/documents/{their_invoice.id}",
    ):
        response = seller.get(API + path)
        assert response.status_code == 404, path
        assert response.json["error"]["code"] == "not_found"

    body = {"client_id": mine.id, "kind": "invoice", "letter": "A", "amount": "5"}
    refused = seller.post(f"{API}/documents", json=body)
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "forbidden"
    assert (
        seller.post(f"{API}/documents/{own_invoice.id}/void", json={"reason": "x"}).status_code
        == 403
    )
    assert seller.get(f"{API}/aging").status_code == 403
    assert seller.get(f"{API}/sale-conditions").status_code == 200
    assert count(Document) == 2


def test_a_supervisor_sees_the_aging_of_their_team_only(api):  # noqa: F811
    boss = api("supervisor")
    member = factories.make_user("salesperson", supervisor_id=boss.user.id)
    team_client = factories.make_client(salesperson_id=member.id, trade_name="Del equipo")
    other = factories.make_client(salesperson_id=factories.make_user("salesperson").id)
    db.session.commit()
    invoice(team_client, "70")
    invoice(other, "80")
    report = boss.get(f"{API}/aging").json
    assert [row["name"] for row in report["items"]] == ["Del equipo"]
    assert report["totals"]["total"] == "70.00"


# --- statement and aging -------------------------------------------------------------------


def test_the_statement_runs_a_balance_from_the_opening(office):
    client = factories.make_client()
    factories.post_document(client, amount="100", date=date(2026, 1, 10))
    debt = factories.post_document(client, amount="250", date=date(2026, 2, 3))
    factories.post_receipt(client, amount="200", date="2026-02-20", apply_oldest=True)
    factories.post_document(client, amount="999", date=date(2026, 3, 1))
    factories.post_document(client, amount="5", currency="USD", exchange_rate="1000",
                            date=date(2026, 2, 5))  # fmt: skip
    db.session.commit()

    response = office.get(f"{API}/clients/{client.id}/statement?from=2026-02-01&to=2026-02-28")
    assert response.status_code == 200, response.json
    statement = response.json
    assert (statement["from"], statement["to"], statement["currency"]) == (
        "2026-02-01",
        "2026-02-28",
        "ARS",
    )
    assert (statement["opening"], statement["closing"]) == ("100.00", "150.00")
    assert (statement["total_debit"], statement["total_credit"]) == ("250.00", "200.00")
    lines = [
        (line["document"]["kind"], line["debit"], line["credit"], line["balance"])
        for line in statement["lines"]
    ]
    assert lines == [
        ("invoice", "250.00", "0.00", "350.00"),
        ("receipt", "0.00", "200.00", "150.00"),
    ]
    # The receipt paid the January invoice first, then 100 of February's.
    assert [a["amount"] for a in statement["lines"][1]["applications"]] == ["100.00", "100.00"]
    assert [a["debit_document_id"] for a in statement["lines"][0]["applications"]] == [debt.id]

    usd = office.get(
        f"{API}/clients/{client.id}/statement?currency=USD&from=2026-01-01&to=2026-12-31"
    )
    assert (usd.json["closing"], len(usd.json["lines"])) == ("5.00", 1)
    backwards = office.get(f"{API}/clients/{client.id}/statement?from=2099-01-01")
    assert backwards.json["error"]["fields"] == {
        "from": ["La fecha inicial es posterior a la final."]
    }


def test_the_aging_report_totals_every_client(office):
    as_of = date(2026, 6, 30)
    late = factories.make_client(code="A1", trade_name="Moroso")
    fresh = factories.make_client(code="A2", trade_name="Al día")
    factories.post_document(late, amount="100", date=date(2026, 2, 1))  # over 90 days
    factories.post_document(late, amount="40", date=date(2026, 6, 10))  # 1 to 30 days
    factories.post_document(fresh, amount="300", date=date(2026, 7, 1))  # not due
    factories.post_receipt(fresh, amount="50", date="2026-06-30")  # unapplied
    db.session.commit()

    first = office.get(f"{API}/aging?as_of=2026-06-30&per_page=1").json
    assert first["count"] == 2 and first["as_of"] == as_of.isoformat()
    [row] = first["items"]
    assert (row["name"], row["overdue"], row["total"]) == ("Moroso", "140.00", "140.00")
    assert (row["buckets"]["over_90"], row["buckets"]["1_30"]) == ("100.00", "40.00")
    assert first["totals"] == {
        "not_due": "300.00",
        "1_30": "40.00",
        "31_60": "0.00",
        "61_90": "0.00",
        "over_90": "100.00",
        "unapplied": "50.00",
        "total": "390.00",
        "overdue": "140.00",
    }
    second = office.get(first["next"]).json
    assert [(r["name"], r["unapplied"], r["total"]) for r in second["items"]] == [
        ("Al día", "50.00", "250.00")
    ]
    assert second["next"] is None
    overdue_only = office.get(f"{API}/aging?as_of=2026-06-30&overdue_only=true").json
    assert overdue_only["count"] == 1
    assert office.get(f"{API}/aging?currency=EUR&as_of=1999-01-01").status_code == 422
    assert floats_in(first) == []


def test_sale_conditions_are_listed_for_everyone(api):  # noqa: F811
    condition = factories.make_sale_condition(
        code="30-60-90", description="30, 60 y 90 días", installments=3, discount_pct=Decimal("2.5")
    )
    factories.make_sale_condition(code="VIEJA", deleted_at=utcnow())
    db.session.commit()
    listed = api("collector").get(f"{API}/sale-conditions").json
    assert listed == [
        {
            "id": condition.id,
            "code": "30-60-90",
            "description": "30, 60 y 90 días",
            "discount_pct": "2.50",
            "rule_kind": "days",
            "rule_days": 30,
            "rule_day": 0,
            "rule_weekday": 0,
            "rule_week": 0,
            "installments": 3,
        }
    ]


# --- the document --------------------------------------------------------------------------


def test_openapi_describes_the_ledger_paths(client):
    spec = client.get(f"{API}/openapi.json").json
    paths = spec["paths"]
    writes = [
        ("/documents", "post"),
        ("/receipts", "post"),
        ("/receipts/voided", "post"),
        ("/documents/{document_id}/applications", "post"),
        ("/applications/{application_id}/unapply", "post"),
        ("/documents/{document_id}/void", "post"),
    ]
    for path, method in writes:
        operation = paths[path][method]
        assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"]), path
        assert "lines.0.bank" in operation["responses"]["422"]["description"]
    for path in ("/clients/{client_id}/account", "/aging", "/sale-conditions", "/card-issuers"):
        assert "get" in paths[path]
    receipt = spec["components"]["schemas"]["NewReceipt"]
    assert receipt["required"] == ["client_id", "lines"]
    assert receipt["additionalProperties"] is False
    amount = spec["components"]["schemas"]["PaymentLine"]["properties"]["amount"]
    assert amount["type"] == "string"
    assert count(Application) == 0
