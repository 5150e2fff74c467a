"""The morning rush over HTTP: 200 phones' delta syncs while 20 sync from zero and 30 take orders.

The company (`add_phones`): 180 salespeople in 10 supervisors' teams, 10 collectors, and
those 10 supervisors: 200 phones, each with an API token. The demo clients are dealt out
again in id order, so each salesperson owns 1/180 of them and each collector and each
supervisor's team reaches 1/10 (1,000 clients out of 10,000: the first syncs' size).

Time is compressed (`Pace`): as at 8:00, every phone's first delta falls at a random moment of
the first minute (60 s in the full report, 30 s in the quick one), then again every 5 minutes
scaled down 5x (60 s; 10x, 30 s, in the quick one), for 3 rounds (2). The 20 phones of the
collectors and supervisors make their first sync (from zero, every page) at their 8:00
moment instead, then ask deltas like the others; the other 180 got their cursor before the
rush. Meanwhile 30 salespeople take orders the whole time, each an order a minute scaled down
as the deltas (POST /api/v1/orders with an Idempotency-Key, cash or on current account, for
their own clients): 2.5 (5) orders a second, which the deltas then carry.

With two servers (`servers` of two), each request goes to the next server in turn; every
fifth order is sent again with the same key to the other server once answered, and must get
the same order back. The orders in the database are then counted against the distinct keys
that were acknowledged: an order written twice shows there.
"""

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from itertools import count

import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.services import hash_password, issue_api_token
from app.clients.models import Client
from app.extensions import db
from app.orders.models import Order
from benchmarks.load import Figures, Recorder, Request, new_session, percentile, send
from benchmarks.orders import order_body, orderable, priced_everywhere

SUPERVISORS = 10
COLLECTORS = 10
SALESPEOPLE = 180
ORDER_TAKERS = 30
FIRST_SYNCERS = 20  # the collectors and the supervisors
REPLAY_EVERY = 5  # with two servers: every fifth order is sent again to the other one


@dataclass
class Pace:
    """The rush's compressed time, in seconds."""

    burst: float = 60.0  # every phone's first delta falls in this window, as at 8:00-8:01
    interval: float = 60.0  # then a delta every 5 minutes, scaled down
    cycles: int = 3  # deltas of each phone
    order_every: float = 12.0  # an order taker's pause between orders: a minute, scaled down

    def describe(self) -> str:
        """The pace in words, for the report."""
        minute = "8:00-8:01" if self.burst == 60 else "8:00-8:01, compressed"
        return (
            f"every phone's first delta at a random moment of the first {self.burst:.0f} s "
            f"({minute}), then every {self.interval:.0f} s (5 min: {300 / self.interval:.0f}x "
            f"faster), {self.cycles} deltas each; 20 phones sync from zero at their 8:00 moment; "
            f"30 take an order every {self.order_every:.0f} s each (a minute: "
            f"{60 / self.order_every:.0f}x)"
        )


@dataclass
class Phone:
    """A user's phone: its token, its role and the clients it may order for."""

    username: str
    role: str
    token: str
    buyers: list[int] = field(default_factory=list)
    cursor: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        """The bearer token, and gzip as the phone asks."""
        return {"Authorization": f"Bearer {self.token}", "Accept-Encoding": "gzip"}


def add_phones(seed: int = 1) -> tuple[list[Phone], list[int]]:
    """Create the 200 phone users with tokens and deal the clients out to them; the products."""
    password = hash_password("bench-phone")  # one hash for all: scrypt is slow on purpose
    supervisors = [
        User(username=f"sup{n:02d}", full_name=f"Supervisor {n}", role=Role.SUPERVISOR)
        for n in range(1, SUPERVISORS + 1)
    ]
    collectors = [
        User(username=f"cob{n:02d}", full_name=f"Cobrador {n}", role=Role.COLLECTOR)
        for n in range(1, COLLECTORS + 1)
    ]
    sellers = [
        User(username=f"ven{n:03d}", full_name=f"Vendedor {n}", role=Role.SALESPERSON)
        for n in range(1, SALESPEOPLE + 1)
    ]
    users = supervisors + collectors + sellers
    for user in users:
        user.password_hash = password
    db.session.add_all(users)
    db.session.flush()
    for n, seller in enumerate(sellers):
        seller.supervisor_id = supervisors[n % SUPERVISORS].id
    ids = db.session.scalars(
        sa.select(Client.id).where(Client.deleted_at.is_(None)).order_by(Client.id)
    ).all()
    db.session.execute(
        sa.update(Client),
        [
            {
                "id": ident,
                "salesperson_id": sellers[n % SALESPEOPLE].id,
                "collector_id": collectors[n % COLLECTORS].id,
            }
            for n, ident in enumerate(ids)
        ],
    )
    products = priced_everywhere()
    rng = random.Random(seed)
    phones = []
    for user in users:
        token, _ = issue_api_token(user, days=1)
        phones.append(Phone(user.username, user.role, token))
    for phone, seller in zip(phones[-ORDER_TAKERS:], sellers[-ORDER_TAKERS:], strict=True):
        own = db.session.scalars(
            sa.select(Client.id).where(Client.salesperson_id == seller.id)
        ).all()
        phone.buyers = orderable(own, products)
        rng.shuffle(phone.buyers)
    db.session.commit()
    return phones, products


def count_orders() -> int:
    """Orders in the database now."""
    return db.session.scalar(sa.select(sa.func.count(Order.id)))


@dataclass
class RushFigures:
    """What the rush measured."""

    delta: Figures
    first_sync: Figures  # each page of the first syncs
    first_sync_whole_ms: list[float]  # each first sync, every page
    first_sync_clients: list[int]
    orders: Figures
    replays: Figures | None
    replay_mismatches: int
    acknowledged_keys: int
    orders_written: int
    seconds: float

    def as_dict(self) -> dict:
        """For the JSON report."""
        return {
            "delta": self.delta.as_dict(),
            "first_sync_pages": self.first_sync.as_dict(),
            "first_sync_whole_p95_ms": percentile(self.first_sync_whole_ms, 0.95),
            "first_sync_whole_max_ms": max(self.first_sync_whole_ms, default=0.0),
            "first_sync_clients": self.first_sync_clients,
            "orders": self.orders.as_dict(),
            "replays": self.replays.as_dict() if self.replays else None,
            "replay_mismatches": self.replay_mismatches,
            "acknowledged_keys": self.acknowledged_keys,
            "orders_written": self.orders_written,
            "seconds": self.seconds,
        }


class Rush:
    """The scenario against one server or a pair, from one event loop."""

    def __init__(self, urls: list[str], phones: list[Phone], products: list[int], seed: int):
        self.urls = urls
        self.turn = count()
        self.phones = phones
        self.products = products
        self.rng = random.Random(seed)
        self.delta = Recorder()
        self.first = Recorder()
        self.setup = Recorder()
        self.orders = Recorder()
        self.replays = Recorder() if len(urls) > 1 else None
        self.first_whole: list[float] = []
        self.first_clients: list[int] = []
        self.acknowledged: set[str] = set()
        self.mismatches = 0
        self.stopping = False
        self.pace = Pace()

    def server(self) -> int:
        """The next server in turn (its index)."""
        return next(self.turn) % len(self.urls)

    async def walk(self, session, phone: Phone, recorder: Recorder) -> int:
        """Follow a sync from the phone's cursor to its last page; how many clients came."""
        clients = 0
        while True:
            query = f"?since={phone.cursor}" if phone.cursor else ""
            url = f"{self.urls[self.server()]}/api/v1/sync{query}"
            status, body = await send(session, Request("GET", url, phone.headers), recorder)
            if status != 200 or body is None:
                return clients
            clients += len(body["clients"])
            phone.cursor = body["cursor"]
            if not body["more"]:
                return clients

    async def syncing_phone(self, session, phone: Phone, start: float, at: float):
        """The phone's deltas (a first sync in the first round when it has no cursor)."""
        for cycle in range(self.pace.cycles):
            due = start + at + cycle * self.pace.interval
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            if phone.cursor is None:
                began = time.perf_counter()
                self.first_clients.append(await self.walk(session, phone, self.first))
                self.first_whole.append((time.perf_counter() - began) * 1000)
            else:
                await self.walk(session, phone, self.delta)

    async def order_taker(self, session, phone: Phone, think: float) -> None:
        """Orders for the phone's own clients until the rush ends; some sent twice."""
        methods = ("cash", "current_account")
        n = 0
        while not self.stopping and phone.buyers:
            body = order_body(self.rng, phone.buyers[n % len(phone.buyers)], self.products)
            body["payment_method"] = methods[n % 2]
            key = uuid.uuid4().hex
            headers = phone.headers | {"Idempotency-Key": key}
            first = self.server()
            url = f"{self.urls[first]}/api/v1/orders"
            status, answer = await send(session, Request("POST", url, headers, body), self.orders)
            if status == 201:
                self.acknowledged.add(key)
                if self.replays is not None and n % REPLAY_EVERY == 0:
                    other = self.urls[(first + 1) % len(self.urls)]
                    again = Request("POST", f"{other}/api/v1/orders", headers, body)
                    status2, answer2 = await send(session, again, self.replays)
                    if status2 != 201 or (answer2 or {}).get("id") != answer["id"]:
                        self.mismatches += 1
            n += 1
            await asyncio.sleep(think)

    async def run(self, pace: Pace, connections: int) -> RushFigures:
        """Cursors for the salespeople first (not timed), then the rush."""
        self.pace = pace
        takers = [p for p in self.phones if p.buyers][:ORDER_TAKERS]
        async with new_session(connections) as session:
            sellers = [p for p in self.phones if p.role == Role.SALESPERSON]
            gate = asyncio.Semaphore(16)

            async def first_cursor(phone: Phone) -> None:
                async with gate:
                    await self.walk(session, phone, self.setup)

            await asyncio.gather(*(first_cursor(phone) for phone in sellers))
            for phone in self.phones:
                if phone.role != Role.SALESPERSON:
                    phone.cursor = None  # the collectors and supervisors: a first sync
            start = time.perf_counter()
            self.delta, self.first, self.orders = Recorder(), Recorder(), Recorder()
            syncs = [
                self.syncing_phone(session, phone, start, self.rng.uniform(0, pace.burst))
                for phone in self.phones
            ]
            writers = [
                asyncio.ensure_future(self.order_taker(session, phone, pace.order_every))
                for phone in takers
            ]
            await asyncio.gather(*syncs)
            self.stopping = True
            await asyncio.gather(*writers)
            seconds = time.perf_counter() - start
        return RushFigures(
            delta=self.delta.figures(seconds),
            first_sync=self.first.figures(seconds),
            first_sync_whole_ms=self.first_whole,
            first_sync_clients=self.first_clients,
            orders=self.orders.figures(seconds),
            replays=self.replays.figures(seconds) if self.replays else None,
            replay_mismatches=self.mismatches,
            acknowledged_keys=len(self.acknowledged),
            orders_written=0,
            seconds=seconds,
        )


def run_rush(urls: list[str], phones: list[Phone], products: list[int], pace: Pace) -> RushFigures:
    """The rush against these servers; orders_written is left for the caller to count."""
    for phone in phones:
        phone.cursor = None
    rush = Rush(urls, phones, products, seed=2)
    return asyncio.run(rush.run(pace, connections=256))
