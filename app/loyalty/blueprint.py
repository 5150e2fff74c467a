"""The loyalty program's blueprint: its pages in views.py, its command (flask loyalty expire)."""

from flask import Blueprint

bp = Blueprint("loyalty", __name__, url_prefix="/loyalty", cli_group="loyalty")

ROUTES = ("views", "commands")
BLUEPRINTS = (bp,)


@bp.app_template_global()
def loyalty_of(client) -> dict:
    """A client's points for its card: balance, next expiry and the latest changes."""
    from app.loyalty import services

    return {
        "balance": services.balance(client.id),
        "next_expiry": services.next_expiry(client.id),
        "entries": services.entries(client.id, limit=5),
    }


@bp.app_template_global()
def loyalty_kind_label(kind: str) -> str:
    """A points change's kind, in words."""
    from app.loyalty.labels import ENTRY_LABELS

    return str(ENTRY_LABELS.get(kind, kind))
