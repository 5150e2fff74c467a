"""The sync domain's blueprint; the modules named in ROUTES add their pages to it."""

from flask import Blueprint

bp = Blueprint("sync", __name__)

ROUTES = ("views",)
BLUEPRINTS = (bp,)
