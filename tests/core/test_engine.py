"""Connections are set up for the engine in use."""

import sqlalchemy as sa

from app.extensions import db


def test_postgresql_connections_run_without_jit(app):
    if db.engine.dialect.name != "postgresql":
        assert db.session.scalar(sa.text("PRAGMA journal_mode")) == "wal"
        return
    assert db.session.scalar(sa.text("SHOW jit")) == "off"
