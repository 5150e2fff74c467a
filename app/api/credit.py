"""The JSON API for credit: the decision for an order before it is placed."""

from flask import jsonify
from flask_login import current_user

from app.api.ledger import _args, _visible_client, refusals_as_422
from app.api.notices import notice_json
from app.api.views import bp
from app.auth.permissions import requires
from app.credit import services as credit
from app.credit.schemas import CreditArgsSchema, DecisionSchema
from app.notices import services as notices


@bp.get("/clients/<int:client_id>/credit")
@requires("credit.check")
@refusals_as_422
def credit_decision(client_id: int):
    """Would an order of this amount and payment method pass the client's credit limits?"""
    client = _visible_client(client_id)
    args = _args(CreditArgsSchema())
    decision = credit.decision(client, args["amount"], args["payment_method"])
    policy = credit.effective_policy(client)
    body = {
        "allowed": decision.allowed,
        "credit": decision.credit,
        "failures": decision.failures,
        "notices": [notice_json(shown) for shown in notices.shown_notices(current_user, client)],
        "policy": policy.name if policy else None,
        "approvers": credit.approvers(client, decision),
        "currency": client.currency,
    }
    return jsonify(DecisionSchema().dump(body))
