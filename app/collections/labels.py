"""The words of the collections' codes, for the pages and the phone's offline views."""

from flask_babel import lazy_gettext as _l

from app.collections.models import Channel, Outcome
from app.collections.rules import PromiseState

CHANNEL_LABELS = {
    Channel.PHONE: _l("Teléfono"),
    Channel.VISIT: _l("Visita"),
    Channel.WHATSAPP: _l("WhatsApp"),
    Channel.EMAIL: _l("Correo"),
}
OUTCOME_LABELS = {
    Outcome.PROMISE: _l("Promete pagar"),
    Outcome.PAID: _l("Pagó"),
    Outcome.NO_ANSWER: _l("No atiende"),
    Outcome.REFUSED: _l("Se niega"),
    Outcome.DISPUTE: _l("Reclamo"),
    Outcome.WRONG_NUMBER: _l("Número equivocado"),
}
PROMISE_LABELS = {
    PromiseState.KEPT: _l("Cumplida"),
    PromiseState.OPEN: _l("Pendiente"),
    PromiseState.BROKEN: _l("Incumplida"),
}
