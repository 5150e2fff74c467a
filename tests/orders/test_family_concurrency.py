"""Orders for two clients of a family sharing one limit, sent at the same moment, never pass
it together: each order holds the family's row (credit.services.lock_family) after its own
client's, so on PostgreSQL the second waits for the first."""

from decimal import Decimal

import sqlalchemy as sa

from app.clients.models import Family
from app.extensions import db
from tests import factories
from tests.orders.test_concurrency import (  # noqa: F401  (fixtures)
    ORDERS,
    UNIT,
    Api,
    at_once,
    failure_kinds,
    kept_orders,
    order_body,
    server,
    shop,
)


def test_simultaneous_orders_of_two_members_never_pass_the_familys_limit(server, shop):  # noqa: F811
    seller, _boss, prices, item = shop
    db.session.rollback()
    family = Family(name="Hermanos Concurrentes", credit_limit=Decimal("1000"))
    db.session.add(family)
    db.session.flush()
    members = [
        factories.make_client(
            salesperson_id=seller.id, price_list_id=prices.id, family_id=family.id
        )
        for _ in range(2)
    ]
    db.session.commit()
    api = Api(server, seller.username)
    # orders of $ 242 on a shared $ 1.000: four fit, whichever member places them
    bodies = [order_body(members[n % 2], item, 2) for n in range(ORDERS)]
    answers = at_once([lambda body=body: api.post("/api/v1/orders", body) for body in bodies])

    assert [getattr(a, "status_code", a) for a in answers] == [201] * ORDERS
    results = [answer.json() for answer in answers]
    accepted = [r for r in results if r["status"] == "accepted"]
    assert len(accepted) == 4
    assert all(failure_kinds(r) == ["money"] for r in results if r["status"] == "blocked")
    kept = [kept_orders(member.id) for member in members]
    assert sum(count for count, _total in kept) == 4
    assert sum(total for _count, total in kept) == UNIT * 2 * 4
    db.session.commit()
    assert db.session.scalar(sa.select(Family.credit_limit).where(Family.id == family.id)) == 1000
