"""Reference rows kept between requests in each process, read again as soon as their tables
change anywhere.

Client types, price lists, sale conditions, credit policies and bands, zones, segments,
categories and families change a few times a month, and an order reads several of them. Their
rows are synced to phones, so every insert, change and soft delete gives the row a new change
number (app/core/changes.py), and numbers become visible in the order they were handed out.
The latest number of each of those tables is therefore a version of all of them: one query a
transaction reads it, and a cached answer is used only while it is the same. A change committed
by any process, on any host, is seen by the next transaction that starts after it.

What is cached: relationship loads of those models (`client.client_type`), selects marked
with `.execution_options(reference_cache=True)` that read only their tables, and what `kept()`
builds from them (a lookup table made once instead of walking the rows on every request).
A transaction that changes one of those tables neither reads nor fills the cache (its numbers
are not committed yet; a rollback would give them out again). Rows are kept as detached copies and
merged into each session, so a request never shares an instance with another.

Writes that bypass the ORM's flush (plain SQL) give no new change number: phones would miss
them too, and so would this cache.
"""

import copy
import threading
import weakref
from collections.abc import Callable
from itertools import chain
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session, loading, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.util import find_tables

T = TypeVar("T")
CACHED = "reference_cache"  # the execution option that marks a select of reference rows
MAX_ANSWERS = 5_000  # per database; past it the cache starts over
_VERSION = "reference_version"  # session.info keys, for the current transaction
_WROTE = "reference_written"

_models: list[type] = []
_tables: dict[str, sa.Table] = {}  # by name: ORM statements name annotated copies
_version_select: sa.Select | None = None
_shapes: dict[tuple, bool] = {}  # statement shape -> reads reference tables only
_caches: "weakref.WeakKeyDictionary[Engine, _Cache]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


class _Cache:
    """One database's cached answers: {key: (version, rows)}, the SQL text of each shape, and
    what kept() built: {name: (version, value)}."""

    def __init__(self):
        self.answers: dict[str, tuple[tuple, sa.FrozenResult]] = {}
        self.sql: dict = {}
        self.built: dict[str, tuple[tuple, object]] = {}


def cache_reads_of(*models: type) -> None:
    """Keep the reads of these synced models (they have `change_seq`) between requests."""
    for model in models:
        if "change_seq" not in model.__table__.c:
            raise TypeError(f"{model.__name__} has no change numbers to tell when it changes")
        _models.append(model)
        _tables[model.__table__.name] = model.__table__


def _version_query() -> sa.Select:
    """One row: the latest change number of each reference table (built once)."""
    global _version_select
    if _version_select is None or len(_version_select.selected_columns) != len(_tables):
        _version_select = sa.select(
            *(
                sa.select(sa.func.max(table.c.change_seq)).scalar_subquery()
                for _name, table in sorted(_tables.items())
            )
        )
    return _version_select


def _version_of(session: Session) -> tuple:
    """The latest change number of each reference table, read once a transaction."""
    version = session.info.get(_VERSION)
    if version is None:
        version = tuple(session.connection().execute(_version_query()).one())
        session.info[_VERSION] = version
    return version


def _changes_reference(session: Session) -> bool:
    """True when the session holds unflushed changes to reference rows."""
    classes = tuple(_models)
    return any(
        isinstance(obj, classes) for obj in chain(session.new, session.dirty, session.deleted)
    )


def _cacheable(state: ORMExecuteState) -> bool:
    """A plain read of reference rows, in a transaction that has not changed them."""
    mapper = state.bind_mapper
    if mapper is None or mapper.local_table.name not in _tables:
        return False
    if not (state.execution_options.get(CACHED) or state.is_relationship_load):
        return False
    if state.statement._for_update_arg is not None or state.load_options._populate_existing:
        return False
    if state.execution_options.get("populate_existing"):
        return False
    session = state.session
    return not session.info.get(_WROTE) and not _changes_reference(session)


def _reads_reference_only(statement: sa.Select, shape: tuple) -> bool:
    """True when every table the statement reads, anywhere in it, is a reference table."""
    known = _shapes.get(shape)
    if known is None:
        read = {table.name for table in find_tables(statement, check_columns=True)}
        known = _shapes[shape] = bool(read) and read <= _tables.keys()
    return known


def _cache_of(session: Session) -> _Cache:
    """The cache of the database the session is on."""
    engine = session.connection().engine
    with _lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = _Cache()
    return cache


def kept(session: Session, name: str, build: Callable[[], T]) -> T:
    """What build() makes of reference rows (and of nothing else), kept under `name` while
    their tables are unchanged, as the cached selects are. The value is shared by every
    request of the process: build it of plain values, and never change it.

    A transaction that changed reference rows gets a fresh build, not kept."""
    if session.info.get(_WROTE) or _changes_reference(session):
        return build()
    cache = _cache_of(session)
    version = _version_of(session)
    found = cache.built.get(name)
    if found is not None and found[0] == version:
        return found[1]
    value = build()
    with _lock:
        cache.built[name] = (version, value)
    return value


def _detached_copy(value):
    """A detached copy of a loaded instance (its loaded columns), or a copy of a plain value."""
    try:
        state = sa.inspect(value)
    except sa.exc.NoInspectionAvailable:
        return copy.deepcopy(value)
    kept = state.mapper.class_manager.new_instance()
    for column in state.mapper.column_attrs:
        if column.key in state.dict:
            set_committed_value(kept, column.key, copy.deepcopy(state.dict[column.key]))
    make_transient_to_detached(kept)
    return kept


@event.listens_for(Session, "do_orm_execute")
def _answer_from_cache(state: ORMExecuteState):
    """Answer a read of reference rows from the cache while their tables are unchanged."""
    if not state.is_select:
        written = getattr(getattr(state.statement, "table", None), "name", None)
        if written in _tables:
            state.session.info[_WROTE] = True  # a bulk insert, update or delete of them
        return None
    if not _cacheable(state):
        return None
    statement = state.statement
    shape = statement._generate_cache_key()
    if shape is None or not _reads_reference_only(statement, shape.key):
        return None
    session = state.session
    cache = _cache_of(session)
    version = _version_of(session)
    key = shape.to_offline_string(cache.sql, statement, state.parameters or {})
    found = cache.answers.get(key)
    if found is not None and found[0] == version:
        return loading.merge_frozen_result(session, statement, found[1], load=False)()
    frozen = state.invoke_statement().freeze()
    rows = [tuple(_detached_copy(value) for value in row) for row in frozen()]
    with _lock:
        if len(cache.answers) >= MAX_ANSWERS:
            cache.answers.clear()
        cache.answers[key] = (version, frozen.with_new_rows(rows))
    return frozen()


@event.listens_for(Session, "before_flush")
def _note_reference_writes(session: Session, _context, _instances) -> None:
    """A transaction that changes reference rows stops using the cache until it ends."""
    if _changes_reference(session):
        session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_version(session: Session, transaction) -> None:
    """The next transaction reads the version again."""
    if transaction.parent is None:
        session.info.pop(_VERSION, None)
        session.info.pop(_WROTE, None)
