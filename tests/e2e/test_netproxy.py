"""The network-cutting proxy: relays when up, fails at once when down, loses answers on demand.

First against a plain threaded HTTP/1.1 server with http.client, then in Chromium (a page
and a service worker) and in front of the live app.
"""

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.netproxy import NetProxy, Request, RequestSplitter, proxied_server  # noqa: F401

pytestmark = pytest.mark.e2e

# A network error must come at once, not after a timeout.
QUICK_SECONDS = 2.0
NETWORK_ERRORS = (ConnectionError, http.client.HTTPException, TimeoutError)
PAGE = b"<!doctype html><html lang=es><title>Proxy</title><p id=msg>arriba</p></html>"
# Passes every request on, marking the answers it gave, and takes the page at once.
SERVICE_WORKER = b"""
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  event.respondWith(fetch(event.request).then(async (answer) => new Response(
    await answer.text(), {status: answer.status, headers: {"X-Via": "service-worker"}})));
});
"""
FETCH = """async ([url, method]) => {
  try {
    const answer = await fetch(url, {method, cache: "no-store"});
    return `${answer.status} ${answer.headers.get("X-Via") || "page"} ${await answer.text()}`;
  } catch (error) {
    return `${error.name}: ${error.message}`;
  }
}"""


class CountingServer:
    """A plain threaded HTTP/1.1 server (keep-alive) that counts the POSTs it handled."""

    def __init__(self):
        self.hits = 0
        self.peers: list[int] = []  # the client port of each request: one per connection
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def _handler(self):
        counting = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args):
                """Quiet."""

            def do_GET(self):
                counting.peers.append(self.client_address[1])
                if self.path == "/page":
                    self._answer(PAGE, "text/html; charset=utf-8")
                elif self.path == "/sw.js":
                    self._answer(SERVICE_WORKER, "text/javascript")
                else:
                    self._answer(json.dumps({"hits": counting.hits}).encode())

            def do_POST(self):
                counting.peers.append(self.client_address[1])
                self._read_body()
                with counting._lock:
                    counting.hits += 1
                    hits = counting.hits
                self._answer(json.dumps({"hits": hits}).encode())

            def _read_body(self) -> bytes:
                if "chunked" in self.headers.get("Transfer-Encoding", ""):
                    body = b""
                    while size := int(self.rfile.readline().split(b";")[0], 16):
                        body += self.rfile.read(size + 2)[:-2]
                    while self.rfile.readline() not in (b"\r\n", b""):
                        pass
                    return body
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _answer(self, body: bytes, kind: str = "application/json"):
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def __enter__(self) -> "CountingServer":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def server() -> Iterator[CountingServer]:
    with CountingServer() as running:
        yield running


@pytest.fixture
def proxy(server) -> Iterator[NetProxy]:
    with NetProxy("127.0.0.1", server.port) as running:
        yield running


@pytest.fixture
def connect(proxy) -> Iterator:
    """Factory: a new HTTP/1.1 connection to the proxy, closed after the test."""
    opened: list[http.client.HTTPConnection] = []

    def make() -> http.client.HTTPConnection:
        opened.append(http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=5))
        return opened[-1]

    yield make
    for connection in opened:
        connection.close()


def ask(connection: http.client.HTTPConnection, method: str, path: str, body=None, **kwargs):
    """Send a request and read the whole answer (so the connection can be used again)."""
    connection.request(method, path, body=body, **kwargs)
    answer = connection.getresponse()
    return answer.status, answer.read()


def fails_quickly(send) -> Exception:
    """The network error `send()` raises, which must come at once."""
    started = time.monotonic()
    with pytest.raises(NETWORK_ERRORS) as raised:
        send()
    assert time.monotonic() - started < QUICK_SECONDS
    return raised.value


# --- without a browser ----------------------------------------------------------------------


def test_up_relays_keep_alive_requests_and_logs_each_one(server, proxy, connect):
    connection = connect()
    tricky = b'{"note": "GET /not-a-request HTTP/1.1\\r\\n\\r\\n"}'
    assert ask(connection, "POST", "/hit", tricky) == (200, b'{"hits": 1}')
    assert ask(connection, "GET", "/hits?x=1") == (200, b'{"hits": 1}')
    chunks = iter([b"abc", b"GET /neither HTTP/1.1\r\n\r\n"])
    status, _ = ask(connection, "POST", "/hit", chunks, encode_chunked=True)
    assert status == 200
    assert proxy.requests == [
        Request("POST", "/hit"),
        Request("GET", "/hits?x=1"),
        Request("POST", "/hit"),
    ]
    assert len(set(server.peers)) == 1  # all three on one kept-alive connection
    assert server.hits == 2 and proxy.dropped == []


def test_down_resets_new_connections_and_the_ones_already_open(server, proxy, connect):
    kept_alive = connect()
    assert ask(kept_alive, "GET", "/hits")[0] == 200
    proxy.mode = "down"
    fails_quickly(lambda: ask(kept_alive, "POST", "/hit", b"{}"))
    fails_quickly(lambda: ask(connect(), "POST", "/hit", b"{}"))
    assert server.hits == 0
    assert proxy.requests == [Request("GET", "/hits")]
    proxy.mode = "up"
    assert ask(connect(), "POST", "/hit", b"{}") == (200, b'{"hits": 1}')


def test_drop_responses_lets_the_server_do_the_work_and_loses_the_answer(server, proxy, connect):
    proxy.mode = "drop_responses"
    fails_quickly(lambda: ask(connect(), "POST", "/hit", b'{"pedido": 1}'))
    assert server.hits == 1
    assert proxy.requests == proxy.dropped == [Request("POST", "/hit")]
    proxy.mode = "up"
    assert ask(connect(), "GET", "/hits") == (200, b'{"hits": 1}')


def test_cut_at_takes_the_network_down_as_that_request_leaves(server, proxy, connect):
    kept_alive = connect()
    assert ask(kept_alive, "GET", "/hits")[0] == 200
    proxy.cut_at = lambda request: request.method == "POST"
    assert ask(kept_alive, "GET", "/hits?again")[0] == 200  # not this one
    fails_quickly(lambda: ask(kept_alive, "POST", "/hit", b"{}"))
    assert (proxy.mode, proxy.cut_at) == ("down", None)
    fails_quickly(lambda: ask(connect(), "GET", "/hits"))
    assert server.hits == 0  # the POST never reached it
    assert proxy.requests == [Request("GET", "/hits"), Request("GET", "/hits?again")]
    proxy.mode = "up"
    assert ask(connect(), "POST", "/hit", b"{}") == (200, b'{"hits": 1}')


def test_the_splitter_finds_each_request_however_the_bytes_arrive():
    stream = (
        b"POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 26\r\n\r\n"
        b"GET /fake HTTP/1.1\r\n\r\n...."
        b"\r\nPOST /api/v1/collection-calls HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\n0\r\nX-Trailer: 1\r\n\r\n"
        b"GET /sync?since=12 HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    splitter = RequestSplitter()
    found = []
    for at in range(len(stream)):
        found += splitter.feed(stream[at : at + 1])
    assert found == [
        Request("POST", "/api/v1/orders"),
        Request("POST", "/api/v1/collection-calls"),
        Request("GET", "/sync?since=12"),
    ]
    assert RequestSplitter().feed(stream) == found


def test_a_stopped_proxy_refuses_connections_and_modes_are_checked(server):
    proxy = NetProxy("127.0.0.1", server.port).start()
    with pytest.raises(ValueError):
        proxy.mode = "offline"
    port = proxy.port
    proxy.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


# --- in Chromium -----------------------------------------------------------------------------


def fresh_tab(browser, service_workers: str):
    """A tab of a fresh profile, closed after the test."""
    context = browser.new_context(service_workers=service_workers)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def tab(browser):
    """A tab that allows service workers."""
    yield from fresh_tab(browser, "allow")


@pytest.fixture
def tab_without_worker(browser):
    """A tab where no service worker answers from a cache."""
    yield from fresh_tab(browser, "block")


def fetch(tab, url: str, method: str = "GET") -> tuple[str, float]:
    """What a fetch from the page gave ("200 page {...}" or "TypeError: ...") and how long."""
    started = time.monotonic()
    outcome = tab.evaluate(FETCH, [url, method])
    return outcome, time.monotonic() - started


def test_chromium_gets_through_when_up(server, proxy, tab):
    assert tab.goto(f"{proxy.url}/page").status == 200
    assert tab.locator("#msg").inner_text() == "arriba"
    assert fetch(tab, "/hit", "POST")[0] == '200 page {"hits": 1}'
    assert Request("GET", "/page") in proxy.requests


def test_chromium_gets_a_network_error_at_once_when_down(server, proxy, tab):
    tab.goto(f"{proxy.url}/page")  # leaves a kept-alive connection open
    proxy.mode = "down"
    outcome, seconds = fetch(tab, "/hit", "POST")
    assert outcome.startswith("TypeError") and seconds < QUICK_SECONDS, outcome
    started = time.monotonic()
    with pytest.raises(PlaywrightError, match=r"net::ERR_"):
        tab.goto(f"{proxy.url}/page")
    assert time.monotonic() - started < QUICK_SECONDS
    assert server.hits == 0
    proxy.mode = "up"
    # A new tab: the failed one is still busy showing Chromium's error page.
    assert tab.context.new_page().goto(f"{proxy.url}/page").status == 200


def test_chromium_loses_the_answer_but_the_server_handled_the_request(server, proxy, tab):
    tab.goto(f"{proxy.url}/page")
    proxy.mode = "drop_responses"
    outcome, seconds = fetch(tab, "/hit", "POST")
    assert outcome.startswith("TypeError") and seconds < QUICK_SECONDS, outcome
    # Chromium resends a request once when a reused connection fails before any answer, so
    # the server may have handled it twice: what the outbox's idempotency keys are for.
    assert server.hits in (1, 2)
    assert Request("POST", "/hit") in proxy.dropped  # (and maybe the late /favicon.ico)
    proxy.mode = "up"
    assert fetch(tab, "/hits")[0] == f'200 page {{"hits": {server.hits}}}'


def test_a_service_workers_own_requests_are_cut_too(server, proxy, tab):
    tab.goto(f"{proxy.url}/page")
    tab.evaluate("""async () => {
      await navigator.serviceWorker.register("/sw.js");
      await navigator.serviceWorker.ready;
      while (!navigator.serviceWorker.controller) await new Promise((r) => setTimeout(r, 20));
    }""")
    assert fetch(tab, "/hit", "POST")[0] == '200 service-worker {"hits": 1}'
    proxy.mode = "down"
    outcome, seconds = fetch(tab, "/hit", "POST")
    assert outcome.startswith("TypeError") and seconds < QUICK_SECONDS, outcome
    proxy.mode = "drop_responses"
    assert fetch(tab, "/hit", "POST")[0].startswith("TypeError")
    assert server.hits >= 2
    proxy.mode = "up"
    assert fetch(tab, "/hits")[0] == f'200 service-worker {{"hits": {server.hits}}}'


def test_the_proxied_server_fronts_the_live_app(proxied_server, tab_without_worker):  # noqa: F811
    tab = tab_without_worker  # the app's worker would answer the second visit from its cache
    assert tab.goto(f"{proxied_server.url}/login").status == 200
    assert tab.locator("input[name=username]").count() == 1
    assert Request("GET", "/login") in proxied_server.requests
    proxied_server.mode = "down"
    with pytest.raises(PlaywrightError, match=r"net::ERR_"):
        tab.goto(f"{proxied_server.url}/login")
