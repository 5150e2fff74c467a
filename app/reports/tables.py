"""Report tables as downloads: CSV for Excel in Spanish, and XLSX with numbers as numbers."""

import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal


def _cell_text(value) -> str:
    """A value as Excel set to Spanish (Argentina) reads it."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def csv_bytes(header: list[str], rows: Iterable[list]) -> bytes:
    """UTF-8 with a BOM and ";" between fields, so Excel in Spanish opens it as it is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell_text(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def xlsx_bytes(title: str, header: list[str], rows: Iterable[list]) -> bytes:
    """One sheet: the header in bold, amounts as numbers, dates as dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell, value in zip(sheet[sheet.max_row], row, strict=False):
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
