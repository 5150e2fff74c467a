"""The credit domain's blueprint; the modules named in ROUTES add their pages to it."""

from flask import Blueprint

bp = Blueprint("credit", __name__, url_prefix="/credit")

ROUTES = ("views", "admin")
BLUEPRINTS = (bp,)
