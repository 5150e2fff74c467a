"""Sending Web Push notifications (VAPID), best effort: the in-app lists stay the fallback."""

import base64
import json
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.core.types import utcnow
from app.extensions import db
from app.jobs.queue import start_job
from app.push.models import PushSubscription

log = logging.getLogger(__name__)
PUSH = "push.notify"  # the job that sends a notification
SEND_TIMEOUT = 5  # seconds per push service request
# Push services are HTTPS; a loopback address is a local test service.
PUSH_SCHEMES = ("https://", "http://127.0.0.1:", "http://localhost:")


class SubscriptionError(ValueError):
    """A subscription the browser sent that cannot be stored; carries field -> message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


def enabled() -> bool:
    """True when VAPID keys are configured."""
    return bool(current_app.config.get("VAPID_PRIVATE_KEY")) and bool(public_key())


def public_key() -> str:
    """The application server key browsers subscribe with (base64url, uncompressed point)."""
    return current_app.config.get("VAPID_PUBLIC_KEY") or ""


def new_vapid_keys() -> tuple[str, str]:
    """A fresh (private, public) VAPID key pair, both base64url without padding."""
    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid

    vapid = Vapid()
    vapid.generate_keys()
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64(private), _b64(public)


def _b64(raw: bytes) -> str:
    """Base64url without padding, as Web Push writes keys."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def subscribe(user, data: dict) -> PushSubscription:
    """Store (or move to this user) the subscription a browser's PushManager returned."""
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    keys = data.get("keys") if isinstance(data, dict) else None
    errors = {}
    if (
        not isinstance(endpoint, str)
        or not endpoint.startswith(PUSH_SCHEMES)
        or len(endpoint) > 1000
    ):
        errors["endpoint"] = _("La suscripción no tiene una dirección válida.")
    if not isinstance(keys, dict) or not all(
        isinstance(keys.get(k), str) and 0 < len(keys[k]) <= 200 for k in ("p256dh", "auth")
    ):
        errors["keys"] = _("La suscripción no trae sus claves.")
    if errors:
        raise SubscriptionError(errors)
    row = db.session.scalar(
        sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    )
    values = {"user_id": user.id, "p256dh": keys["p256dh"], "auth": keys["auth"]}
    if row is None:
        row = PushSubscription(endpoint=endpoint, **values)
        db.session.add(row)
    else:  # the browser subscribed again, perhaps signed in as someone else now
        for name, value in values.items():
            setattr(row, name, value)
        row.last_error = None
    db.session.flush()
    return row


def unsubscribe(user, endpoint: str) -> bool:
    """Forget one of the user's subscriptions; True when there was one."""
    row = db.session.scalar(
        sa.select(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id
        )
    )
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


@dataclass(frozen=True)
class Action:
    """A button on a notification: what the service worker is told, and its label."""

    action: str
    title: str


@dataclass(frozen=True)
class Message:
    """What a notification shows, the page a tap opens, and the buttons it may carry."""

    title: str
    body: str
    url: str
    tag: str | None = None
    actions: tuple[Action, ...] = ()
    data: dict | None = None  # what the service worker needs to act on a button

    def as_dict(self) -> dict:
        """The message as plain values (a job's parameters)."""
        return {
            "title": self.title,
            "body": self.body,
            "url": self.url,
            "tag": self.tag,
            "actions": [{"action": a.action, "title": a.title} for a in self.actions],
            "data": self.data,
        }

    def payload(self) -> str:
        """The JSON the service worker reads."""
        body = {"title": self.title, "body": self.body, "url": self.url, "tag": self.tag}
        if self.actions:
            body["actions"] = [{"action": a.action, "title": a.title} for a in self.actions]
        if self.data:
            body["data"] = self.data
        return json.dumps(body, ensure_ascii=False)


def notify(user_ids: list[int], message: Message) -> int:
    """Push the message to every browser of these users; returns how many accepted it.

    A subscription the push service says is gone (404, 410) is deleted; other failures are
    recorded on it and logged, never raised: the sender's request must not fail for them.
    """
    if not enabled() or not user_ids:
        return 0
    rows = db.session.scalars(
        sa.select(PushSubscription).where(PushSubscription.user_id.in_(user_ids))
    ).all()
    from pywebpush import WebPushException, webpush  # here: 40 MB a worker never sending needs not

    delivered = 0
    claims = {"sub": current_app.config.get("VAPID_SUBJECT") or "mailto:admin@example.com"}
    for row in rows:
        info = {"endpoint": row.endpoint, "keys": {"p256dh": row.p256dh, "auth": row.auth}}
        try:
            webpush(
                info,
                data=message.payload(),
                vapid_private_key=current_app.config["VAPID_PRIVATE_KEY"],
                vapid_claims=dict(claims),
                timeout=SEND_TIMEOUT,
                ttl=24 * 3600,
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (404, 410):
                db.session.delete(row)
                continue
            row.last_error = str(exc)[:300]
            log.warning("push to user %s failed: %s", row.user_id, exc)
            continue
        except Exception as exc:  # network errors, bad keys: never the sender's problem
            row.last_error = str(exc)[:300]
            log.warning("push to user %s failed: %s", row.user_id, exc)
            continue
        row.last_sent_at = utcnow()
        row.last_error = None
        delivered += 1
    db.session.flush()
    return delivered


def notify_after_commit(user_ids: list[int], message: Message) -> None:
    """Push once the caller's changes are committed, from a background job.

    The sender's transaction (and the client's lock it holds) does not wait on a push
    service, and nothing is pushed for a change that rolled back.
    """
    if not enabled() or not user_ids:
        return
    start_job(
        PUSH,
        _("Aviso al teléfono: %(title)s", title=message.title),
        None,
        {"user_ids": sorted(set(user_ids)), "message": message.as_dict()},
    )


def message_from(data: dict) -> Message:
    """A message as a push job keeps it."""
    actions = tuple(Action(**each) for each in data.get("actions") or ())
    return Message(
        data["title"], data["body"], data["url"], data.get("tag"), actions, data.get("data")
    )
