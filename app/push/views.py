"""Endpoints the page's push module calls: the server key, subscribe and unsubscribe."""

import click
from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import requires
from app.core.errors import json_error
from app.push import services
from app.sync.idempotency import write_endpoint

bp = Blueprint("push", __name__, url_prefix="/push")


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


@click.command("vapid-keys")
def vapid_keys_command() -> None:
    """Print a new VAPID key pair as the environment lines Web Push needs."""
    private, public = services.new_vapid_keys()
    click.echo(f"VAPID_PRIVATE_KEY={private}")
    click.echo(f"VAPID_PUBLIC_KEY={public}")
    click.echo("VAPID_SUBJECT=mailto:sistemas@example.com")
