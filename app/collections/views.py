"""Collection pages (the collections issue builds the daily sheet on this page)."""

from flask import Blueprint

from app.auth.permissions import requires
from app.core.rendering import render

bp = Blueprint("collections", __name__, url_prefix="/collections")


@bp.get("/")
@requires("collections.view")
def index():
    """Today's collections: empty until the collections issue lands."""
    return render("collections/index.html")
