"""A sales team ready for override requests: a supervisor with a band, a seller, a client."""

import itertools
from dataclasses import dataclass
from decimal import Decimal

from app.auth.models import User
from app.clients.models import Client
from app.credit.models import CreditBand, CreditPolicy
from app.extensions import db
from app.orders import services as orders
from app.orders.models import Order, Product
from tests import factories
from tests.orders.helpers import price_list, product

_seq = itertools.count(1)


@dataclass
class Team:
    """A supervisor (band: money, up to `excess` over the limit), their seller and a client."""

    boss: User
    seller: User
    client: Client
    product: Product  # $ 100 a unit, no IVA: an order of n units totals n x $ 100


def band(user: User | None = None, role: str | None = None, **fields) -> CreditBand:
    """A band over the money limit for a user or a role."""
    row = CreditBand(name=f"Franja {next(_seq)}", user_id=user.id if user else None, role=role)
    for name, value in ({"money": True} | fields).items():
        setattr(row, name, value)
    db.session.add(row)
    db.session.flush()
    return row


def make_team(limit: str = "1000", excess: str | None = "500", **client_fields) -> Team:
    """A team whose client has a money limit; the supervisor's band covers up to `excess`."""
    n = next(_seq)
    boss = factories.make_user("supervisor", full_name=f"Ana Supervisora {n}")
    seller = factories.make_user(
        "salesperson", full_name=f"Beto Vendedor {n}", supervisor_id=boss.id
    )
    if excess is not None:
        band(boss, max_excess=Decimal(excess))
    policy = CreditPolicy(code=f"P{n}", name=f"Política {n}", money_limit=Decimal(limit))
    db.session.add(policy)
    db.session.flush()
    prices = price_list(f"L{n}")
    client = factories.make_client(
        salesperson_id=seller.id,
        price_list_id=prices.id,
        credit_policy_id=policy.id,
        **client_fields,
    )
    item = product(f"GAL{n}", "100", prices, tax_rate=Decimal("0"), description="Galletitas")
    return Team(boss, seller, client, item)


def order_of(team: Team, units: int, method: str = "current_account") -> Order:
    """An order of the seller for the team's client: `units` x $ 100."""
    data = {
        "payment_method": method,
        "lines": [{"product_id": team.product.id, "quantity": str(units)}],
    }
    return orders.place_order(team.client, data, team.seller)
