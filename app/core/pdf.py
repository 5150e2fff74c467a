"""The base of every printed A4 document (fpdf2): fonts, colours, margins, cells and footer.

fpdf2 installs from PyPI alone (no system libraries), and its core Helvetica needs no font
file on the machine. Core fonts print the Windows-1252 set, which holds every Spanish letter
and sign (á é í ó ú ñ ü ¿ ¡ — €); anything else prints as "?" instead of failing.
"""

from collections.abc import Sequence
from decimal import Decimal

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from app.core.templating import money

FONT = "Helvetica"
ENCODING = "cp1252"
INK = (27, 36, 33)
MUTED = (93, 107, 102)
BRAND = (11, 93, 86)
RULE = (216, 223, 220)
HEAD_FILL = (231, 236, 234)


def printable(text: object) -> str:
    """Text the core font can print: characters outside Windows-1252 become "?"."""
    return str(text).encode(ENCODING, "replace").decode(ENCODING)


class DocumentPDF(FPDF):
    """An A4 page in the house style; subclasses draw their header and table head.

    The footer says "<footer_name> · Página n de N"; a subclass with a table sets in_table
    while drawing it, so its header() can draw the column titles again on each new page.
    """

    footer_name = ""
    footer_y = -12.0

    def __init__(self, orientation: str, margin: float, bottom: float):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.core_fonts_encoding = ENCODING
        self.set_margins(margin, margin, margin)
        self.set_auto_page_break(True, margin=bottom)
        self.in_table = False

    def start(self, title: str, author: str, compress: bool = True) -> None:
        """The document's title and author, "page n of N" numbering and its first page."""
        self.set_compression(compress)
        self.set_title(printable(title))
        self.set_author(printable(author))
        self.alias_nb_pages()
        self.add_page()

    def text_cell(self, width: float, height: float, text: object, align: str = "L", **kw):
        """One cell of text on the current line, cut with "…" when it does not fit."""
        text = printable(text)
        if self.get_string_width(text) > width - 2 * self.c_margin:
            while text and self.get_string_width(text + "…") > width - 2 * self.c_margin:
                text = text[:-1]
            text += "…"
        self.cell(width, height, text, align=align, new_x=XPos.RIGHT, new_y=YPos.TOP, **kw)

    def money_cell(
        self,
        width: float,
        height: float,
        amount: Decimal | None,
        currency: str,
        blank: str = "",
        skip_zero: bool = False,
        **kw,
    ) -> None:
        """An amount right-aligned as the pages show money; `blank` for none (or zero, if told)."""
        shown = amount is not None and not (skip_zero and amount == 0)
        self.text_cell(width, height, money(amount, currency) if shown else blank, "R", **kw)

    def column_titles(
        self,
        widths: Sequence[float],
        titles: Sequence[str],
        aligns: str,
        height: float,
        size: float,
    ) -> None:
        """The table's column titles on a light band (aligns: one of L, C, R per column)."""
        self.set_font(FONT, "B", size)
        self.set_text_color(*INK)
        self.set_fill_color(*HEAD_FILL)
        for width, title, align in zip(widths, titles, aligns, strict=True):
            self.text_cell(width, height, title, align=align, fill=True)
        self.ln(height)

    def ensure_room(self, height: float) -> None:
        """Start a new page when the next block would cross the bottom margin."""
        if self.will_page_break(height):
            self.add_page()

    def footer(self) -> None:
        """Whose document it is and page n of N."""
        self.set_y(self.footer_y)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*MUTED)
        text = _(
            "%(name)s · Página %(page)s de %(pages)s",
            name=self.footer_name,
            page=self.page_no(),
            pages="{nb}",
        )
        self.cell(0, 5, printable(text), align="C")
