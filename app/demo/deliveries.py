"""Demo deliveries: delivery zones over the sales zones, today's dispatch of each salesperson's
orders, some delivered to a receiver (an authorised one when the client names any), one failed,
and one invoice the ERP posted naming its order.

Everything goes through the real services (the pickup check, the audit log), with its own
random stream so the rest of the demo stays what it was for a seed.
"""

import contextlib
import random
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import User
from app.clients.models import AuthorizedPickup, Client, Zone
from app.demo import names
from app.extensions import db
from app.ledger import posting
from app.ledger.services import LedgerError
from app.orders import deliveries
from app.orders import services as orders
from app.orders.models import Order, OrderStatus
from app.orders.services import OrderError

# delivery zone code, name, the sales zones it serves
DELIVERY_ZONES = [
    ("R1", "Reparto Norte", ("Z01", "Z04")),
    ("R2", "Reparto Oeste", ("Z02", "Z03")),
    ("R3", "Reparto Interior", ("Z05", "Z06", "Z07", "Z08")),
]
DISPATCHED_PER_SALESPERSON = 4
CENT = Decimal("0.01")


def add_demo_deliveries(rng: random.Random) -> int:
    """Delivery zones, today's dispatch, its deliveries and one invoice naming its order;
    returns how many ledger documents it wrote."""
    _zones()
    office = db.session.scalar(sa.select(User).where(User.role == "backoffice").limit(1))
    if office is None:
        return 0
    sellers = db.session.scalars(
        sa.select(User).where(User.role == "salesperson", User.active).order_by(User.username)
    ).all()
    failed_one = False
    for seller in sellers:
        pending = _dispatch(rng, seller, office)
        for index, order in enumerate(pending):
            if index == 0:  # the first stays on the list, with someone authorised to receive it
                _authorise_someone(rng, order.client)
                continue
            if not failed_one:
                deliveries.record_failure(order, {"reason": "closed"}, seller)
                failed_one = True
                continue
            if rng.random() < 0.5:
                _deliver(rng, order, seller)
    billed = _bill_one(office)
    db.session.flush()
    return billed


def _zones() -> None:
    """The delivery zones, and each client's by its sales zone."""
    sales = {zone.code: zone.id for zone in db.session.scalars(sa.select(Zone))}
    for code, name, served in DELIVERY_ZONES:
        zone = Zone(code=code, name=name, kind="delivery")
        db.session.add(zone)
        db.session.flush()
        ids = [sales[c] for c in served if c in sales]
        if ids:
            db.session.execute(
                sa.update(Client)
                .where(Client.sales_zone_id.in_(ids))
                .values(delivery_zone_id=zone.id)
            )


def _dispatch(rng: random.Random, seller: User, office: User) -> list[Order]:
    """A few of the seller's accepted orders leave the depot today; returns them, by id."""
    waiting = db.session.scalars(
        sa.select(Order)
        .where(
            Order.user_id == seller.id,
            Order.status.in_((OrderStatus.ACCEPTED, OrderStatus.APPROVED)),
            Order.dispatched_at.is_(None),
        )
        .order_by(Order.id)
    ).all()
    chosen = rng.sample(waiting, min(DISPATCHED_PER_SALESPERSON, len(waiting)))
    for order in chosen:
        orders.track_order(order, "dispatched", office)
    return sorted(chosen, key=lambda order: order.id)


def _authorise_someone(rng: random.Random, client: Client) -> None:
    """The client names someone to receive its goods, when it named nobody yet."""
    if deliveries.live_pickups(client):
        return
    first = rng.choice(names.FIRST_NAMES_F + names.FIRST_NAMES_M)
    document = f"{rng.randrange(20_000_000, 45_000_000):,}".replace(",", ".")
    db.session.add(
        AuthorizedPickup(
            client_id=client.id, name=f"{first} {rng.choice(names.SURNAMES)}", document=document
        )
    )
    db.session.flush()


def _deliver(rng: random.Random, order: Order, seller: User) -> None:
    """Hand the order over: to an authorised person when the client names any."""
    pickups = deliveries.live_pickups(order.client)
    if pickups:
        person = rng.choice(pickups)
        name, document = person.name, person.document
    else:
        name = f"{rng.choice(names.FIRST_NAMES_F + names.FIRST_NAMES_M)} "
        name += rng.choice(names.SURNAMES)
        document = str(rng.randrange(20_000_000, 45_000_000))
    with contextlib.suppress(OrderError):
        deliveries.confirm_delivery(
            order, {"received_by_name": name, "received_by_document": document}, seller
        )


def _bill_one(office: User) -> int:
    """The ERP invoices one delivered order, naming it and itemising its lines (taxes
    included); returns how many documents it posted."""
    order = db.session.scalar(
        sa.select(Order)
        .where(Order.delivered_at.is_not(None), Order.status == OrderStatus.ACCEPTED)
        .join(Order.deliveries)
        .order_by(Order.id)
        .limit(1)
    )
    if order is None or order.currency != order.client.currency:
        return 0
    items = [
        {
            "product_id": line.product_id,
            "quantity": line.quantity,
            "amount": (line.net * (1 + line.tax_rate / 100)).quantize(CENT),
        }
        for line in order.lines
    ]
    data = {
        "kind": "invoice",
        "letter": "A" if order.client.iva_condition == "Responsable Inscripto" else "B",
        "amount": str(sum(item["amount"] for item in items)),
        "order_id": order.id,
        "items": items,
    }
    try:
        with db.session.begin_nested():
            posting.post_document(order.client, data, office, source="api")
    except LedgerError:
        return 0
    return 1
