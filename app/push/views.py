"""Endpoints the page's push module calls: the server key, subscribe and unsubscribe."""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import requires
from app.core.errors import json_error
from app.core.idempotency import write_endpoint
from app.push import services
from app.push.blueprint import bp


@bp.get("/key")
@requires("app.use")
def key():
    """Whether push is configured here, and the key a browser subscribes with."""
    return jsonify({"enabled": services.enabled(), "publicKey": services.public_key()})


@bp.post("/subscriptions")
@requires("app.use")
@write_endpoint
def subscribe():
    """Keep this browser's subscription for the signed-in user."""
    try:
        services.subscribe(current_user, request.get_json(silent=True) or {})
    except services.SubscriptionError as exc:
        fields = {name: [message] for name, message in exc.fields.items()}
        return json_error(422, "invalid", _("La suscripción no es válida."), fields)
    return jsonify({"subscribed": True}), 201


@bp.post("/subscriptions/delete")
@requires("app.use")
@write_endpoint
def unsubscribe():
    """Forget this browser's subscription."""
    body = request.get_json(silent=True) or {}
    endpoint = body.get("endpoint") if isinstance(body, dict) else None
    removed = isinstance(endpoint, str) and services.unsubscribe(current_user, endpoint)
    return jsonify({"removed": bool(removed)})
