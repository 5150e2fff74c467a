"""The notices domain's blueprint; the modules named in ROUTES add their pages to it."""

from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/notices")

ROUTES = ("views", "set_views")
BLUEPRINTS = (bp,)
