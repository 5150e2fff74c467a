"""A load generator: asyncio and aiohttp, N keep-alive connections, one process.

`run_load` keeps `connections` requests in flight for a duration or a number of requests;
a callable picks each request (a different client, body or server each time) and the
answer is a `Figures`: throughput, median, p95 and max latency, errors. The generator's own
CPU time per request is measured too, since it shares the machine's cores with the servers.
`Recorder` and `send` are the parts a scenario with its own pacing (the morning rush) uses.
"""

import asyncio
import json
import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

KEPT_ERRORS = 5  # error samples a recorder keeps, to say what went wrong


@dataclass
class Request:
    """One HTTP request: absolute URL, headers, JSON body, the statuses that count as success."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    json: object = None
    ok: tuple[int, ...] = (200, 201)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (0 < fraction <= 1) of values; 0.0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass
class Figures:
    """What a load run measured; latencies in milliseconds."""

    requests: int
    errors: int
    seconds: float
    median_ms: float
    p95_ms: float
    max_ms: float
    statuses: dict[str, int]
    error_samples: list[str]
    generator_cpu_us: float  # the generator's CPU time per request

    @property
    def throughput(self) -> float:
        """Requests answered per second (errors included)."""
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        """The figures with the throughput, for the JSON report."""
        return vars(self) | {"throughput": self.throughput}


class Recorder:
    """Latencies, statuses and errors of the requests of one kind."""

    def __init__(self):
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.errors = 0
        self.error_samples: list[str] = []
        self.started = time.perf_counter()
        self.started_cpu = time.process_time()

    def record(self, milliseconds: float, status: str, error: str | None) -> None:
        """One answer (or failure) and how long it took."""
        self.latencies.append(milliseconds)
        self.statuses[status] += 1
        if error is not None:
            self.errors += 1
            if len(self.error_samples) < KEPT_ERRORS:
                self.error_samples.append(error)

    def figures(self, seconds: float | None = None) -> Figures:
        """The figures so far; throughput over `seconds` (default: since the recorder began)."""
        if seconds is None:
            seconds = time.perf_counter() - self.started
        count = len(self.latencies)
        cpu = time.process_time() - self.started_cpu
        return Figures(
            requests=count,
            errors=self.errors,
            seconds=seconds,
            median_ms=percentile(self.latencies, 0.5),
            p95_ms=percentile(self.latencies, 0.95),
            max_ms=max(self.latencies, default=0.0),
            statuses=dict(self.statuses),
            error_samples=list(self.error_samples),
            generator_cpu_us=cpu / count * 1e6 if count else 0.0,
        )


async def send(
    session: aiohttp.ClientSession, request: Request, recorder: Recorder
) -> tuple[int, object]:
    """Send one request, record it; its status and JSON body (status 0 and None on failure)."""
    started = time.perf_counter()
    try:
        async with session.request(
            request.method, request.url, headers=request.headers, json=request.json
        ) as response:
            data = await response.read()
            status = response.status
    except (TimeoutError, aiohttp.ClientError) as exc:
        recorder.record((time.perf_counter() - started) * 1000, "failed", repr(exc))
        return 0, None
    recorder.record(
        (time.perf_counter() - started) * 1000,
        str(status),
        None if status in request.ok else f"{request.method} {request.url} {status} {data[:200]!r}",
    )
    try:
        return status, json.loads(data) if data else None
    except ValueError:
        return status, None


def new_session(connections: int) -> aiohttp.ClientSession:
    """A client session keeping up to `connections` connections alive."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections, force_close=False),
        timeout=aiohttp.ClientTimeout(total=60),
    )


async def load(
    pick: Callable[[int], Request],
    connections: int = 16,
    duration: float | None = None,
    requests: int | None = None,
) -> Figures:
    """Keep `connections` requests in flight until `duration` seconds or `requests` are done.

    `pick(n)` gives the n-th request (n from 0).
    """
    if duration is None and requests is None:
        raise ValueError("give a duration or a number of requests")
    taken = 0
    deadline = None if duration is None else time.perf_counter() + duration

    def next_index() -> int | None:
        nonlocal taken
        if requests is not None and taken >= requests:
            return None
        if deadline is not None and time.perf_counter() >= deadline:
            return None
        taken += 1
        return taken - 1

    async with new_session(connections) as session:

        async def worker() -> None:
            while (index := next_index()) is not None:
                await send(session, pick(index), recorder)

        recorder = Recorder()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return recorder.figures(time.perf_counter() - started)


def run_load(
    pick: Callable[[int], Request],
    connections: int = 16,
    duration: float | None = None,
    requests: int | None = None,
) -> Figures:
    """`load` in a fresh event loop."""
    return asyncio.run(load(pick, connections, duration, requests))
