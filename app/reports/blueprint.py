"""The reports' blueprint; its pages live in views.py."""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

ROUTES = ("views",)
BLUEPRINTS = (bp,)
