"""The push domain's blueprint; the modules named in ROUTES add their pages to it."""

from flask import Blueprint

bp = Blueprint("push", __name__, url_prefix="/push")

ROUTES = ("views",)
BLUEPRINTS = (bp,)
