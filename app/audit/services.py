"""Writing audit rows; the request that made the change commits them with it."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from flask_login import current_user

from app.audit.models import AuditEntry
from app.core.types import utcnow
from app.extensions import db

# Who the rows written outside a request (a job, a command) are attributed to.
_acting_user_id: ContextVar[int | None] = ContextVar("audit_acting_user_id", default=None)


@contextmanager
def acting_as(user_id: int | None) -> Iterator[None]:
    """Attribute the audit rows written inside the block to this user, when no request says."""
    token = _acting_user_id.set(user_id)
    try:
        yield
    finally:
        _acting_user_id.reset(token)


def changed_only(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Keep just the keys whose values differ, so an update row says what changed."""
    if before is None or after is None:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    action: str,
    entity_type: str,
    entity_id: object,
    before: dict | None = None,
    after: dict | None = None,
    actor_id: int | None = None,
) -> AuditEntry:
    """Add one audit row to the current transaction."""
    remote_addr = None
    if has_request_context():
        remote_addr = request.remote_addr
        if actor_id is None and current_user and current_user.is_authenticated:
            actor_id = current_user.id
    if actor_id is None:
        actor_id = _acting_user_id.get()
    before, after = changed_only(before, after)
    entry = AuditEntry(
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=before,
        after=after,
        actor_id=actor_id,
        remote_addr=remote_addr,
        at=utcnow(),
    )
    db.session.add(entry)
    return entry
