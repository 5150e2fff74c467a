"""The catalogue's files: CSV and XLSX imports of products and prices, and their templates."""

from dataclasses import dataclass
from itertools import islice

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit.services import record
from app.clients.rules import search_key
from app.core.changes import reserve_change_seqs
from app.core.spreadsheets import (
    Column,
    ImportRefused,
    RowError,
    csv_text,
    file_bytes,
    iter_rows,
    match_headers,
    xlsx_bytes,
)
from app.extensions import db
from app.ledger.models import CURRENCIES
from app.orders.catalogue import cell_text, parse_number, parse_price
from app.orders.models import Price, PriceList, Product
from app.orders.products import NEW_PRODUCT, check_product

MAX_IMPORT_ROWS = 50_000
CHUNK = 500  # values per IN (...)


@dataclass(frozen=True)
class ImportResult:
    """What an import did, row by row counted."""

    rows: int
    created: int
    updated: int
    unchanged: int


def _fetch_in(query: sa.Select, column, values: list) -> list:
    """The rows of the query whose column is one of the values, a chunk at a time."""
    found = []
    for start in range(0, len(values), CHUNK):
        chunk = values[start : start + CHUNK]
        found.extend(db.session.execute(query.where(column.in_(chunk))).all())
    return found


PRODUCT_COLUMNS = (
    Column("code", "codigo", True, ("codigo", "cod", "code", "codproducto", "sku"),
           ("GAL001", "LIM010")),
    Column("description", "descripcion", True, ("descripcion", "description", "detalle", "nombre"),
           ("Galletitas de agua Criollitas 100 g", "Lavandina Ayudín 1 l")),
    Column("unit", "unidad", False, ("unidad", "unit", "um", "unidaddemedida"),
           ("caja x 12", "un")),
    Column("tax_rate", "iva", False, ("iva", "alicuota", "alicuotaiva", "taxrate", "tasaiva"),
           ("10,5", "21")),
    Column("active", "activo", False, ("activo", "active", "habilitado"), ("S", "S")),
)  # fmt: skip
PRICE_COLUMNS = (
    Column("code", "codigo", True, ("codigo", "cod", "code", "codproducto", "producto", "sku"),
           ("GAL001", "LIM010")),
    Column("price", "precio", True, ("precio", "price", "importe", "preciounitario"),
           ("12500,00", "1830,50")),
    Column("currency", "moneda", False, ("moneda", "currency"), ("ARS", "ARS")),
)  # fmt: skip
IMPORT_COLUMNS = {"products": PRODUCT_COLUMNS, "prices": PRICE_COLUMNS}


def read_table(file) -> list[tuple[int, list[object]]]:
    """Every row of a CSV or XLSX file with its number (from 1), the empty rows left out."""
    data, name = file_bytes(file)
    return list(islice(iter_rows(data, name), MAX_IMPORT_ROWS + 2))


def _records(file, columns: tuple[Column, ...]) -> list[tuple[int, dict]]:
    """The data rows as {field: cell} with their row numbers (missing columns read as empty)."""
    rows = read_table(file)
    if not rows:
        raise ImportRefused([RowError(1, "", _("El archivo está vacío."))])
    header_number, header = rows[0]
    positions, _unknown, errors = match_headers(header, columns, header_number)
    if errors:
        raise ImportRefused(errors)
    data = rows[1:]
    if not data:
        raise ImportRefused([RowError(header_number + 1, "", _("El archivo no tiene filas."))])
    if len(data) > MAX_IMPORT_ROWS:
        message = _("Como máximo %(max)s filas por archivo.", max=f"{MAX_IMPORT_ROWS:,}")
        raise ImportRefused([RowError(0, "", message.replace(",", "."))])
    return [
        (number, {c.field: _cell(cells, positions.get(c.field)) for c in columns})
        for number, cells in data
    ]


def _cell(cells: list, index: int | None) -> object:
    """The cell at a column's position; None when the file lacks the column or the row is short."""
    return cells[index] if index is not None and index < len(cells) else None


def _refuse(problems: list[tuple[int, str, dict[str, str]]], columns: tuple[Column, ...]):
    """Raise ImportRefused with every problem found, per row and column."""
    headers = {c.field: c.header for c in columns}
    errors = [
        RowError(number, headers.get(field, field), message)
        for number, _key, fields in problems
        for field, message in fields.items()
    ]
    raise ImportRefused(errors)


def _forget_cached(*models: type) -> None:
    """Rows changed by bulk statements: reload them from the database when next read."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, models):
            db.session.expire(obj)


def import_products(file) -> ImportResult:
    """Create or update products by code from a CSV or XLSX; one bad row refuses the file.

    Columns: codigo, descripcion (required), unidad, iva, activo (optional: an empty cell or
    a missing column keeps the product's value, or a new product's default).
    """
    records = _records(file, PRODUCT_COLUMNS)
    codes = sorted({cell_text(raw["code"]) for _n, raw in records} - {""})
    existing = {
        row.code: row
        for row in _fetch_in(
            sa.select(
                Product.id,
                Product.code,
                Product.description,
                Product.unit,
                Product.tax_rate,
                Product.active,
                Product.cost,
                Product.deleted_at,
            ),
            Product.code,
            codes,
        )
    }
    problems, seen = [], {}
    creates, updates, unchanged = [], [], 0
    for number, raw in records:
        code = cell_text(raw["code"])
        current = existing.get(code)
        defaults = (
            {
                "unit": current.unit,
                "tax_rate": current.tax_rate,
                "active": current.active,
                "cost": current.cost,
            }
            if current
            else NEW_PRODUCT
        )
        values, errors = check_product(raw, defaults)
        if code and code in seen:
            errors["code"] = _("Código repetido: ya está en la fila %(row)d.", row=seen[code])
        seen.setdefault(code, number)
        if errors:
            problems.append((number, code, errors))
            continue
        if current is None:
            creates.append(values)
        elif current.deleted_at is not None or any(
            getattr(current, field) != value for field, value in values.items()
        ):
            updates.append(values | {"id": current.id})
        else:
            unchanged += 1
    if problems:
        _refuse(problems, PRODUCT_COLUMNS)
    connection = db.session.connection()
    for rows, statement in ((creates, sa.insert(Product)), (updates, sa.update(Product))):
        if not rows:
            continue
        for row, seq in zip(rows, reserve_change_seqs(connection, len(rows)), strict=True):
            row |= {
                "change_seq": seq,
                "deleted_at": None,
                "search_text": search_key(row["code"], row["description"]),
            }
        db.session.execute(statement, rows)
    _forget_cached(Product)
    result = ImportResult(len(records), len(creates), len(updates), unchanged)
    record("product.import", "product", "import", None, _result_view(result, file))
    return result


def import_prices(file, price_list: PriceList) -> ImportResult:
    """Set a list's prices by product code and currency from a CSV or XLSX; all or nothing.

    Columns: codigo, precio (required), moneda (optional: the list's currency).
    """
    records = _records(file, PRICE_COLUMNS)
    codes = sorted({cell_text(raw["code"]) for _n, raw in records} - {""})
    products = {
        row.code: row.id
        for row in _fetch_in(
            sa.select(Product.id, Product.code).where(Product.deleted_at.is_(None)),
            Product.code,
            codes,
        )
    }
    existing = {
        (row.product_id, row.currency): row
        for row in db.session.execute(
            sa.select(Price.id, Price.product_id, Price.currency, Price.price, Price.deleted_at)
            .where(Price.price_list_id == price_list.id)
        )
    }  # fmt: skip
    problems, seen = [], {}
    creates, updates, unchanged = [], [], 0
    for number, raw in records:
        errors: dict[str, str] = {}
        code = cell_text(raw["code"])
        product_id = products.get(code)
        if not code:
            errors["code"] = _("Escribí el código del producto.")
        elif product_id is None:
            errors["code"] = _("No existe un producto con ese código.")
        amount = parse_price(raw["price"], errors, "price")
        currency = cell_text(raw.get("currency")).upper() or price_list.currency
        if currency not in CURRENCIES:
            errors["currency"] = _(
                "La moneda tiene que ser %(choices)s.", choices=" o ".join(CURRENCIES)
            )
        key = (code, currency)
        if code and key in seen:
            errors["code"] = _(
                "Producto y moneda repetidos: ya están en la fila %(row)d.", row=seen[key]
            )
        seen.setdefault(key, number)
        if errors:
            problems.append((number, code, errors))
            continue
        current = existing.get((product_id, currency))
        if current is None:
            creates.append(
                {
                    "price_list_id": price_list.id,
                    "product_id": product_id,
                    "currency": currency,
                    "price": amount,
                }
            )
        elif current.deleted_at is not None or current.price != amount:
            updates.append({"id": current.id, "price": amount})
        else:
            unchanged += 1
    if problems:
        _refuse(problems, PRICE_COLUMNS)
    connection = db.session.connection()
    for rows, statement in ((creates, sa.insert(Price)), (updates, sa.update(Price))):
        if not rows:
            continue
        for row, seq in zip(rows, reserve_change_seqs(connection, len(rows)), strict=True):
            row |= {"change_seq": seq, "deleted_at": None}
        db.session.execute(statement, rows)
    _forget_cached(Price)
    result = ImportResult(len(records), len(creates), len(updates), unchanged)
    after = _result_view(result, file) | {"price_list": price_list.code}
    record("price_list.import", "price_list", price_list.id, None, after)
    return result


def _result_view(result: ImportResult, file) -> dict:
    """An import's counts as the audit log keeps them."""
    name = getattr(file, "filename", None) or getattr(file, "name", None)
    return {
        "file": str(name)[:200] if name else None,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }


def template_columns(kind: str) -> tuple[Column, ...]:
    """The columns of an import file ("products" or "prices")."""
    return IMPORT_COLUMNS[kind]


def template_rows(kind: str) -> list[list[str]]:
    """The template's header and example rows."""
    columns = IMPORT_COLUMNS[kind]
    examples = zip(*(column.example for column in columns), strict=True)
    return [[column.header for column in columns], *(list(row) for row in examples)]


def template_csv(kind: str) -> str:
    """The template as a CSV Excel in Spanish opens well: BOM, ";" and decimal comma."""
    return csv_text(template_rows(kind))


def template_xlsx(kind: str) -> bytes:
    """The template as an XLSX sheet (numbers as numbers, codes as text)."""
    numeric = {"tax_rate", "price"}
    fields = [column.field for column in IMPORT_COLUMNS[kind]]
    header, *examples = template_rows(kind)
    rows = [
        [
            parse_number(value) if field in numeric else value
            for field, value in zip(fields, row, strict=True)
        ]
        for row in examples
    ]
    return xlsx_bytes([header, *rows], "productos" if kind == "products" else "precios")


def counts_text(result: ImportResult) -> str:
    """ "120 filas: 100 nuevos, 15 modificados, 5 sin cambios"."""
    return _(
        "%(rows)d filas: %(created)d nuevos, %(updated)d modificados, %(unchanged)d sin cambios.",
        rows=result.rows,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )
