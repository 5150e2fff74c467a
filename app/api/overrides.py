"""The JSON API for approvers: the override requests waiting for them, and their answer."""

from functools import wraps

from flask import abort, jsonify
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError, fields

from app.api.blueprint import bp
from app.api.common import flat_messages, invalid, load_json
from app.api.docs import (
    UNKNOWN,
    api_doc,
    name_schemas,
    read_errors,
    write_errors,
)
from app.auth.permissions import requires
from app.core.errors import json_error
from app.core.fields import AnswerSchema, BodySchema, choice_field, money_field, text_field
from app.core.idempotency import write_endpoint
from app.credit import overrides
from app.credit.models import OverrideRequest
from app.orders.schemas import RequestSchema


class RequestClientSchema(AnswerSchema):
    """The client a request is for."""

    id = fields.Integer()
    code = fields.String()
    legal_name = fields.String()


class InboxRequestSchema(RequestSchema):
    """A request as an approver sees it: its client, and whether their band covers it now."""

    amount = money_field()
    client = fields.Nested(RequestClientSchema)
    covered = fields.Boolean(
        allow_none=True,
        metadata={
            "description": "The caller's band covers the excess as the account stands now "
            "(null once the request is answered)"
        },
    )


class InboxSchema(AnswerSchema):
    """The requests waiting for the caller, oldest first."""

    items = fields.List(fields.Nested(InboxRequestSchema))


class DecisionBodySchema(BodySchema):
    """An approver's answer: approve or reject, with an optional comment."""

    decision = choice_field(("approve", "reject"), required=True)
    comment = text_field(500)


name_schemas(
    InboxRequest=InboxRequestSchema, Inbox=InboxSchema, OverrideDecision=DecisionBodySchema
)
APPROVERS_ONLY = ("403", "Not allowed (supervisors and admins only)")
ANSWER_REFUSED = (
    "422",
    "Invalid fields, key reused, or the answer refused (`override_refused`, messages per field "
    "in Spanish)",
)


def override_refusals(view):
    """Bad input as the field-level 422; a refused answer as 422 `override_refused`."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except ValidationError as exc:
            return invalid(flat_messages(exc.messages))
        except overrides.OverrideError as exc:
            messages = [str(message) for message in exc.fields.values()]
            return json_error(
                422,
                "override_refused",
                " ".join(messages) or _("No se pudo responder la solicitud."),
                {name: [str(message)] for name, message in exc.fields.items()},
            )

    return wrapper


def inbox_json(request: OverrideRequest, covered: bool | None) -> dict:
    """A request with its client, its status as people see it, and the caller's cover."""
    body = InboxRequestSchema(exclude=("covered",)).dump(request)
    return body | {"status": overrides.shown_status(request), "covered": covered}


@bp.get("/override-requests")
@api_doc(
    "Override requests in time for clients in the caller's scope, oldest first; `covered` "
    "says whether the caller's band covers the excess now",
    answers={"200": ("The requests", "Inbox")},
    errors=read_errors(APPROVERS_ONLY),
)
@requires("approvals.view")
def list_override_requests():
    """Requests in time for clients the caller reaches, oldest first, with their cover."""
    return jsonify(
        {
            "items": [
                inbox_json(item.request, item.covered) for item in overrides.inbox(current_user)
            ]
        }
    )


@bp.post("/override-requests/<int:request_id>/decision")
@api_doc(
    "Approve or reject an override request (an approval is spent on its order at once); "
    "refused with 422 `override_refused` when it expired, was answered, the order changed, or "
    "the caller's band does not cover it",
    body=("The answer", "OverrideDecision"),
    answers={"200": ("The request as answered", "InboxRequest")},
    errors=write_errors(UNKNOWN, APPROVERS_ONLY, ANSWER_REFUSED),
)
@requires("approvals.view")
@write_endpoint
@override_refusals
def decide_override_request(request_id: int):
    """Approve or reject a request; an approval is spent on its order at once."""
    found = overrides.get_request(current_user, request_id)
    if found is None:
        abort(404)
    data = load_json(DecisionBodySchema())
    overrides.decide_override(
        found, data["decision"] == "approve", data.get("comment"), current_user
    )
    return jsonify(inbox_json(found, None))
