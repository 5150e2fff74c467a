"""The collections domain's blueprints; the modules named in ROUTES add their pages to them."""

from flask import Blueprint

bp = Blueprint("collections", __name__, url_prefix="/collections")
mail_bp = Blueprint("mail", __name__, url_prefix="/mail")

ROUTES = ("views", "mail_views")
BLUEPRINTS = (
    bp,
    mail_bp,
)
