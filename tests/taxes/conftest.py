"""Fixtures: a throwaway AFIP certificate and the fake registry served on 127.0.0.1."""

import threading

import pytest
from werkzeug.serving import make_server

from app.taxes import padron
from app.taxes.fake_registry import PADRON_PATH, WSAA_PATH, FakeRegistry, make_certificate

COMPANY_CUIT = "20111111112"


@pytest.fixture(scope="session")
def afip_certificate(tmp_path_factory):
    """A self-signed certificate and key, as the company's would be (made once per run)."""
    return make_certificate(tmp_path_factory.mktemp("afip"), COMPANY_CUIT)


@pytest.fixture
def fake_registry(afip_certificate):
    """The fake WSAA and registry, served over real HTTP in a thread."""
    registry = FakeRegistry(afip_certificate[0].read_bytes(), slow_seconds=1.5)
    server = make_server("127.0.0.1", 0, registry, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    registry.base_url = f"http://127.0.0.1:{server.port}"
    yield registry
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def registry(app, fake_registry, afip_certificate, tmp_path, monkeypatch):
    """The app pointed at the fake registry; caches in tmp_path, short timeout and backoff."""
    cert_path, key_path = afip_certificate
    settings = {
        "AFIP_WSAA_URL": fake_registry.base_url + WSAA_PATH,
        "AFIP_PADRON_URL": fake_registry.base_url + PADRON_PATH,
        "AFIP_CERT_PATH": str(cert_path),
        "AFIP_KEY_PATH": str(key_path),
        "AFIP_CUIT": COMPANY_CUIT,
        "AFIP_TIMEOUT": 0.5,
        "PADRON_CACHE_SECONDS": 600,
    }
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setattr(padron, "BACKOFF_SECONDS", 0.01)
    return fake_registry
