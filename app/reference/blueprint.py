"""The reference tables' blueprint; a domain's admin module may add a table's own pages to it."""

from flask import Blueprint

reference_bp = Blueprint("reference", __name__, url_prefix="/admin/reference")

ROUTES = ("views",)
BLUEPRINTS = (reference_bp,)
