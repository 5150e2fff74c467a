"""Exactly-once writes: an Idempotency-Key is claimed, and kept with the response it produced.

The claim is committed first, so a second request with the same key while the first runs
gets 409. The view's changes and the stored response are committed together, so a crash
leaves either both or neither; a claim whose worker died is taken over after a lease.
Finished keys are purged after a while (`flask idempotency purge`, from cron).
"""

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

import sqlalchemy as sa
from flask import Response, current_app, make_response, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core.errors import error_response
from app.core.sqlite import (
    commit_keeping_loaded,
    read_until_locked,
    start_writing,
    take_write_lock,
)
from app.core.types import UTCDateTime, utcnow
from app.extensions import db


class IdempotencyRecord(db.Model):
    """A write's idempotency key and, once done, the response it produced."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(sa.String(100))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(10))  # running | done
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None]
    response_headers: Mapped[dict | None] = mapped_column(sa.JSON)
    response_body: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)


KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")
KEY_FIELD = "idempotency_key"
# Fields that change between a first try and a replay without changing what is asked.
_VOLATILE_FIELDS = {"csrf_token", KEY_FIELD}
_KEPT_HEADERS = ("Content-Type", "Location")
_records = IdempotencyRecord.__table__


def request_key() -> str | None:
    """The key sent in the Idempotency-Key header or the form's hidden field."""
    return request.headers.get("Idempotency-Key") or request.form.get(KEY_FIELD) or None


def fingerprint() -> str:
    """A digest of what the request asks for: method, path, query and body."""
    if request.is_json:
        body = json.dumps(request.get_json(silent=True), sort_keys=True, default=str)
    elif request.form:
        items = sorted(
            (k, v) for k, v in request.form.items(multi=True) if k not in _VOLATILE_FIELDS
        )
        body = json.dumps(items)
    else:
        body = request.get_data(as_text=True)
    raw = "\n".join([request.method, request.path, request.query_string.decode(), body])
    return hashlib.sha256(raw.encode()).hexdigest()


def write_endpoint(view: Callable) -> Callable:
    """Run a state-changing view in one transaction that the key makes happen once."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        start_writing()
        key = request_key()
        if key is None:
            return _run(view, args, kwargs, record_id=None)
        if not KEY_PATTERN.match(key):
            return error_response(
                400,
                "invalid_idempotency_key",
                _("La clave de idempotencia no es válida."),
                {"Idempotency-Key": _("Entre 8 y 100 letras, números, '.', '_', ':' o '-'.")},
            )
        claim = _claim(current_user.id, key, fingerprint())
        if isinstance(claim, Response):
            return claim
        return _run(view, args, kwargs, record_id=claim)

    wrapper.idempotent = True  # the API's document adds the Idempotency-Key header
    return wrapper


def _run(view: Callable, args, kwargs, record_id: int | None) -> Response:
    """Call the view; commit its changes (and the stored response) only when it succeeded."""
    if getattr(view, "reads_first", False):
        read_until_locked()
    try:
        response = make_response(view(*args, **kwargs))
        if response.status_code >= 400:
            db.session.rollback()
            _release(record_id)
            return response
        if record_id is not None:
            take_write_lock()
            headers = {k: v for k, v in response.headers.items() if _kept(k)}
            db.session.execute(
                sa.update(_records)
                .where(_records.c.id == record_id)
                .values(
                    state="done",
                    status_code=response.status_code,
                    response_headers=headers,
                    response_body=response.get_data(),
                )
            )
        db.session.commit()
        return response
    except IntegrityError:
        # A unique value taken by a concurrent request between our check and our commit.
        db.session.rollback()
        _release(record_id)
        return error_response(
            409,
            "conflict",
            _("Otra persona guardó un dato igual al mismo tiempo. Revisá y volvé a intentar."),
        )
    except BaseException:
        db.session.rollback()
        _release(record_id)
        raise


def _kept(header: str) -> bool:
    """Headers worth replaying: content type, redirects and htmx instructions."""
    return header in _KEPT_HEADERS or header.startswith("HX-")


def _claim(user_id: int, key: str, digest: str) -> int | Response:
    """Claim the key for this request, or answer from (or about) an earlier one."""
    now = utcnow()
    try:
        record = IdempotencyRecord(
            user_id=user_id, key=key, fingerprint=digest, state="running", claimed_at=now
        )
        db.session.add(record)
        db.session.flush()
        claimed = record.id
        commit_keeping_loaded()
        return claimed
    except IntegrityError:
        db.session.rollback()
    earlier = db.session.scalar(
        sa.select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    )
    if earlier.fingerprint != digest:
        return error_response(
            422,
            "idempotency_key_reused",
            _("Esta clave de idempotencia ya se usó para otra operación."),
            {"Idempotency-Key": _("Clave repetida con otro contenido.")},
        )
    if earlier.state == "done":
        replay = Response(earlier.response_body, status=earlier.status_code)
        replay.headers.update(earlier.response_headers or {})
        replay.headers["Idempotent-Replayed"] = "true"
        return replay
    lease = timedelta(seconds=current_app.config["IDEMPOTENCY_LEASE_SECONDS"])
    taken = db.session.execute(
        sa.update(_records)
        .where(
            _records.c.id == earlier.id,
            _records.c.state == "running",
            _records.c.claimed_at < now - lease,
        )
        .values(claimed_at=now)
    ).rowcount
    db.session.commit()
    if taken == 1:
        return earlier.id
    return error_response(
        409,
        "idempotency_key_in_progress",
        _("Esta operación ya se está procesando. Probá de nuevo en unos segundos."),
    )


def _release(record_id: int | None) -> None:
    """Forget a claim whose request failed, so the same key can be sent again."""
    if record_id is None:
        return
    db.session.execute(
        sa.delete(_records).where(_records.c.id == record_id, _records.c.state == "running")
    )
    db.session.commit()


def purge_done(older_than: timedelta) -> int:
    """Delete the finished keys (and their stored responses) claimed longer ago than this.

    Running claims stay. Returns how many were deleted; the caller commits.
    """
    cutoff = utcnow() - older_than
    return db.session.execute(
        sa.delete(_records).where(_records.c.state == "done", _records.c.claimed_at < cutoff)
    ).rowcount
