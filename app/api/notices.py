"""The JSON API for client notices: the ones in force for a client."""

from flask import jsonify
from flask_login import current_user

from app.api.blueprint import bp
from app.api.common import query_args, refusals, visible_client
from app.api.docs import OUT_OF_SCOPE, api_doc, name_schemas, read_errors
from app.auth.permissions import requires
from app.core.types import local_today
from app.notices import services as notices
from app.notices.schemas import ClientNoticesSchema, NoticeArgsSchema, NoticeSchema

name_schemas(Notice=NoticeSchema, ClientNotices=ClientNoticesSchema)


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
