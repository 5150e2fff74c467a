"""The orders domain's blueprints; the modules named in ROUTES add their pages to them."""

from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders")
catalogue_bp = Blueprint("catalogue", __name__, url_prefix="/admin/catalogue")

ROUTES = ("views", "catalogue_views", "follow", "admin", "delivery_views")
BLUEPRINTS = (
    bp,
    catalogue_bp,
)
