"""Reading the spreadsheets users upload (CSV and XLSX), streamed row by row.

Every import (the catalogue's, the clients') reads its files here, so they accept the same
files and refuse the same ones with the same Spanish messages: what Excel in Spanish writes
(";" and Windows-1252), UTF-8 with or without BOM, and .xlsx read in openpyxl's streaming mode.
"""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

from flask_babel import gettext as _

from app.core.numbers import parse_decimal
from app.core.text import fold

SHOWN_ERRORS = 50
TRUE_WORDS = {"1", "s", "si", "y", "yes", "true", "on", "verdadero", "activo", "x"}
FALSE_WORDS = {"0", "n", "no", "false", "off", "falso", "inactivo"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and Office's encrypted files
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell [^>]*ref="([A-Z]+)(\d+)(?::[A-Z]+\d+)?"')


@dataclass(frozen=True)
class RowError:
    """What is wrong in one cell of an imported file (row 1 is the header)."""

    row: int
    column: str
    message: str


class ImportRefused(ValueError):
    """A file with errors: nothing was written. Keeps the first errors and counts them all."""

    def __init__(self, errors: list[RowError], total: int | None = None):
        super().__init__(f"{total or len(errors)} errors")
        self.errors = errors[:SHOWN_ERRORS]
        self.total = len(errors) if total is None else total


@dataclass(frozen=True)
class Column:
    """A column of an import file: its name in the template and the names it is known by."""

    field: str
    header: str
    required: bool
    aliases: tuple[str, ...]
    example: tuple[str, ...]


class Formula(str):
    """An XLSX cell holding a formula (its text), for imports that refuse formulas."""

    __slots__ = ()


def refuse(message: str, row: int = 0, column: str = "") -> ImportRefused:
    """A whole-file refusal with one message."""
    return ImportRefused([RowError(row, column, message)])


def cell_text(raw: object) -> str:
    """A form value or a file's cell as trimmed text (a whole number from Excel without ".0")."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime | date):
        return raw.isoformat()
    return str(raw).strip()


def parse_number(raw: object) -> Decimal | None:
    """A cell's number, or text read by parse_decimal ("1.234,50", "1234.5", "21 %"); else None."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int | Decimal):
        number = Decimal(raw)
        return number if number.is_finite() else None
    if isinstance(raw, float):  # a spreadsheet's number cell, exactly as it shows
        return Decimal(repr(raw)) if raw == raw and abs(raw) != float("inf") else None
    try:
        return parse_decimal(str(raw).strip().removesuffix("%"), negative=True)
    except ValueError:
        return None


def parse_flag(raw: object) -> bool | None:
    """Yes or no as people write it (S/N, Sí/No, 1/0, true/false); None if it is neither."""
    if isinstance(raw, bool):
        return raw
    word = fold(cell_text(raw)).rstrip(".")
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def header_key(text: object) -> str:
    """A header cell folded for matching: "Código " -> "codigo"."""
    return re.sub(r"[^a-z0-9]", "", fold(cell_text(text)))


def file_bytes(file) -> tuple[bytes, str]:
    """The file's bytes and its name (a FileStorage, a binary stream or bytes)."""
    name = getattr(file, "filename", None) or getattr(file, "name", None) or ""
    if isinstance(file, bytes | bytearray):
        return bytes(file), ""
    stream: BinaryIO = getattr(file, "stream", file)
    return stream.read(), str(name)


def match_headers(
    header: list[object], columns: tuple[Column, ...], row: int = 1
) -> tuple[dict[str, int], list[tuple[int, str]], list[RowError]]:
    """Each known column's position, the headers not recognised, and repeated or missing ones."""
    positions: dict[str, int] = {}
    unknown, errors = [], []
    for index, cell in enumerate(header):
        key = header_key(cell)
        column = next((c for c in columns if key in c.aliases), None)
        if column is None:
            if key:
                unknown.append((index, cell_text(cell)))
            continue
        if column.field in positions:
            message = _("La columna %(name)s está repetida.", name=column.header)
            errors.append(RowError(row, column.header, message))
        positions[column.field] = index
    for column in columns:
        if column.required and column.field not in positions:
            message = _("Falta la columna %(name)s.", name=column.header)
            errors.append(RowError(row, column.header, message))
    return positions, unknown, errors


def iter_rows(data: bytes, name: str = "", *, formulas: bool = True) -> Iterator[tuple[int, list]]:
    """Every non-empty row of a CSV or XLSX with its number (from 1), streamed.

    Raises ImportRefused for a file that cannot be read at all. With `formulas` False, an XLSX
    formula cell comes as a Formula (its text) so the caller can refuse it; otherwise as its
    last computed value.
    """
    lower = name.lower()
    if not data.strip():
        raise refuse(_("El archivo está vacío."), 1)
    if data[:8] == OLE_MAGIC:
        if ENCRYPTED_STREAM in data:
            raise refuse(
                _("La planilla está protegida con contraseña: quitásela y volvé a subirla.")
            )
        raise refuse(_("Guardá la planilla como .xlsx o .csv."))
    if lower.endswith(".xls"):
        raise refuse(_("Guardá la planilla como .xlsx o .csv."))
    if data[:4] == b"PK\x03\x04" or lower.endswith(".xlsx"):
        rows = _xlsx_rows(data, formulas)
    else:
        rows = _csv_rows(data)
    for number, cells in rows:
        if any(cell_text(c) for c in cells):
            yield number, cells


def _xlsx_rows(data: bytes, formulas: bool) -> Iterator[tuple[int, list]]:
    """The first sheet's rows, read in streaming mode; merged cells refuse the file."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=formulas)
        sheet = book.worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as error:
        message = _("No pudimos leer la planilla: guardala de nuevo como .xlsx o como .csv.")
        raise refuse(message) from error
    try:
        _refuse_merged(book, sheet)
        if formulas:
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(cells)
            return
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            yield (
                number,
                [
                    Formula(c.value) if getattr(c, "data_type", None) == "f" else c.value
                    for c in cells
                ],
            )
    finally:
        book.close()


def _refuse_merged(book, sheet) -> None:
    """Refuse a sheet with merged cells: their value is in one cell and the others read empty."""
    path = getattr(sheet, "_worksheet_path", None)
    if path is None:
        return
    found: set[str] = set()
    tail = b""
    with book._archive.open(path) as stream:
        while len(found) < 5 and (chunk := stream.read(1 << 20)):
            text = tail + chunk
            found |= {(m[1] + m[2]).decode() for m in _MERGE.finditer(text)}
            tail = text[-200:]
    if found:
        cells = ", ".join(sorted(found, key=lambda ref: (len(ref), ref))[:5])
        raise refuse(
            _(
                "La planilla tiene celdas combinadas (%(cells)s): separalas y volvé a subirla.",
                cells=cells,
            )
        )


def _encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252; else the file is refused."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), 1 << 20):
                decoder.decode(data[start : start + (1 << 20)])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise refuse(_("No reconocemos la codificación del archivo: guardalo como CSV UTF-8."))


def _csv_rows(data: bytes) -> Iterator[tuple[int, list]]:
    """A CSV's rows: UTF-8 with or without BOM (else Windows' Latin-1), ";", "," or tab."""
    utf16 = data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    if not utf16 and b"\x00" in data[:4096]:
        raise refuse(_("El archivo no es un CSV ni una planilla XLSX."))
    encoding = _encoding(data)
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    first = ""
    for line in text:
        if line.strip():
            first = line
            break
    text.seek(0)
    delimiter = max((";", ",", "\t"), key=first.count) if first else ";"
    reader = csv.reader(text, delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as error:
        raise refuse(_("El CSV está mal formado.")) from error


# --- writing -----------------------------------------------------------------------------------


def csv_text(rows: Iterable[list]) -> str:
    """Rows as a CSV Excel in Spanish opens well: BOM, ";", decimal comma, CRLF."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue()


def _csv_cell(value: object) -> str:
    """A cell as text: empty for none, "sí"/"no", numbers with a decimal comma."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("sí") if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return str(value)


def xlsx_bytes(rows: Iterable[list], title: str) -> bytes:
    """Rows as a one-sheet XLSX written as they come (write-only); text starting with "=" stays
    text, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str) and value.startswith("="):
                value = WriteOnlyCell(sheet, value=value)
                value.data_type = "s"
            cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
