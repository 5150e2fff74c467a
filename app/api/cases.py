"""The JSON API for customer-service cases: open, list, read, change and comment."""

import sqlalchemy as sa
from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from app.api.blueprint import bp
from app.api.common import load_json, query_args, refusals
from app.api.docs import (
    OUT_OF_SCOPE,
    UNKNOWN,
    api_doc,
    name_schemas,
    read_errors,
    write_errors,
)
from app.auth.permissions import requires
from app.cases import services as cases
from app.cases.models import Case, CasePhoto
from app.cases.schemas import (
    CaseChangeSchema,
    CaseDetailSchema,
    CaseEventSchema,
    CaseListArgsSchema,
    CasePageSchema,
    CaseSchema,
    NewCaseSchema,
    NewCommentSchema,
)
from app.clients import services as clients
from app.clients.models import Client
from app.core.idempotency import write_endpoint
from app.extensions import db
from app.ledger.models import Document

case_refusals = refusals(cases.CaseError)

name_schemas(
    NewCase=NewCaseSchema,
    Case=CaseSchema,
    CaseDetail=CaseDetailSchema,
    CaseChange=CaseChangeSchema,
    CaseComment=NewCommentSchema,
    CaseEvent=CaseEventSchema,
    CasePage=CasePageSchema,
)


def _client_in_body(client_id: int) -> Client:
    """A client in the caller's scope; another is a field error, not a 404."""
    try:
        return clients.visible_client(current_user, client_id, trash=False)
    except NotFound:
        raise cases.CaseError({"client_id": _("No existe.")}) from None


def case_json(case: Case, detail: bool = False) -> dict:
    """A case as the API gives it (with its history when `detail`)."""
    photos = db.session.scalar(
        sa.select(sa.func.count()).select_from(CasePhoto).where(CasePhoto.case_id == case.id)
    )
    credit = db.session.get(Document, case.credit_note_id) if case.credit_note_id else None
    extra = {
        "overdue": cases.overdue(case),
        "photos": photos,
        "credit_note_amount": credit.amount if credit else None,
    }
    if detail:
        return CaseDetailSchema().dump(case) | extra | {"events": _events(case)}
    return CaseSchema().dump(case) | extra


def _events(case: Case) -> list[dict]:
    """The case's history, oldest first."""
    return CaseEventSchema(many=True).dump(case.events)


@bp.post("/cases")
@api_doc(
    "Open a case (claim, return, complaint or question) on a client in the caller's scope; "
    "its due date follows the kind's target in working days",
    body=("The case", "NewCase"),
    answers={"201": ("The case, open", "CaseDetail")},
    errors=write_errors(("403", "Not allowed")),
)
@requires("cases.create")
@write_endpoint
@case_refusals
def create_case():
    """Open a case on a client."""
    data = load_json(NewCaseSchema())
    client = _client_in_body(data.pop("client_id"))
    case = cases.open_case(client, data, current_user)
    return jsonify(case_json(case, detail=True)), 201


@bp.get("/cases")
@api_doc(
    "Cases of the clients in the caller's scope: overdue first, then by due date, then newest",
    query=CaseListArgsSchema,
    answers={"200": ("A page of cases", "CasePage")},
    errors=read_errors(),
)
@requires("cases.view")
@case_refusals
def list_cases():
    """Cases in the caller's scope, filtered by client, state, kind and owner."""
    args = query_args(CaseListArgsSchema())
    filters = cases.CaseFilters(
        state=args.get("state"),
        kind=args.get("kind"),
        owner_id=args.get("owner_id"),
        client_id=args.get("client_id"),
    )
    query = cases.filtered_cases(current_user, filters)
    page = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False)
    next_url = None
    if page.has_next:
        kept = ("client_id", "state", "kind", "owner_id", "per_page")
        sent = {k: v for k, v in request.args.items() if k in kept}
        next_url = url_for(".list_cases", **(sent | {"page": page.next_num}))
    body = {"items": [case_json(c) for c in page.items], "next": next_url, "total": page.total}
    return jsonify(body)


@bp.get("/cases/<int:case_id>")
@api_doc(
    "A case with its history (who, when, what)",
    answers={"200": ("The case", "CaseDetail")},
    errors=read_errors(OUT_OF_SCOPE),
)
@requires("cases.view")
def get_case(case_id: int):
    """A case with its history."""
    return jsonify(case_json(cases.visible_case(current_user, case_id), detail=True))


@bp.patch("/cases/<int:case_id>")
@api_doc(
    "Change a case's state (transitions checked), owner or due date (back office and "
    "supervisors), with an optional note; a return resolved with credit_amount posts a credit "
    "note (back office)",
    body=("The change", "CaseChange"),
    answers={"200": ("The case", "CaseDetail")},
    errors=write_errors(
        ("403", "Not allowed"),
        UNKNOWN,
        ("422", "Invalid fields or a transition the case does not allow, or key reused"),
    ),
)
@requires("cases.work")
@write_endpoint
@case_refusals
def change_case(case_id: int):
    """Change a case's state, owner or due date."""
    case = cases.visible_case(current_user, case_id)
    data = load_json(CaseChangeSchema())
    cases.change_case(case, data, current_user)
    return jsonify(case_json(case, detail=True))


@bp.post("/cases/<int:case_id>/comments")
@api_doc(
    "Add a comment to a case's history",
    body=("The comment", "CaseComment"),
    answers={"201": ("The history line", "CaseEvent")},
    errors=write_errors(("403", "Not allowed"), UNKNOWN),
)
@requires("cases.work")
@write_endpoint
@case_refusals
def comment_case(case_id: int):
    """Add a comment to a case."""
    case = cases.visible_case(current_user, case_id)
    data = load_json(NewCommentSchema())
    event = cases.add_comment(case, data["text"], current_user)
    return jsonify(CaseEventSchema().dump(event)), 201
