"""Reference rows cached between requests: used while unchanged, never after a change."""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.clients.reference import ClientType, Zone
from app.core.types import utcnow
from app.credit.models import CreditPolicy
from app.extensions import db
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)
from tests.orders.helpers import price_list, product


@pytest.fixture
def setup(api):  # noqa: F811
    """A salesperson's cash client of a type without discount; a $ 100 + IVA product."""
    seller = api("salesperson")
    prices = price_list()
    kind = factories.make_client_type(discount_pct=Decimal("0"))
    condition = factories.make_sale_condition(rule_days=0)  # cash terms
    client = factories.make_client(
        salesperson_id=seller.user.id, price_list_id=prices.id, client_type_id=kind.id
    )
    item = product("GAL", "100", prices, tax_rate=Decimal("21"))
    db.session.commit()
    return seller, client, item, kind, condition


def quote(seller, client, item, **extra):
    """The API's quote of 2 units, paid in cash."""
    body = {
        "client_id": client.id,
        "payment_method": "cash",
        "lines": [{"product_id": item.id, "quantity": "2"}],
        **extra,
    }
    return seller.post("/api/v1/orders/quote", json=body)


def reads_of(table: str, call) -> int:
    """How many statements reading this table's rows the call runs (not the version's)."""
    seen = []

    def note(_conn, _cursor, statement, *_args):
        if f"FROM {table}" in statement and "max(" not in statement:
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
    return len(seen)


def elsewhere(change) -> None:
    """Make a change through another session and connection (as another worker or host
    would), and commit it."""
    with Session(db.engine) as other:
        change(other)
        other.commit()


def test_a_change_made_elsewhere_is_seen_by_the_next_request(setup):
    seller, client, item, kind, _condition = setup
    assert quote(seller, client, item).json["total"] == "242.00"
    assert quote(seller, client, item).json["total"] == "242.00"  # cached by now

    elsewhere(lambda other: setattr(other.get(ClientType, kind.id), "discount_pct", Decimal(10)))

    # 2 x 100 less the type's 10 % = 180, plus 21 % IVA
    assert quote(seller, client, item).json["total"] == "217.80"


def test_a_sale_condition_taken_out_of_use_elsewhere_is_refused_next(setup):
    seller, client, item, _kind, condition = setup
    assert quote(seller, client, item, sale_condition_id=condition.id).status_code == 200
    assert quote(seller, client, item, sale_condition_id=condition.id).status_code == 200

    def retire(other):
        other.get(type(condition), condition.id).deleted_at = utcnow()

    elsewhere(retire)

    refused = quote(seller, client, item, sale_condition_id=condition.id)
    assert refused.status_code == 422 and "sale_condition_id" in refused.json["error"]["fields"]


def test_unchanged_reference_rows_are_not_read_again(setup):
    seller, client, item, _kind, _condition = setup
    assert reads_of("client_types", lambda: quote(seller, client, item)) <= 1
    assert reads_of("client_types", lambda: quote(seller, client, item)) == 0
    assert reads_of("sale_conditions", lambda: quote(seller, client, item)) == 0


def test_a_change_rolled_back_is_never_served(setup):
    _seller, _client, _item, kind, _condition = setup
    marked = sa.select(ClientType).where(ClientType.id == kind.id)
    marked = marked.execution_options(reference_cache=True)
    with Session(db.engine) as writer:
        writer.get(ClientType, kind.id).discount_pct = Decimal(50)
        writer.flush()  # takes the next change number, uncommitted
        assert writer.scalars(marked).one().discount_pct == Decimal(50)
        writer.rollback()
    # the same change number is given out again, to another change that does commit
    elsewhere(lambda other: setattr(other.get(ClientType, kind.id), "discount_pct", Decimal(20)))
    with Session(db.engine) as reader:
        assert reader.scalars(marked).one().discount_pct == Decimal(20)


def test_a_cached_row_is_a_copy_of_its_own_in_each_session(setup):
    _seller, _client, _item, kind, _condition = setup
    marked = sa.select(ClientType).where(ClientType.id == kind.id)
    marked = marked.execution_options(reference_cache=True)
    with Session(db.engine) as first, Session(db.engine) as second:
        one = first.scalars(marked).one()
        two = second.scalars(marked).one()
        assert one is not two and two in second and one in first
        one.name = "Cambiado sin guardar"
        with Session(db.engine) as third:
            assert third.scalars(marked).one().name == kind.name


def test_a_credit_policy_changed_elsewhere_weighs_in_the_next_decision(setup):
    """The policies and their groups are looked up in a map kept between requests (kept());
    a change of the policy, or of the zone that holds it, is seen by the next decision."""
    seller, client, _item, _kind, _condition = setup
    policy = CreditPolicy(code="ZONA", name="Zona chica", money_limit=Decimal("1000"))
    db.session.add(policy)
    db.session.flush()
    zone = factories.make_zone(credit_policy_id=policy.id)
    client.sales_zone_id = zone.id
    db.session.commit()
    url = f"/api/v1/clients/{client.id}/credit?amount=1500&payment_method=current_account"

    def money_limit():
        answer = seller.get(url).json
        return answer["allowed"], answer["applied"]["money"]

    for _ in range(2):  # the second time from the kept map
        allowed, applied = money_limit()
        assert not allowed
        assert (applied["limit"], applied["source"], applied["holder"]) == (
            "1000.00",
            "zone",
            zone.name,
        )

    elsewhere(lambda other: setattr(other.get(CreditPolicy, policy.id), "money_limit", 2000))
    allowed, applied = money_limit()
    assert allowed and applied["limit"] == "2000.00"

    elsewhere(lambda other: setattr(other.get(Zone, zone.id), "deleted_at", utcnow()))
    allowed, applied = money_limit()
    assert allowed and applied is None  # the zone is gone, and its policy with it
