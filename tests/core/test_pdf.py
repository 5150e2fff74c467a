"""Both printed documents stand on the one base: its font, its footer, its money cells."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from app.collections.pdf import SheetPDF, sheet_pdf
from app.core.pdf import DocumentPDF, printable
from app.ledger.pdf import Heading, StatementPDF


def heading() -> Heading:
    """A statement heading with plain values."""
    return Heading("Distribuidora", "Almacén Don José", "", "", "enero", "ARS", "01/02/2026")


def test_both_documents_are_made_on_the_base():
    assert issubclass(StatementPDF, DocumentPDF) and issubclass(SheetPDF, DocumentPDF)
    statement, sheet = StatementPDF(heading()), SheetPDF("Distribuidora", "Ana", date(2026, 2, 1))
    assert statement.footer_name == "Almacén Don José" and sheet.footer_name == "Ana"
    assert statement.core_fonts_encoding == sheet.core_fonts_encoding == "cp1252"


def test_a_document_prints_the_base_font_and_footer(app):
    with app.test_request_context():
        body = sheet_pdf(
            [], SimpleNamespace(full_name="Ana Cobradora"), date(2026, 2, 1), "D", False
        )
    assert b"/BaseFont /Helvetica" in body
    assert "(Ana Cobradora · Página 1 de ) Tj (1) Tj".encode("cp1252") in body


def test_money_cells_leave_out_what_has_no_amount(app):
    with app.test_request_context():
        pdf = StatementPDF(heading())
        pdf.start("t", "a", compress=False)
        pdf.set_font("Helvetica", "", 8)
        pdf.money_cell(30, 6, Decimal("1234.5"), "ARS")
        pdf.money_cell(30, 6, Decimal("0"), "ARS", blank="zero-left-out", skip_zero=True)
        pdf.money_cell(30, 6, Decimal("0"), "ARS")
        pdf.money_cell(30, 6, None, "ARS", blank="none-left-out")
        body = bytes(pdf.output()).decode("cp1252")
    assert printable("$\u00a01.234,50") in body and "$\u00a00,00" in body
    assert "zero-left-out" in body and "none-left-out" in body
