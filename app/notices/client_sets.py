"""One notice for a hand-picked set of clients (or every client of a list search): a client
notice for each, made in one transaction, with an audit row per notice and one for the set.

Each client gets its own notice (target_kind "client"), so the sync feed and the phone show it
as any other client notice, and each can be edited or taken down on its own.
"""

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import services as audit
from app.auth.models import User
from app.clients.models import Client
from app.clients.services import filter_clients, scoped_clients, search_clients
from app.core.routing import MAX_ID
from app.extensions import db
from app.notices.models import Notice
from app.notices.rules import Audience, TargetKind
from app.notices.services import NoticeError, audit_view, problems

# Sets larger than this are made by a background job (app/notices/jobs.py).
DIRECT_MOST = 500
# No set is larger than this: a notice for more clients is one for a group (zone, type, ...).
SET_MOST = 20_000
SEARCH_FIELDS = (
    "q", "state", "client_type_id", "sales_zone_id", "salesperson_id", "collector_id",
    "segment1_id", "credit",
)  # fmt: skip
SHOWN_NAMES = 5


def picked_ids(raw: list[str]) -> list[int]:
    """The client ids a form sent, as numbers that can exist, each once, in order."""
    ids: list[int] = []
    for text in raw:
        text = (text or "").strip()
        if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID and int(text) not in ids:
            ids.append(int(text))
    return ids


def chosen_clients(user: User, ids: list[int], search: dict | None = None) -> sa.Select:
    """The live clients in the user's scope that were picked by id, or (given a search) every
    client the list search and filters find."""
    query = scoped_clients(user)
    if search is not None:
        query = search_clients(query, search.get("q") or "")
        return filter_clients(query, search)
    return query.where(Client.id.in_(ids or [0]))


def chosen_ids(user: User, ids: list[int], search: dict | None = None) -> list[int]:
    """The ids of the chosen clients (at most SET_MOST + 1, to tell a set that is too large)."""
    query = chosen_clients(user, ids, search).with_only_columns(Client.id).order_by(Client.id)
    return list(db.session.scalars(query.limit(SET_MOST + 1)))


def preview(user: User, ids: list[int], search: dict | None = None) -> tuple[int, list[Client]]:
    """How many clients are chosen, and the first few of them by name, for the form."""
    query = chosen_clients(user, ids, search)
    count = db.session.scalar(query.with_only_columns(sa.func.count(Client.id)).order_by(None))
    name = sa.func.coalesce(Client.trade_name, Client.legal_name)
    first = db.session.scalars(query.order_by(name, Client.id).limit(SHOWN_NAMES)).all()
    return count or 0, list(first)


def set_problems(values: dict, user: User, client_ids: list[int]) -> dict[str, str]:
    """What is wrong with a notice for a set, field -> Spanish message (empty: nothing)."""
    if not client_ids:
        errors = problems(values | {"target_kind": TargetKind.CLIENT, "target_id": 0}, user)
        errors.pop("target_id", None)
        return errors | {"client_ids": _("Elegí al menos un cliente de la lista.")}
    if len(client_ids) > SET_MOST:
        return {
            "client_ids": _(
                "Son más de %(most)d clientes: hacé un aviso para un grupo.", most=SET_MOST
            )
        }
    # The target is checked by the set (ids in the user's scope), not client by client here.
    target = {"target_kind": TargetKind.CLIENT, "target_id": client_ids[0]}
    errors = problems(values | target, user)
    errors.pop("target_id", None)
    return errors


def create_for_clients(values: dict, user: User, client_ids: list[int]) -> list[Notice]:
    """A client notice for each client, one audit row each and one for the set; NoticeError
    (and nothing written) when a value is wrong. The request or the job commits."""
    if errors := set_problems(values, user, client_ids):
        raise NoticeError(errors)
    stored = {
        "message": values["message"].strip(),
        "severity": values["severity"],
        "audience": values.get("audience") or Audience.ALL.value,
        "valid_from": values["valid_from"],
        "valid_to": values.get("valid_to"),
        "target_kind": TargetKind.CLIENT.value,
        "created_by_id": user.id,
    }
    notices = [Notice(**stored, target_id=client_id) for client_id in client_ids]
    db.session.add_all(notices)
    db.session.flush()
    for notice in notices:
        audit.record("notice.create", "notice", notice.id, None, audit_view(notice))
    audit.record(
        "notice.create_set",
        "notice",
        notices[0].id,
        None,
        {
            "message": stored["message"],
            "clients": len(notices),
            "client_ids": client_ids,
            "notice_ids": [notice.id for notice in notices],
        },
    )
    return notices


def job_params(values: dict, client_ids: list[int]) -> dict:
    """The values and the set as a job keeps them (JSON)."""
    days = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    return {"values": days, "client_ids": client_ids}


def values_from_job(params: dict) -> tuple[dict, list[int]]:
    """The values and the set a job was given (the inverse of job_params)."""
    values = dict(params["values"])
    for name in ("valid_from", "valid_to"):
        values[name] = date.fromisoformat(values[name]) if values.get(name) else None
    return values, [int(i) for i in params["client_ids"]]
