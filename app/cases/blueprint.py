"""The cases domain's blueprint; the modules named in ROUTES add their pages to it."""

from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

ROUTES = ("views",)
BLUEPRINTS = (bp,)
