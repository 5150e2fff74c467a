"""The route day's blueprint; the modules named in ROUTES add their pages to it."""

from flask import Blueprint

bp = Blueprint("route", __name__, url_prefix="/route")

ROUTES = ("views", "plan_views", "admin")
BLUEPRINTS = (bp,)
