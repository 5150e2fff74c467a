"""The jobs' blueprint; the modules named in ROUTES add their pages to it."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

ROUTES = ("views",)
BLUEPRINTS = (bp,)
