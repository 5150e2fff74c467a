"""Fixtures: the app on SQLite (and PostgreSQL when TEST_DATABASE_URL is set), clients per role."""

import contextvars
import os
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from app import create_app
from app.audit.chain import GENESIS
from app.audit.immutability import CREATE_TRIGGERS, DROP_TRIGGERS
from app.core import types as core_types
from app.extensions import db, limiter
from tests import factories

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_DATABASE_URL")
DATABASES = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def pytest_configure(config):
    """In CI both databases must run: refuse to start without PostgreSQL."""
    if IN_CI and not PG_URL:
        raise pytest.UsageError("CI=true needs TEST_DATABASE_URL (a PostgreSQL database)")


def app_config(database_url: str) -> dict:
    """Settings for a test app."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


class IsolatedClient(FlaskClient):
    """Each request runs outside the test's app context, as a real request would.

    Otherwise a request reuses the test's context, and `g` (the signed-in user) and the
    database session would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        """Send the request from an empty context, after ending the test's own transaction.

        A test's open read transaction would keep an old SQLite snapshot, and its next write
        would then fail with "database is locked" once the request has committed.
        """
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


def reset_schema(url: str) -> None:
    """Start the test database empty, then build it with the migrations."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory) -> str:
    """One database per engine for the whole run."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    return PG_URL


@pytest.fixture(scope="session")
def _migrated_app(database_url):
    """The app over a database built by the migrations, once per engine."""
    reset_schema(database_url)
    app = create_app(app_config(database_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def empty_tables() -> None:
    """Delete every row but the change counter's and the audit chain head's, children first."""
    keep = {"change_counter", "audit_chain_head"}
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in keep]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        # The append-only triggers would refuse emptying the audit log between tests.
        for statement in DROP_TRIGGERS["sqlite"]:
            db.session.execute(sa.text(statement))
        for table in tables:
            db.session.execute(table.delete())
        for statement in CREATE_TRIGGERS["sqlite"]:
            db.session.execute(sa.text(statement))
    # The audit log is empty again, so its hash chain starts over.
    db.session.execute(
        sa.text("UPDATE audit_chain_head SET last_seq = 0, last_hash = :genesis"),
        {"genesis": GENESIS},
    )
    db.session.commit()


@pytest.fixture
def app(_migrated_app):
    """The app in an app context; tables emptied and rate limits reset after each test."""
    with _migrated_app.app_context():
        yield _migrated_app
        db.session.rollback()
        empty_tables()
        db.session.remove()
    limiter.reset()


@pytest.fixture
def client(app):
    """An anonymous browser."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """The CLI runner."""
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Browser:
    """A test client that signs in through the real form and submits forms with their token."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = factories.PASSWORD):
        """Sign in through /login."""
        token = csrf_from(self.client.get("/login").get_data(as_text=True))
        return self.client.post(
            "/login", data={"csrf_token": token, "username": username, "password": password}
        )

    def get(self, *args, **kwargs):
        """GET a page."""
        return self.client.get(*args, **kwargs)

    def submit(self, form_page: str, action: str | None = None, **data):
        """Load a form page, then POST to its action with the page's CSRF token."""
        html = self.client.get(form_page).get_data(as_text=True)
        data.setdefault("csrf_token", csrf_from(html))
        return self.client.post(action or form_page, data=data)


@pytest.fixture
def browser(client):
    """An anonymous browser that knows how to sign in and submit forms."""
    return Browser(client)


@pytest.fixture
def login_as(app):
    """Factory: a browser signed in as a new user of the given role."""

    def make(role: str, **fields) -> Browser:
        user = factories.make_user(role=role, **fields)
        db.session.commit()
        signed_in = Browser(app.test_client())
        response = signed_in.login(user.username)
        assert response.status_code == 303, response.get_data(as_text=True)
        signed_in.user = user
        return signed_in

    return make


@pytest.fixture
def frozen_clock(monkeypatch):
    """Freeze the clock at a UTC instant, read as a server whose own clock runs on UTC reads it.

    local_today() and utcnow() see the instant; so does code in the modules given that reads
    the server's date (date.today(), datetime.now()), which is the UTC date.
    """

    def freeze(instant: datetime, *modules) -> None:
        class FrozenDateTime(datetime):
            @classmethod
            def now(cls, tz=None):
                return instant.astimezone(tz or UTC).replace(tzinfo=tz)

        class FrozenDate(date):
            @classmethod
            def today(cls):
                return instant.astimezone(UTC).date()

        monkeypatch.setattr(core_types, "datetime", FrozenDateTime)
        frozen = {"datetime": (datetime, FrozenDateTime), "date": (date, FrozenDate)}
        for module in modules:
            for name, (real, stand_in) in frozen.items():
                if getattr(module, name, None) is real:
                    monkeypatch.setattr(module, name, stand_in)

    return freeze
