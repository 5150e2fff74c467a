"""The offline app shell: the sync status page, and the page the phone shows offline."""

from flask_login import current_user

from app.auth.permissions import requires
from app.clients.forms import ADDRESS_KINDS, PAYMENT_LABELS, STATE_LABELS, TAX_ID_LABELS
from app.collections.labels import CHANNEL_LABELS, OUTCOME_LABELS
from app.collections.services import FIELD_KINDS
from app.core.changes import current_change_seq
from app.core.rendering import render
from app.credit.status import NOTES
from app.extensions import db
from app.ledger import services as ledger
from app.notices.services import SEVERITY_LABELS
from app.orders.labels import DISCOUNT_LABELS, STATUS_LABELS
from app.route.models import VisitOutcome
from app.route.services import COLLECTION, outcome_label, plan_of
from app.sync.blueprint import bp


def shell_words() -> dict:
    """The words the offline views show for the codes the sync and the outbox carry."""
    return {
        "states": STATE_LABELS,
        "payment_methods": PAYMENT_LABELS,
        "channels": CHANNEL_LABELS,
        "outcomes": OUTCOME_LABELS,
        "receipt_kinds": {kind: ledger.PAYMENT_LABELS[kind] for kind in FIELD_KINDS},
        "receipt_fields": {kind: ledger.PAYMENT_FIELDS[kind] for kind in FIELD_KINDS},
        "withholding_taxes": ledger.WITHHOLDING_LABELS,
        "severities": SEVERITY_LABELS,
        "address_kinds": ADDRESS_KINDS,
        "credit_notes": NOTES,
        "discounts": DISCOUNT_LABELS,
        "order_statuses": STATUS_LABELS,
        "tax_id_types": TAX_ID_LABELS,
        "visit_outcomes": {outcome.value: outcome_label(outcome) for outcome in VisitOutcome},
    }


def route_plan() -> str:
    """The visit plan the user's route day follows on the phone: "collection" or "sales"."""
    return "collection" if plan_of(current_user) is COLLECTION else "sales"


@bp.get("/sync/")
@requires("app.use")
def status():
    """Last sync, pending writes and errors; the same page routes offline views on the phone."""
    cursor = current_change_seq(db.session.connection())
    return render(
        "offline/app.html", cursor=cursor, shell=False, words=shell_words(), route_plan=route_plan()
    )


@bp.get("/offline/shell")
@requires("app.use")
def shell():
    """The offline app shell the service worker keeps for this user.

    Offline, it answers navigations to the client list, a card, the order, call and receipt
    forms, the pickup check, the new prospect form and the route day; its script draws them
    from the phone's copy.
    """
    return render(
        "offline/app.html", cursor=None, shell=True, words=shell_words(), route_plan=route_plan()
    )
