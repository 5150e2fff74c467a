"""The taxes domain's blueprint; the modules named in ROUTES add their pages to it."""

from flask import Blueprint

bp = Blueprint("taxes", __name__, url_prefix="/taxes")

ROUTES = ("views", "jurisdiction_views", "recheck_views")
BLUEPRINTS = (bp,)
