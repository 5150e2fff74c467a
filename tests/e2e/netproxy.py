"""A TCP proxy between the browser and the live server that really cuts the network.

Playwright's `context.set_offline(True)` does not reach a service worker's own requests
(microsoft/playwright#2311), so a test of the offline outbox points the browser at this
proxy and cuts it here, where every request of the page and of its service worker passes.

    proxy = NetProxy("127.0.0.1", 5000).start()
    page.goto(proxy.url + "/clients")
    proxy.mode = "down"            # fetch fails at once, open keep-alive connections too
    proxy.mode = "drop_responses"  # the server gets and handles requests, the answers are lost
    proxy.mode = "up"
    proxy.cut_at = lambda r: r.method == "POST"  # the network goes down as the next POST leaves
    proxy.requests                 # [Request("GET", "/clients"), ...] as the server got them
    proxy.stop()

Stdlib only: a thread accepts, and each connection gets a thread that relays both ways.
"""

import contextlib
import selectors
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest

MODES = ("up", "down", "drop_responses")
# How often an idle connection looks at the mode, and how long a cut may take to finish.
POLL_SECONDS = 0.05
CUT_WAIT_SECONDS = 2.0
# After a dropped answer, the rest of it is read and thrown away for at most this long, so
# the server finishes writing instead of tripping over a reset connection.
DRAIN_SECONDS = 1.0
CHUNK = 65536


class Request(NamedTuple):
    """A request the proxy passed to the server: its method and target (path and query)."""

    method: str
    path: str


class RequestSplitter:
    """Finds where each request starts in one connection's bytes (keep-alive carries several).

    Bodies are skipped by their Content-Length, or chunk by chunk when chunked.
    """

    def __init__(self):
        self._buffer = b""
        self._body_left = 0  # bytes of a body (or of a chunk and its CRLF) still to skip
        self._chunked = False
        self._trailer = False  # after the last chunk: trailer lines until an empty one

    def feed(self, data: bytes) -> list[Request]:
        """The requests whose head is complete in the bytes seen so far."""
        self._buffer += data
        found = []
        while self._skip_body():
            self._buffer = self._buffer.lstrip(b"\r\n")  # blank lines between requests
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = self._buffer[:end].decode("latin-1").split("\r\n")
            self._buffer = self._buffer[end + 4 :]
            method, _, rest = head[0].partition(" ")
            found.append(Request(method, rest.rpartition(" ")[0] or rest))
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in head[1:])
            }
            if "chunked" in headers.get("transfer-encoding", "").lower():
                self._chunked = True
            else:
                self._body_left = int(headers.get("content-length") or 0)
        return found

    def _skip_body(self) -> bool:
        """Drop the current body from the buffer; False while part of it has not arrived."""
        while True:
            if self._body_left:
                taken = min(self._body_left, len(self._buffer))
                self._buffer = self._buffer[taken:]
                self._body_left -= taken
                if self._body_left:
                    return False
            if not self._chunked:
                return True
            line_end = self._buffer.find(b"\r\n")
            if line_end < 0:
                return False
            line, self._buffer = self._buffer[:line_end], self._buffer[line_end + 2 :]
            if self._trailer:
                if not line:
                    self._chunked = self._trailer = False
                continue
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self._trailer = True
            else:
                self._body_left = size + 2  # the chunk and its CRLF


class _Link:
    """One browser connection and the server connection it is relayed to."""

    def __init__(self, browser: socket.socket, server: socket.socket):
        self.browser = browser
        self.server = server
        self.splitter = RequestSplitter()
        self.last: Request | None = None  # the request the next answer belongs to
        self.cut = threading.Event()
        self.closed = threading.Event()


class NetProxy:
    """A local TCP proxy to one server whose network a test can cut, or make lose answers."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.requests: list[Request] = []
        self.dropped: list[Request] = []  # requests the server answered but the browser never saw
        # In "drop_responses", only the answers to the requests this says yes to are lost
        # (all of them when None), e.g. `lambda r: r.method == "POST"`.
        self.drop_if: Callable[[Request], bool] | None = None
        # Once: when a request this says yes to reaches the proxy, the network goes down right
        # then, as if it dropped while that request was on its way: the server never sees it,
        # the browser gets a reset, and the mode stays "down" until the test sets it again.
        self.cut_at: Callable[[Request], bool] | None = None
        self._mode = "up"
        self._lock = threading.Lock()
        self._links: set[_Link] = set()
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def _cuts_at(self, requests: list[Request]) -> bool:
        """Whether one of these requests takes the network down (cut_at); if so, it is down."""
        with self._lock:
            if self.cut_at is None or not any(self.cut_at(request) for request in requests):
                return False
            self.cut_at = None
            self._mode = "down"
            links = list(self._links)
        for link in links:  # the caller's own link among them: it is cut as it returns
            link.cut.set()
        return True

    def _drops(self, request: Request | None) -> bool:
        """Whether the answer to this request is to be lost."""
        return self.drop_if is None or (request is not None and self.drop_if(request))

    @classmethod
    def for_url(cls, url: str) -> "NetProxy":
        """A proxy to the server at this http:// address."""
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 80)

    def start(self) -> "NetProxy":
        """Listen on 127.0.0.1 at a free port."""
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._listener.settimeout(POLL_SECONDS)
        self._spawn(self._accept, "netproxy-accept")
        return self

    @property
    def port(self) -> int:
        """The port the browser connects to."""
        assert self._listener is not None, "start() the proxy first"
        return self._listener.getsockname()[1]

    @property
    def url(self) -> str:
        """The address to give the browser instead of the server's."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def mode(self) -> str:
        """What the network does: "up" relays, "down" resets, "drop_responses" loses answers."""
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        """Switch; going down also resets the open connections before returning."""
        if value not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {value!r}")
        with self._lock:
            self._mode = value
            links = list(self._links) if value == "down" else []
        for link in links:
            link.cut.set()
        deadline = time.monotonic() + CUT_WAIT_SECONDS
        for link in links:
            link.closed.wait(max(0.0, deadline - time.monotonic()))

    def stop(self) -> None:
        """Close the listener and every connection, and wait for the threads."""
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=CUT_WAIT_SECONDS)
        if self._listener is not None:
            self._listener.close()

    def __enter__(self) -> "NetProxy":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def _spawn(self, target, name: str, *args) -> None:
        """A daemon thread, remembered so stop() can wait for it."""
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _accept(self) -> None:
        """Take connections until stopped; each gets its own relay thread."""
        while not self._stopping.is_set():
            try:
                browser, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            browser.settimeout(None)
            self._spawn(self._serve, "netproxy-link", browser)

    def _serve(self, browser: socket.socket) -> None:
        """Relay one browser connection, or reset it at once when the network is down."""
        if self._mode == "down":
            _reset(browser)
            return
        try:
            server = socket.create_connection(self.target, timeout=5)
        except OSError:
            _reset(browser)
            return
        server.settimeout(None)
        link = _Link(browser, server)
        with self._lock:
            if self._mode == "down":  # cut while we were connecting
                _reset(browser)
                server.close()
                return
            self._links.add(link)
        try:
            self._relay(link)
        finally:
            with self._lock:
                self._links.discard(link)
            link.closed.set()

    def _relay(self, link: _Link) -> None:
        """Pass bytes both ways until a side closes, the network is cut or the proxy stops."""
        with selectors.DefaultSelector() as selector:
            selector.register(link.browser, selectors.EVENT_READ)
            selector.register(link.server, selectors.EVENT_READ)
            while not link.cut.is_set() and not self._stopping.is_set():
                for key, _events in selector.select(timeout=POLL_SECONDS):
                    data = _recv(key.fileobj)
                    if not data:
                        _close(link)
                        return
                    if key.fileobj is link.browser:
                        requests = link.splitter.feed(data)
                        if self._cuts_at(requests):
                            _cut(link)
                            return
                        for request in requests:
                            self.requests.append(request)
                            link.last = request
                        if not _send(link.server, data):
                            _cut(link)
                            return
                    elif self._mode == "drop_responses" and self._drops(link.last):
                        # The server has answered, so it has done the work: lose the answer.
                        if link.last is not None:
                            self.dropped.append(link.last)
                        _reset(link.browser)
                        _drain(link.server)
                        return
                    elif not _send(link.browser, data):
                        _close(link)
                        return
        _cut(link)


def _recv(sock: socket.socket) -> bytes:
    """What the socket has, or b"" when it closed or broke."""
    try:
        return sock.recv(CHUNK)
    except OSError:
        return b""


def _send(sock: socket.socket, data: bytes) -> bool:
    """Send it all; False when the other side is gone."""
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset, so the other side fails at once with a network error."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _close(link: _Link) -> None:
    """A side closed: close both, in order (a close-delimited answer ends with its FIN)."""
    for sock in (link.browser, link.server):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


def _cut(link: _Link) -> None:
    """The network went down: the browser sees a reset; the server just sees the client go."""
    _reset(link.browser)
    link.server.close()


def _drain(server: socket.socket) -> None:
    """Read and drop the rest of an answer, then close, so the server finishes its write."""
    deadline = time.monotonic() + DRAIN_SECONDS
    server.settimeout(POLL_SECONDS)
    while time.monotonic() < deadline:
        try:
            if not server.recv(CHUNK):
                break
        except TimeoutError:
            break  # quiet: the answer was all there
        except OSError:
            break
    server.close()


@pytest.fixture
def proxied_server(live_server) -> Iterator[NetProxy]:
    """This test's own proxy in front of the live server: browse `.url`, cut with `.mode`."""
    proxy = NetProxy.for_url(live_server).start()
    try:
        yield proxy
    finally:
        proxy.stop()
