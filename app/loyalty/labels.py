"""The words for the points ledger's kinds."""

from flask_babel import lazy_gettext as _l

from app.loyalty.models import EntryKind

ENTRY_LABELS = {
    EntryKind.EARNED: _l("Factura"),
    EntryKind.RETURNED: _l("Descontados por nota de crédito o anulación"),
    EntryKind.EXPIRED: _l("Vencidos"),
    EntryKind.ADJUSTED: _l("Ajuste"),
}
