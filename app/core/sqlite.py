"""SQLite tuned for a web app: WAL, a busy timeout, foreign keys, and write transactions
that take the write lock when they begin.

A deferred transaction that reads first and writes later fails at once with "database is
locked" when another writer committed in between (waiting cannot help: its snapshot is
stale). Requests that write therefore begin their transactions IMMEDIATE, which waits for
the lock (up to the busy timeout) and then cannot fail that way; reads stay DEFERRED so
they never wait for writers.

A request that does a lot of reading before a short write (an order: its client, prices,
discounts and taxes) is marked `reads_first`: it reads in a deferred transaction and takes
the write lock with `take_write_lock` just before its final re-check and insert, so orders
from other phones price in parallel and only their last few statements queue.
"""

import sqlite3
from collections.abc import Callable

import sqlalchemy as sa
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
    """From here on this request's transactions take the write lock as they begin.

    The transaction that authenticated the request only read: it ends keeping the user loaded.
    """
    session = db.session()
    if session.new or session.dirty or session.deleted:
        session.rollback()
    else:
        commit_keeping_loaded()
    g.sqlite_writing = True


def reads_first(view: Callable) -> Callable:
    """Mark a writing view that reads first and calls `take_write_lock` before it writes."""
    view.reads_first = True
    return view


def read_until_locked() -> None:
    """From here on this request's transactions begin deferred, until `take_write_lock`."""
    g.sqlite_writing = False
    g.sqlite_reading_first = True


def take_write_lock() -> None:
    """Hold the write lock from here to the commit; on PostgreSQL, row locks do that instead.

    On SQLite a deferred transaction that has read cannot start writing once another writer
    committed after it began: the reading one is ended (it changed nothing, and what it
    loaded stays loaded) and an IMMEDIATE one begins, which then sees every commit. What the
    caller decides under the lock must come from reads made after this call.
    """
    if not has_app_context() or not g.get("sqlite_reading_first") or g.sqlite_writing:
        return  # outside a `reads_first` request the transaction holds the lock already
    if db.engine.dialect.name == "sqlite":
        session = db.session()
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("changes made before taking the write lock")
        commit_keeping_loaded()
    g.sqlite_writing = True


def commit_keeping_loaded() -> None:
    """Commit without expiring what the request loaded (its user, its client...)."""
    session = db.session()
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


# Rows ANALYZE reads per index on SQLite: approximate statistics in milliseconds, enough for
# the planner to see, for instance, that a document's kind picks most of the table.
ANALYSIS_LIMIT = 1000


def refresh_statistics() -> None:
    """Give the query planner fresh statistics of the tables, and commit.

    SQLite keeps none until asked, and without them it reads a year of documents through the
    index of their kind, a row at a time (100,000 clients: the 12-month trend 3.0 s, 1.5 s
    with statistics; the margin ranking 4.0 s, 1.8 s). PostgreSQL's autovacuum keeps its own;
    asking again does no harm. Run nightly by the job queue and after the demo data loads.
    """
    if db.engine.dialect.name == "sqlite":
        db.session.execute(sa.text(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}"))
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
