"""The JSON API's blueprint: every module of app/api/ adds its routes to it."""

from flask import Blueprint
from marshmallow import ValidationError

from app.api.auth import protect_cookie_writes
from app.api.common import invalid
from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
bp.before_request(protect_cookie_writes)

# The modules whose routes this blueprint holds (imported by create_app).
ROUTES = (
    "users",
    "session",
    "clients",
    "credit",
    "notices",
    "padron",
    "cases",
    "ledger",
    "orders",
    "overrides",
    "products",
    "collections",
    "route",
    "reports",
    "sync",
    "jobs",
    "rates",
    "openapi",
)
BLUEPRINTS = (bp,)


@bp.errorhandler(ValidationError)
def _invalid_input(exc: ValidationError):
    """Field-level 422 for bad input."""
    return invalid(exc.messages)
