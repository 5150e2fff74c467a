"""The clients domain's blueprints; the modules named in ROUTES add their pages to them."""

from flask import Blueprint

bp = Blueprint("clients", __name__, url_prefix="/clients")
reference_bp = Blueprint("reference", __name__, url_prefix="/admin/reference")

ROUTES = ("views", "reference_views")
BLUEPRINTS = (
    bp,
    reference_bp,
)
