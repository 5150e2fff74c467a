"""The load generator of benchmarks/load.py counts requests, errors and percentiles right."""

import asyncio

from aiohttp import web

from benchmarks.load import Recorder, Request, load, percentile


def test_percentile_is_the_nearest_rank():
    """The p-th percentile is a value of the list: the smallest with p of them at or below it."""
    values = [float(n) for n in range(100, 0, -1)]
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([], 0.95) == 0.0


def test_recorder_figures():
    """Median, p95, max, statuses and errors of what was recorded."""
    recorder = Recorder()
    for n in range(1, 21):
        recorder.record(float(n), "200" if n % 10 else "500", None if n % 10 else "boom")

    figures = recorder.figures(seconds=2.0)

    assert (figures.requests, figures.errors) == (20, 2)
    assert (figures.median_ms, figures.p95_ms, figures.max_ms) == (10.0, 19.0, 20.0)
    assert figures.statuses == {"200": 18, "500": 2}
    assert figures.error_samples == ["boom", "boom"]
    assert figures.throughput == 10.0


async def _against_a_local_server(requests: int) -> tuple:
    """Run the generator against a tiny aiohttp server: every fifth request fails."""
    seen = []

    async def answer(request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else None
        seen.append((request.method, request.path, body))
        return web.json_response({"n": request.path}, status=500 if "bad" in request.path else 200)

    server = web.Application()
    server.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:

        def pick(n: int) -> Request:
            path = f"/bad/{n}" if n % 5 == 4 else f"/good/{n}"
            return Request("POST", f"http://127.0.0.1:{port}{path}", json={"n": n})

        figures = await load(pick, connections=4, requests=requests)
    finally:
        await runner.cleanup()
    return figures, seen


def test_load_counts_requests_and_errors():
    """Exactly the requests asked for, each picked by its number; errors are the bad answers."""
    figures, seen = asyncio.run(_against_a_local_server(requests=50))

    assert figures.requests == 50
    assert figures.errors == 10
    assert figures.statuses == {"200": 40, "500": 10}
    assert sorted(body["n"] for _method, _path, body in seen) == list(range(50))
    assert all(path.endswith(f"/{body['n']}") for _method, path, body in seen)
    assert len(figures.error_samples) == 5 and "500" in figures.error_samples[0]
    assert 0 < figures.median_ms <= figures.p95_ms <= figures.max_ms


def test_a_refused_connection_is_an_error():
    """Nobody listening: each request is counted, as an error."""

    async def run():
        return await load(lambda n: Request("GET", "http://127.0.0.1:9/"), 2, requests=6)

    figures = asyncio.run(run())

    assert (figures.requests, figures.errors) == (6, 6)
    assert figures.statuses == {"failed": 6}
