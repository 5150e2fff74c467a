"""Credit pages: the supervisor's approvals inbox (filled by the credit issue)."""

from flask import Blueprint
from flask_login import current_user

from app.auth.permissions import can, requires
from app.clients.models import Client
from app.core.rendering import render
from app.credit import status

bp = Blueprint("credit", __name__, url_prefix="/credit")


@bp.app_template_global()
def credit_status(client: Client) -> status.CreditStatus | None:
    """The client's credit at a glance, for the users who check credit (the card's block)."""
    if not can(current_user, "credit.check"):
        return None
    return status.credit_status(client)


@bp.get("/approvals")
@requires("approvals.view")
def approvals():
    """Override requests waiting for this supervisor."""
    return render("credit/approvals.html")
