"""The collector's daily sheet as a landscape A4 PDF, on the document base (app/core/pdf.py).

One section per zone, the rows in visiting order, with a box to tick and room for notes.
"""

from datetime import date

from flask_babel import gettext as _

from app.auth.models import User
from app.core.pdf import BRAND, FONT, INK, MUTED, RULE, DocumentPDF
from app.core.templating import date_short, money
from app.core.types import local_today

MARGIN = 12
# N°, Cliente, Motivo, Dirección, Teléfono, Vencido, Más antiguo, Hecho (mm; 273 = A4 wide).
WIDTHS = (8, 58, 60, 54, 27, 30, 23, 13)
ROW_H = 5.2
ZONE_FILL = (222, 236, 233)


class SheetPDF(DocumentPDF):
    """Landscape pages with the sheet's heading, the table header again and page numbers."""

    footer_y = -10.0

    def __init__(self, company: str, collector: str, day: date):
        super().__init__(orientation="L", margin=MARGIN, bottom=14)
        self.company, self.collector, self.day = company, collector, day
        self.footer_name = collector

    def header(self) -> None:
        """The company, the title, the collector and the day."""
        self.set_text_color(*BRAND)
        self.set_font(FONT, "B", 10)
        self.text_cell(150, 6, self.company)
        self.set_text_color(*MUTED)
        self.set_font(FONT, "", 8)
        self.text_cell(123, 6, _("Impreso el %(date)s", date=date_short(local_today())), align="R")
        self.ln(6)
        self.set_text_color(*INK)
        self.set_font(FONT, "B", 15)
        title = _(
            "Hoja de cobranza · %(name)s · %(date)s",
            name=self.collector,
            date=date_short(self.day),
        )
        self.text_cell(273, 8, title)
        self.ln(10)
        if self.in_table:
            self.table_head()

    def table_head(self) -> None:
        """The column titles."""
        titles = (
            _("N°"), _("Cliente"), _("Motivo"), _("Dirección"), _("Teléfono"),
            _("Vencido"), _("Más antiguo"), _("Hecho"),
        )  # fmt: skip
        self.column_titles(WIDTHS, titles, "LLLLLRLC", height=6.5, size=8)


def sheet_pdf(
    zones: list, collector: User, day: date, company: str, compress: bool = True
) -> bytes:
    """The sheet (the view's SheetZone list) as PDF bytes."""
    pdf = SheetPDF(company, collector.full_name, day)
    title = _("Hoja de cobranza %(name)s %(date)s", name=collector.full_name, date=date_short(day))
    pdf.start(title, company, compress)
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(*MUTED)
    pdf.text_cell(
        273,
        5,
        _(
            "Primero las visitas pactadas por horario; después las promesas que vencen y el "
            "resto por deuda vencida ponderada por antigüedad."
        ),
    )
    pdf.ln(7)
    if not zones:
        pdf.set_text_color(*INK)
        pdf.set_font(FONT, "", 10)
        pdf.text_cell(273, 8, _("No hay clientes para visitar este día."))
        return bytes(pdf.output())
    pdf.in_table = True
    pdf.table_head()
    number = 0
    for zone in zones:
        pdf.ensure_room(ROW_H * 3)
        _zone_row(pdf, zone)
        for line in zone.lines:
            number += 1
            pdf.ensure_room(ROW_H * 2)
            _client_rows(pdf, number, line)
        if zone.hidden:
            pdf.set_font(FONT, "I", 7.5)
            pdf.set_text_color(*MUTED)
            pdf.text_cell(
                273,
                ROW_H,
                _("y %(count)s clientes más con deuda vencida en esta zona.", count=zone.hidden),
            )
            pdf.ln(ROW_H)
    pdf.in_table = False
    return bytes(pdf.output())


def _zone_row(pdf: SheetPDF, zone) -> None:
    """The zone's band: its name, how many clients and their overdue total."""
    pdf.set_fill_color(*ZONE_FILL)
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "B", 9)
    name = zone.name or _("Sin zona")
    text = _("%(zone)s · %(count)s clientes", zone=name, count=zone.count)
    pdf.text_cell(sum(WIDTHS[:5]), 6.5, text, fill=True)
    currency = next(iter(zone.currencies)) if len(zone.currencies) == 1 else "ARS"
    pdf.money_cell(WIDTHS[5], 6.5, zone.overdue, currency, skip_zero=True, fill=True)
    pdf.text_cell(sum(WIDTHS[6:]), 6.5, "", fill=True)
    pdf.ln(6.5)


def _client_rows(pdf: SheetPDF, number: int, line) -> None:
    """A client's two lines: name, reasons, address, phone, figures; then code and promise."""
    row, client = line.row, line.row.client
    top = pdf.get_y()
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "B", 8.5)
    pdf.text_cell(WIDTHS[0], ROW_H, str(number))
    pdf.text_cell(WIDTHS[1], ROW_H, client.display_name)
    pdf.set_font(FONT, "", 8)
    # The amount column already says it is overdue; the other reasons need the room.
    reasons = [text for kind, text in line.chips if kind != "overdue"] or [
        text for _kind, text in line.chips
    ]
    pdf.text_cell(WIDTHS[2], ROW_H, " · ".join(reasons))
    pdf.text_cell(WIDTHS[3], ROW_H, row.address or "—")
    pdf.text_cell(WIDTHS[4], ROW_H, row.phone or "—")
    pdf.set_font(FONT, "B", 8.5)
    pdf.money_cell(WIDTHS[5], ROW_H, line.due, line.currency, blank="—", skip_zero=True)
    pdf.set_font(FONT, "", 8)
    oldest = row.candidate.oldest_due
    pdf.text_cell(WIDTHS[6], ROW_H, date_short(oldest) if oldest else "—")
    pdf.ln(ROW_H)
    pdf.set_font(FONT, "", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.text_cell(WIDTHS[0], ROW_H - 1, "")
    pdf.text_cell(WIDTHS[1], ROW_H - 1, f"{client.code} · {client.legal_name}")
    promise = ""
    if row.promise is not None:
        promise = _(
            "Prometió %(amount)s para el %(date)s",
            amount=money(row.promise.promise_amount, row.promise.promise_currency or line.currency),
            date=date_short(row.promise.promise_date),
        )
    pdf.text_cell(WIDTHS[2] + WIDTHS[3], ROW_H - 1, promise)
    pdf.text_cell(WIDTHS[4] + WIDTHS[5], ROW_H - 1, "")
    late = _("%(days)s días", days=line.late_days) if line.late_days else ""
    pdf.text_cell(WIDTHS[6], ROW_H - 1, late)
    pdf.ln(ROW_H - 1)
    # The box the collector ticks, over both lines.
    pdf.set_draw_color(*MUTED)
    pdf.rect(MARGIN + sum(WIDTHS[:7]) + 2.5, top + 1.5, 5, 5)
    pdf.set_draw_color(*RULE)
    pdf.line(MARGIN, pdf.get_y() + 0.4, MARGIN + sum(WIDTHS), pdf.get_y() + 0.4)
    pdf.ln(1)
