"""The exchange rates' blueprint; its back-office page lives in views.py."""

from flask import Blueprint

bp = Blueprint("rates", __name__, url_prefix="/rates")

ROUTES = ("views",)
BLUEPRINTS = (bp,)
