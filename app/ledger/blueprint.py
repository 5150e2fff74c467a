"""The ledger's blueprint; its pages live in views.py (accounts) and reports.py (statements);
admin.py registers its reference tables with the admin's pages."""

from flask import Blueprint

bp = Blueprint("ledger", __name__)

ROUTES = ("views", "reports", "admin")
BLUEPRINTS = (bp,)


@bp.app_template_global()
def family_account(clients):
    """The combined account of a family's clients, for the family page."""
    from app.ledger.accounts import family_account as combined

    return combined(list(clients))
