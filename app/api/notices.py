"""The JSON API for client notices: the ones in force for a client."""

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from app.api.blueprint import bp
from app.api.common import invalid, load_json, query_args, refusals, visible_client
from app.api.docs import OUT_OF_SCOPE, api_doc, name_schemas, read_errors, write_errors
from app.auth.permissions import requires
from app.core.idempotency import write_endpoint
from app.core.types import local_today
from app.jobs.queue import start_job
from app.notices import client_sets
from app.notices import services as notices
from app.notices.jobs import FOR_CLIENTS
from app.notices.schemas import (
    ClientNoticesSchema,
    ClientSetNoticeSchema,
    NewClientSetNoticeSchema,
    NoticeArgsSchema,
    NoticeSchema,
)
from app.notices.services import NoticeError

name_schemas(
    Notice=NoticeSchema,
    ClientNotices=ClientNoticesSchema,
    NewClientSetNotice=NewClientSetNoticeSchema,
    ClientSetNotice=ClientSetNoticeSchema,
)


def notice_json(shown: notices.ShownNotice) -> dict:
    """A notice as the API gives it, with the caller's seen mark."""
    notice = shown.notice
    return {
        "id": notice.id,
        "message": notice.message,
        "severity": notice.severity,
        "audience": notice.audience,
        "valid_from": notice.valid_from,
        "valid_to": notice.valid_to,
        "target_kind": notice.target_kind,
        "target_id": notice.target_id,
        "target": notices.target_label(notice),
        "seen_at": shown.seen.seen_at if shown.seen else None,
    }


@bp.get("/clients/<int:client_id>/notices")
@api_doc(
    "The notices in force for a client on a day (today by default): important first, then "
    "warning, then info, newest first; each with when the caller marked it seen",
    query=NoticeArgsSchema,
    answers={"200": ("The notices", "ClientNotices")},
    errors=read_errors(OUT_OF_SCOPE),
)
@requires("clients.view")
@refusals()
def client_notices(client_id: int):
    """The notices in force for a client (today, or ?on=), important first, then newest."""
    client = visible_client(client_id)
    on = query_args(NoticeArgsSchema()).get("on") or local_today()
    items = [notice_json(shown) for shown in notices.shown_notices(current_user, client, on)]
    body = {"client_id": client.id, "on": on, "items": items}
    return jsonify(ClientNoticesSchema().dump(body))


@bp.post("/notices/for-clients")
@api_doc(
    "One notice for a set of clients: a client notice is made for each, in one transaction, "
    "audited; a set larger than 500 clients is made by a background job (202 with its id)",
    body=("The notice and its clients", "NewClientSetNotice"),
    answers={
        "201": ("The notices made", "ClientSetNotice"),
        "202": ("The job making them", "ClientSetNotice"),
    },
    errors=write_errors(("403", "Not allowed (salespeople and collectors)")),
)
@requires("notices.manage")
@write_endpoint
@refusals(NoticeError)
def notice_for_clients():
    """Make one notice for each client of a set (a job for a large set)."""
    data = load_json(NewClientSetNoticeSchema())
    picked = list(dict.fromkeys(data.pop("client_ids")))
    client_ids = client_sets.chosen_ids(current_user, picked)
    if len(client_ids) != len(picked):
        return invalid({"client_ids": [_("Hay clientes que no existen o no son de tu cartera.")]})
    if errors := client_sets.set_problems(data, current_user, client_ids):
        raise NoticeError(errors)
    if len(client_ids) > client_sets.DIRECT_MOST:
        started = start_job(
            FOR_CLIENTS,
            _("Aviso para %(num)d clientes", num=len(client_ids)),
            current_user.id,
            client_sets.job_params(data, client_ids),
        )
        body = {"clients": len(client_ids), "notice_ids": [], "job_id": started.id}
        return jsonify(ClientSetNoticeSchema().dump(body)), 202
    made = client_sets.create_for_clients(data, current_user, client_ids)
    body = {"clients": len(made), "notice_ids": [n.id for n in made], "job_id": None}
    return jsonify(ClientSetNoticeSchema().dump(body)), 201
