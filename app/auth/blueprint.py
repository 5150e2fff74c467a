"""The auth domain's blueprint; the modules named in ROUTES add their pages to it."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

ROUTES = ("views",)
BLUEPRINTS = (bp,)
