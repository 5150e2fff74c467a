"""The account statement as an A4 PDF, on the house's document base (app/core/pdf.py)."""

from dataclasses import dataclass

from flask_babel import gettext as _
from fpdf.enums import MethodReturnValue

from app.core.pdf import BRAND, FONT, INK, MUTED, RULE, DocumentPDF, printable
from app.core.templating import date_short, money
from app.core.types import local_today
from app.ledger import services as ledger
from app.ledger import statements
from app.ledger.models import DocumentKind, DocumentState

MARGIN = 15
# Fecha, Comprobante, Vence, Debe, Haber, Saldo (mm; 180 = A4 width minus the margins).
WIDTHS = (20, 56, 20, 28, 28, 28)
ROW_H = 6.0
NOTE_H = 4.2


@dataclass
class Heading:
    """What the top of every page says."""

    company: str
    client_name: str
    tax_id: str
    address: str
    period: str
    currency: str
    issued: str


class StatementPDF(DocumentPDF):
    """An A4 page with the company heading, a repeated table header and page numbers."""

    def __init__(self, heading: Heading):
        super().__init__(orientation="P", margin=MARGIN, bottom=18)
        self.heading = heading
        self.footer_name = heading.client_name

    def header(self) -> None:
        """The company and title on the first page, a short reminder on the next ones."""
        h = self.heading
        if self.page_no() == 1:
            self.set_text_color(*BRAND)
            self.set_font(FONT, "B", 11)
            self.text_cell(120, 6, h.company)
            self.set_text_color(*MUTED)
            self.set_font(FONT, "", 8)
            self.text_cell(60, 6, _("Emitido el %(date)s", date=h.issued), align="R")
            self.ln(7)
            self.set_text_color(*INK)
            self.set_font(FONT, "B", 18)
            self.text_cell(180, 9, _("Estado de cuenta"))
            self.ln(11)
            self._client_box()
        else:
            self.set_text_color(*MUTED)
            self.set_font(FONT, "", 8)
            line = f"{h.company} · {_('Estado de cuenta')} · {h.client_name} · {h.period}"
            self.text_cell(180, 5, line)
            self.ln(7)
        if self.in_table:
            self.table_head()

    def _client_box(self) -> None:
        """Client name, tax id, address, period and currency in a light box."""
        h = self.heading
        top = self.get_y()
        self.set_draw_color(*RULE)
        self.set_x(MARGIN + 3)
        self.set_text_color(*INK)
        self.set_font(FONT, "B", 11)
        self.text_cell(174, 6.5, h.client_name)
        self.ln(6.5)
        self.set_font(FONT, "", 9)
        for text in (h.tax_id, h.address):
            if text:
                self.set_x(MARGIN + 3)
                self.text_cell(174, 5, text)
                self.ln(5)
        self.set_x(MARGIN + 3)
        self.set_font(FONT, "B", 9)
        period = _(
            "Período: %(period)s · Moneda: %(currency)s", period=h.period, currency=h.currency
        )
        self.text_cell(174, 5.5, period)
        self.ln(7)
        self.rect(MARGIN, top - 1.5, 180, self.get_y() - top + 0.5)
        self.ln(4)

    def table_head(self) -> None:
        """The column titles, drawn again at the top of every page."""
        titles = (_("Fecha"), _("Comprobante"), _("Vence"), _("Debe"), _("Haber"), _("Saldo"))
        self.column_titles(WIDTHS, titles, "LLLRRR", height=7, size=8.5)

    def note_lines(self, text: str, width: float) -> list[str]:
        """A note split into the lines it takes at the notes' size."""
        self.set_font(FONT, "I", 7.5)
        return self.multi_cell(
            width, NOTE_H, printable(text), dry_run=True, output=MethodReturnValue.LINES
        )


def _notes(line: statements.StatementLine, currency: str) -> list[str]:
    """What prints under a document: installments, applications and why it was voided."""
    document = line.document
    notes = []
    if len(document.installments) > 1:
        dues = " · ".join(
            f"{date_short(part.due_date)} {money(part.amount, currency)}"
            for part in document.installments
        )
        notes.append(_("Cuotas: %(dues)s", dues=dues))
    for application in line.applications:
        if document.is_debit:
            other = ledger.document_title(application.credit_document)
            text = _("Cancela con %(title)s", title=other)
        else:
            other = ledger.document_title(application.debit_document)
            text = _("Aplicado a %(title)s", title=other)
        notes.append(f"{text}: {money(application.amount, currency)}")
    if document.state == DocumentState.VOID and document.kind != DocumentKind.REVERSAL:
        notes.append(_("Anulado: %(reason)s", reason=document.void_reason or "—"))
    elif document.kind == DocumentKind.REVERSAL and document.void_reason:
        notes.append(_("Motivo: %(reason)s", reason=document.void_reason))
    return notes


def _due(document) -> str:
    """The first due date of a debit document."""
    return date_short(document.installments[0].due_date) if document.installments else ""


def statement_pdf(statement: statements.Statement, company: str, compress: bool = True) -> bytes:
    """The statement as PDF bytes."""
    client, currency = statement.client, statement.currency
    address = ", ".join(
        part for part in (client.street, client.city, client.province, client.postal_code) if part
    )
    tax_id = client.tax_id_formatted or client.tax_id or ""
    heading = Heading(
        company=company,
        client_name=client.legal_name,
        tax_id=f"CUIT {tax_id} · {_('Código')} {client.code}" if tax_id else client.code,
        address=address,
        period=_(
            "%(start)s al %(end)s",
            start=date_short(statement.date_from),
            end=date_short(statement.date_to),
        ),
        currency=currency,
        issued=date_short(local_today()),
    )
    pdf = StatementPDF(heading)
    pdf.start(_("Estado de cuenta %(name)s", name=client.legal_name), company, compress)
    pdf.in_table = True
    pdf.table_head()
    _summary_row(
        pdf,
        date_short(statement.date_from),
        _("Saldo anterior"),
        ("", ""),
        statement.opening,
        currency,
    )
    note_x = MARGIN + WIDTHS[0] + 3
    note_w = sum(WIDTHS[1:]) - 3
    for line in statement.lines:
        notes = [row for note in _notes(line, currency) for row in pdf.note_lines(note, note_w)]
        block = ROW_H + NOTE_H * len(notes) + 1
        pdf.ensure_room(min(block, 60))
        document = line.document
        pdf.set_font(FONT, "", 8.5)
        pdf.set_text_color(*(MUTED if document.state == DocumentState.VOID else INK))
        pdf.text_cell(WIDTHS[0], ROW_H, date_short(document.date))
        pdf.text_cell(WIDTHS[1], ROW_H, ledger.document_title(document))
        pdf.text_cell(WIDTHS[2], ROW_H, _due(document) if document.is_debit else "")
        pdf.money_cell(WIDTHS[3], ROW_H, line.debit, currency, skip_zero=True)
        pdf.money_cell(WIDTHS[4], ROW_H, line.credit, currency, skip_zero=True)
        pdf.set_text_color(*INK)
        pdf.text_cell(WIDTHS[5], ROW_H, money(line.balance, currency), align="R")
        pdf.ln(ROW_H)
        pdf.set_font(FONT, "I", 7.5)
        pdf.set_text_color(*MUTED)
        for note in notes:
            pdf.ensure_room(NOTE_H)
            pdf.set_x(note_x)
            pdf.text_cell(note_w, NOTE_H, note)
            pdf.ln(NOTE_H)
        _rule(pdf, 0.5)
    pdf.ensure_room(ROW_H * 2 + 4)
    _rule(pdf, 0, strong=True)
    _summary_row(
        pdf,
        "",
        _("Totales del período"),
        (money(statement.total_debit, currency), money(statement.total_credit, currency)),
        None,
        currency,
    )
    _summary_row(
        pdf,
        date_short(statement.date_to),
        _("Saldo al %(date)s", date=date_short(statement.date_to)),
        ("", ""),
        statement.closing,
        currency,
        bold=True,
    )
    pdf.in_table = False
    return bytes(pdf.output())


def _summary_row(pdf, when, label, amounts, balance, currency, bold=False) -> None:
    """The opening, totals and closing rows."""
    pdf.set_font(FONT, "B", 9 if bold else 8.5)
    pdf.set_text_color(*INK)
    pdf.text_cell(WIDTHS[0], ROW_H, when)
    pdf.text_cell(WIDTHS[1] + WIDTHS[2], ROW_H, label)
    pdf.text_cell(WIDTHS[3], ROW_H, amounts[0], align="R")
    pdf.text_cell(WIDTHS[4], ROW_H, amounts[1], align="R")
    pdf.money_cell(WIDTHS[5], ROW_H, balance, currency, fill=bold)
    pdf.ln(ROW_H)
    _rule(pdf, 0.5)


def _rule(pdf: StatementPDF, gap: float, strong: bool = False) -> None:
    """A thin line across the table."""
    pdf.set_draw_color(*(MUTED if strong else RULE))
    pdf.line(MARGIN, pdf.get_y() + gap / 2, MARGIN + sum(WIDTHS), pdf.get_y() + gap / 2)
    pdf.ln(gap)
