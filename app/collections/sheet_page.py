"""The daily sheet as its page and its PDF show it: zones, rows with their amounts, chips and
links, and the rows the collector already worked that day, stamped and counted."""

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from app.auth.models import User
from app.clients.models import Client
from app.collections import links, services
from app.collections.labels import OUTCOME_LABELS
from app.collections.models import Channel, Outcome
from app.collections.progress import DayWork, work_of_day
from app.collections.rules import Reason
from app.core.templating import money
from app.core.types import local_today

ROWS_PER_ZONE = 40  # a day's work; the rest of a zone opens on a page of its own
ROWS_ONE_ZONE = 500


@dataclass
class SheetLine:
    """One row of the sheet with what the page shows and the links it offers."""

    row: services.SheetRow
    due: Decimal
    currency: str
    late_days: int | None
    chips: list[tuple[str, str]]
    tel: str | None
    whatsapp: str | None
    stamp: str | None = None  # what the collector did with the client that day


@dataclass
class SheetZone:
    """A zone's section: its rows in visiting order, how many are done, and its totals.

    Only an open zone has its lines built; the others are a header that loads them on demand.
    """

    key: int  # its place on the sheet (1, 2, ...), for the page's ids
    name: str
    rows: list[services.SheetRow]
    overdue: Decimal
    currencies: set[str]
    done: int
    lines: list[SheetLine] = field(default_factory=list)
    open: bool = False

    @property
    def count(self) -> int:
        """Clients of the zone on the sheet."""
        return len(self.rows)

    @property
    def hidden(self) -> int:
        """Rows of an open zone left out of the page."""
        return self.count - len(self.lines)


@dataclass
class Sheet:
    """A collector's sheet for a day: its zones and how many clients were worked."""

    zones: list[SheetZone]
    done: int

    @property
    def total(self) -> int:
        """Clients on the sheet."""
        return sum(zone.count for zone in self.zones)

    def line_of(self, client_id: int) -> tuple[SheetZone, SheetLine] | None:
        """The built row of a client, with its zone."""
        for zone in self.zones:
            for line in zone.lines:
                if line.row.client.id == client_id:
                    return zone, line
        return None


def day_label(day: date) -> str:
    """ "Lunes 7/12", as the sheet's picker names the day."""
    text = format_date(day, "EEEE d/M")
    return text[:1].upper() + text[1:]


def _window_text(window: tuple[time, time | None]) -> str:
    """The agreed visit's time window as a chip says it."""
    start, end = window
    if end is not None:
        return _(
            "Visita %(start)s–%(end)s", start=start.strftime("%H:%M"), end=end.strftime("%H:%M")
        )
    if start != time.min:
        return _("Visita desde las %(start)s", start=start.strftime("%H:%M"))
    return _("Visita pactada")


def _chips(row: services.SheetRow, day: date) -> list[tuple[str, str]]:
    """Why the client is on the sheet, as chips: visit, promise due or broken, overdue."""
    chips = []
    reasons = row.candidate.reasons
    if Reason.VISIT in reasons and row.window:
        chips.append(("visit", _window_text(row.window)))
    if Reason.PROMISE in reasons and row.promise is not None:
        if row.promise.promise_date >= day:
            text = _("Promesa vence hoy") if day == local_today() else _("Promesa vence ese día")
            chips.append(("promise", text))
        else:
            chips.append(("broken", _("Promesa incumplida")))
    if Reason.OVERDUE in reasons:
        chips.append(("overdue", _("Vencido")))
    return chips


def reminder_text(client: Client, due: Decimal, currency: str, promise=None) -> str:
    """A polite WhatsApp reminder in the company's name, with the amount due."""
    company = current_app.config.get("COMPANY_NAME") or "Clientes en ruta"
    name = client.trade_name or client.legal_name
    if promise is not None and not due:
        return _(
            "Hola, %(name)s. Te escribimos de %(company)s para recordarte el pago de "
            "%(amount)s que acordamos para el %(date)s. ¡Muchas gracias!",
            name=name,
            company=company,
            amount=money(promise.promise_amount, promise.promise_currency or currency),
            date=promise.promise_date.strftime("%d/%m"),
        )
    if due:
        return _(
            "Hola, %(name)s. Te escribimos de %(company)s para recordarte que tu cuenta tiene "
            "un saldo vencido de %(amount)s. ¿Cuándo te queda bien pagarlo o que pase el "
            "cobrador? ¡Muchas gracias!",
            name=name,
            company=company,
            amount=money(due, currency),
        )
    return _(
        "Hola, %(name)s. Te escribimos de %(company)s para confirmar la visita del cobrador. "
        "¡Muchas gracias!",
        name=name,
        company=company,
    )


def stamp_text(work: DayWork) -> str:
    """What was done with a client that day: "Gestionado 19:25 · Promete $ 15.000,00"."""
    done = []
    call = work.call
    if call is not None:
        if call.outcome == Outcome.PROMISE:
            amount = money(call.promise_amount, call.promise_currency or "ARS")
            done.append(_("Promete %(amount)s", amount=amount))
        elif call.outcome == Outcome.NO_ANSWER:
            done.append(_("No estaba") if call.channel == Channel.VISIT else _("Sin respuesta"))
        else:
            done.append(str(OUTCOME_LABELS.get(call.outcome, call.outcome)))
    for currency, amount in sorted(work.collected.items()):
        done.append(_("Cobrado %(amount)s", amount=money(amount, currency)))
    return " · ".join([_("Gestionado %(time)s", time=work.last_at.strftime("%H:%M")), *done])


def sheet_line(row: services.SheetRow, day: date, work: DayWork | None = None) -> SheetLine:
    """A sheet row with its amount due, chips, links and the day's stamp."""
    client, candidate = row.client, row.candidate
    currency = client.currency or "ARS"
    due = candidate.overdue
    late = (day - candidate.oldest_due).days if candidate.oldest_due else None
    text = reminder_text(client, due, currency, row.promise)
    return SheetLine(
        row=row,
        due=due,
        currency=currency,
        late_days=late,
        chips=_chips(row, day),
        tel=links.tel_href(row.phone),
        whatsapp=links.whatsapp_url(client.mobile or client.phone, text),
        stamp=stamp_text(work) if work is not None else None,
    )


def build_sheet(
    collector: User,
    day: date,
    only_zone: str | None = None,
    at_client: int | None = None,
    cut: int = ROWS_PER_ZONE,
    every_zone: bool = False,
) -> Sheet:
    """The sheet by zone with the day's work; which zones open, each cut to `cut` rows.

    Open: every zone (the PDF), the zone named, or the zone of `at_client` (the row a saved
    form returns to, shown even past the cut), else the first zone with a row not worked yet.
    """
    grouped = services.sheet(collector, day)
    work = work_of_day(collector, [r.client.id for _name, rows in grouped for r in rows], day)
    zones = [
        SheetZone(
            key=key,
            name=name,
            rows=rows,
            overdue=sum((row.candidate.overdue for row in rows), Decimal("0")),
            currencies={row.client.currency or "ARS" for row in rows},
            done=sum(1 for row in rows if row.client.id in work),
        )
        for key, (name, rows) in enumerate(grouped, 1)
    ]
    if every_zone:
        opened = zones
    elif only_zone is not None:
        opened = [zone for zone in zones if zone.name == only_zone]
    else:
        at = [z for z in zones if any(row.client.id == at_client for row in z.rows)]
        opened = (at or [z for z in zones if z.done < z.count] or zones)[:1]
    for zone in opened:
        zone.open = True
        shown = cut
        for place, row in enumerate(zone.rows, 1):
            if row.client.id == at_client:
                shown = max(cut, place)
        zone.lines = [sheet_line(row, day, work.get(row.client.id)) for row in zone.rows[:shown]]
    return Sheet(zones=zones, done=len(work))
