"""The audit domain's blueprint; the modules named in ROUTES add their pages to it."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

ROUTES = ("views",)
BLUEPRINTS = (bp,)
