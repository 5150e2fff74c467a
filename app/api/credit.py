"""The JSON API for credit: the decision for an order before it is placed."""

from flask import abort, jsonify
from flask_login import current_user
from sqlalchemy.orm import load_only

from app.api.blueprint import bp
from app.api.common import load_json, query_args, refusals
from app.api.docs import (
    NOT_FOR_COLLECTORS,
    OUT_OF_SCOPE,
    api_doc,
    name_schemas,
    read_errors,
    write_errors,
)
from app.api.notices import notice_json
from app.auth.permissions import requires
from app.clients import services as clients
from app.clients.models import Client
from app.core.idempotency import write_endpoint
from app.credit import services as credit
from app.credit import status as credit_status
from app.credit.rules import Limits
from app.credit.schemas import AppliedSchema, CreditArgsSchema, DecisionSchema, OwnLimitsSchema
from app.extensions import db
from app.notices import services as notices

name_schemas(
    CreditDecision=DecisionSchema, CreditOwnLimits=OwnLimitsSchema, CreditApplied=AppliedSchema
)


@bp.get("/clients/<int:client_id>/credit")
@api_doc(
    "The credit decision for an order of this amount and payment method: allowed, or blocked "
    "with every failing limit (money, documents, age, state) and its figures",
    query=CreditArgsSchema,
    answers={"200": ("The decision", "CreditDecision")},
    errors=read_errors(OUT_OF_SCOPE, NOT_FOR_COLLECTORS),
)
@requires("credit.check")
@refusals()
def credit_decision(client_id: int):
    """Would an order of this amount and payment method pass the client's credit limits?"""
    args = query_args(CreditArgsSchema())
    # the client in the caller's scope, only the columns the decision reads; its groups and
    # policies come from the reference cache
    client = db.session.scalar(
        clients.scoped_clients(current_user, include_deleted=clients.sees_trash(current_user))
        .where(Client.id == client_id)
        .options(load_only(*credit.DECISION_COLUMNS))
    )
    if client is None:
        abort(404)
    applied = credit.applied_limits(client)  # the decision's, and shown with where from
    decision = credit.decision(client, args["amount"], args["payment_method"], applied=applied)
    policy = applied.policy  # the first assigned by precedence: effective_policy's
    body = {
        "allowed": decision.allowed,
        "credit": decision.credit,
        "failures": decision.failures,
        "notices": [notice_json(shown) for shown in notices.shown_notices(current_user, client)],
        "policy": policy.name if policy else None,
        "applied": credit_status.applied_json(client, applied),
        "approvers": credit.approvers(client, decision),
        "currency": client.currency,
    }
    return jsonify(DecisionSchema().dump(body))


@bp.put("/clients/<int:client_id>/credit-limits")
@api_doc(
    "Set the client's own limits (back office): each one not null overrides its policy's; "
    "answers which limits now apply and why",
    body=("The three limits; null or absent: the policy's", "CreditOwnLimits"),
    answers={"200": ("The limits in force and where each comes from", "CreditApplied")},
    errors=write_errors(OUT_OF_SCOPE),
)
@requires("clients.edit")
@write_endpoint
def set_own_limits(client_id: int):
    """Set the client's own money, documents and age limits; the audit log keeps the change."""
    client = clients.visible_client(current_user, client_id, trash=False)
    data = load_json(OwnLimitsSchema())
    credit.set_own_limits(client, Limits(data["money"], data["documents"], data["age_days"]))
    return jsonify(AppliedSchema().dump(credit_status.applied_json(client)))
