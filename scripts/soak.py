"""Soak test (not part of `make test`): mixed load and outbox-style replays against gunicorn.

Starts gunicorn on 127.0.0.1 over a fresh SQLite file (or DATABASE_URL), loads demo data,
then for --minutes runs worker threads that search, open cards, create clients and replay
the same Idempotency-Keys (as a phone's outbox does after a lost answer). Every 10 s it
samples the server's memory. At the end it prints errors, latencies, duplicates found and
memory growth, and exits non-zero if a request failed with 5xx or a replay created twice.

Usage: .venv/bin/python scripts/soak.py [--minutes 10] [--threads 4]
"""

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children, in KiB."""
    total = 0
    for proc in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{proc}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="soak-")
    env = dict(os.environ, FLASK_APP="wsgi", SECRET_KEY="soak")
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/soak.db")
    env["LOGIN_RATE_LIMIT"] = "1000 per minute"
    flask = [sys.executable, "-m", "flask"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo-data", "--clients", "2000"], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{base}/healthz", timeout=2)
            break
        except requests.RequestException:
            time.sleep(0.1)

    def token(username: str) -> str:
        answer = requests.post(
            f"{base}/api/v1/auth/token",
            json={"username": username, "password": "demo1234"},
            timeout=10,
        )
        return answer.json()["token"]

    tokens = {name: token(name) for name in ("oficina", "vendedor1", "vendedor2")}
    deadline = time.monotonic() + args.minutes * 60
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    created_codes: list[str] = []
    memory: list[int] = []

    def call(method: str, path: str, user: str, **kwargs) -> requests.Response | None:
        headers = {"Authorization": f"Bearer {tokens[user]}", **kwargs.pop("headers", {})}
        started = time.perf_counter()
        try:
            answer = requests.request(method, base + path, headers=headers, timeout=30, **kwargs)
        except requests.RequestException as exc:
            with lock:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            return None
        with lock:
            latencies.append(time.perf_counter() - started)
            if answer.status_code >= 500:
                errors[str(answer.status_code)] = errors.get(str(answer.status_code), 0) + 1
        return answer

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            user = rng.choice(list(tokens))
            roll = rng.random()
            if roll < 0.5:
                call(
                    "GET",
                    f"/api/v1/clients?q={rng.choice(['kiosco', 'don', 'nuñez', '20-'])}",
                    user,
                )
            elif roll < 0.8:
                page = call("GET", "/api/v1/clients?per_page=5", user)
                if page is not None and page.ok and page.json()["items"]:
                    call("GET", f"/api/v1/clients/{page.json()['items'][0]['id']}", user)
            else:
                code = f"S{uuid.uuid4().hex[:8].upper()}"
                body = {"code": code, "legal_name": f"Soak {code}"}
                key = {"Idempotency-Key": f"soak-{code}"}
                for _ in range(rng.randint(1, 3)):  # the outbox replays the same write
                    call("POST", "/api/v1/clients", "oficina", json=body, headers=key)
                with lock:
                    created_codes.append(code)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.threads)]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        memory.append(rss_kib(server.pid))
        time.sleep(10)
    duplicates = 0
    for code in created_codes:
        found = call("GET", f"/api/v1/clients?q={code}", "oficina")
        if found is not None and found.ok and found.json()["total"] != 1:
            duplicates += 1
    server.terminate()
    server.wait(timeout=10)

    ordered = sorted(latencies)
    print(
        f"requests {len(ordered)}, errors {errors or 'none'}, replayed writes {len(created_codes)}"
    )
    if ordered:
        p95 = ordered[int(len(ordered) * 0.95) - 1]
        print(f"latency median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    if memory:
        print(f"server memory {memory[0] / 1024:.1f} MiB -> {memory[-1] / 1024:.1f} MiB")
    print(f"clients created twice or missing: {duplicates}")
    return 1 if errors.get("500") or duplicates else 0


if __name__ == "__main__":
    sys.exit(main())
