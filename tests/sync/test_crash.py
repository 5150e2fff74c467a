"""A worker killed mid-batch leaves every write whole or absent; replaying the keys finishes it."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Client
from app.core.idempotency import IdempotencyRecord
from app.extensions import db
from app.orders.models import Order
from tests import factories
from tests.orders.helpers import price_list, product

ROOT = Path(__file__).resolve().parents[2]
WRITES = 40
ORDER_EVERY = 4  # every fourth write is an order, the others create clients


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(app, database_url):
    """gunicorn with one sync worker over the test database."""
    port = free_port()
    # A short lease, so a key claimed by the killed worker can be taken over by the replay.
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY="crash-test",
        IDEMPOTENCY_LEASE_SECONDS="1",
    )
    master = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--graceful-timeout", "1", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.1)
    else:
        master.kill()
        master.wait(timeout=10)
        pytest.fail("gunicorn did not start")
    yield base, master
    master.terminate()
    master.wait(timeout=10)


def worker_pids(master: subprocess.Popen) -> list[int]:
    """The gunicorn master's worker processes."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def test_killed_worker_leaves_whole_writes_and_replay_completes_them(server):
    base, master = server
    factories.make_user("backoffice", username="oficina9")
    prices = price_list()
    item = product("GAL", "100", prices)
    shop = factories.make_client(code="SHOP1", price_list_id=prices.id)
    db.session.commit()
    token = requests.post(
        f"{base}/api/v1/auth/token",
        json={"username": "oficina9", "password": factories.PASSWORD},
        timeout=10,
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    orders = [n for n in range(WRITES) if n % ORDER_EVERY == ORDER_EVERY - 1]
    writes = [
        (
            "/api/v1/orders",
            {
                "client_id": shop.id,
                "payment_method": "current_account",
                "lines": [{"product_id": item.id, "quantity": "1"}],
                "notes": f"crash {n:05d}",
            },
        )
        if n in orders
        else ("/api/v1/clients", {"code": f"K{n:05d}", "legal_name": f"Cliente Crash {n}"})
        for n in range(WRITES)
    ]
    bodies = [body for path, body in writes if path == "/api/v1/clients"]

    def send(n: int) -> int | None:
        path, body = writes[n]
        try:
            response = requests.post(
                f"{base}{path}",
                json=body,
                headers=headers | {"Idempotency-Key": f"crash-key-{n:05d}"},
                timeout=10,
            )
        except requests.RequestException:
            return None
        return response.status_code

    first_pass: list[int | None] = []
    sender = threading.Thread(target=lambda: first_pass.extend(send(n) for n in range(WRITES)))
    sender.start()
    while len(first_pass) < WRITES // 3 and sender.is_alive():
        time.sleep(0.005)
    for pid in worker_pids(master):
        os.kill(pid, signal.SIGKILL)
    sender.join(timeout=60)
    assert None in first_pass or len(first_pass) == WRITES

    # Whole or absent: every client and order that exists has its audit row and a finished key.
    db.session.commit()  # a fresh snapshot: the server wrote from another process
    created = db.session.scalars(sa.select(Client).where(Client.code.like("K%"))).all()
    for client in created:
        audit = db.session.scalar(
            sa.select(sa.func.count()).where(
                AuditEntry.entity_id == str(client.id), AuditEntry.action == "client.create"
            )
        )
        assert audit == 1, client.code
    taken = db.session.scalars(sa.select(Order)).all()
    for order in taken:
        audit = db.session.scalar(
            sa.select(sa.func.count()).where(
                AuditEntry.entity_id == str(order.id), AuditEntry.action == "order.create"
            )
        )
        assert (audit, len(order.lines)) == (1, 1), order.notes
    done = db.session.scalar(sa.select(sa.func.count()).where(IdempotencyRecord.state == "done"))
    assert done == len(created) + len(taken)

    # Replaying every key (the phone's outbox after the crash) finishes the batch, once.
    time.sleep(1.5)  # the master restarts the worker; claims of the dead one pass their lease
    replay = [send(n) for n in range(WRITES)]
    assert replay == [201] * WRITES
    db.session.commit()
    codes = db.session.scalars(sa.select(Client.code).where(Client.code.like("K%"))).all()
    assert sorted(codes) == [body["code"] for body in bodies]
    assert db.session.scalar(
        sa.select(sa.func.count()).where(AuditEntry.action == "client.create")
    ) == WRITES - len(orders)
    # Every order key made exactly one order.
    notes = db.session.scalars(sa.select(Order.notes).where(Order.client_id == shop.id)).all()
    assert sorted(notes) == [f"crash {n:05d}" for n in orders]
    assert db.session.scalar(
        sa.select(sa.func.count()).where(AuditEntry.action == "order.create")
    ) == len(orders)
