"""SQLite tuned for a web app: WAL, a busy timeout, foreign keys, and write transactions
that take the write lock when they begin.

A deferred transaction that reads first and writes later fails at once with "database is
locked" when another writer committed in between (waiting cannot help: its snapshot is
stale). Requests that write therefore begin their transactions IMMEDIATE, which waits for
the lock (up to the busy timeout) and then cannot fail that way; reads stay DEFERRED so
they never wait for writers.
"""

import sqlite3

from flask import g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db


@event.listens_for(Engine, "connect")
def _configure(dbapi_connection, _record) -> None:
    """WAL, busy timeout and foreign keys; SQLAlchemy (not the driver) emits BEGIN."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@event.listens_for(Engine, "begin")
def _begin(connection) -> None:
    """BEGIN IMMEDIATE inside a writing request, BEGIN (deferred) otherwise."""
    if connection.dialect.name == "sqlite":
        writing = has_app_context() and g.get("sqlite_writing", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def start_writing() -> None:
    """From here on this request's transactions take the write lock as they begin."""
    db.session.rollback()
    g.sqlite_writing = True
