"""Credit pages: the supervisor's approvals inbox (filled by the credit issue)."""

from flask import Blueprint

from app.auth.permissions import requires
from app.core.rendering import render

bp = Blueprint("credit", __name__, url_prefix="/credit")


@bp.get("/approvals")
@requires("approvals.view")
def approvals():
    """Override requests waiting for this supervisor."""
    return render("credit/approvals.html")
