"""Catalogue services: products, lists and prices, breaks, promotions, a client's own
conditions with their history, and the CSV/XLSX imports (all rows or none)."""

import io
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from werkzeug.datastructures import FileStorage

from app.audit.models import AuditEntry
from app.core.types import local_today
from app.extensions import db
from app.orders import catalogue, catalogue_files, conditions, prices, products, promotions
from app.orders import services as orders
from app.orders.catalogue import CatalogueError
from app.orders.catalogue_files import ImportRefused
from app.orders.models import ClientCondition, Price, Product, Promotion, VolumeDiscount
from tests import factories

D = Decimal
# For parametrize only (read at import); tests read local_today() when they run, so a suite
# that crosses midnight in Buenos Aires still agrees with the services.
TODAY = local_today()


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def upload(data: bytes | str, name: str = "archivo.csv") -> FileStorage:
    """A file as the upload form sends it."""
    raw = data.encode() if isinstance(data, str) else data
    return FileStorage(stream=io.BytesIO(raw), filename=name)


def xlsx(rows: list[list]) -> bytes:
    """A spreadsheet with these rows on its first sheet."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def product_row(code: str) -> Product:
    return db.session.scalar(sa.select(Product).where(Product.code == code))


# --- products ----------------------------------------------------------------------------------


def test_save_product_creates_and_audits(app):
    product = products.save_product(
        {"code": "YER001", "description": "Yerba Playadito 1 kg", "unit": "un",
         "tax_rate": "21", "active": "1"}
    )  # fmt: skip
    assert (product.code, product.tax_rate, product.active) == ("YER001", D("21"), True)
    (entry,) = audit("product.create")
    assert entry.entity_type == "product" and entry.entity_id == str(product.id)
    assert entry.after["description"] == "Yerba Playadito 1 kg"
    assert [p.code for p in orders.search_products("playadito")] == ["YER001"]


def test_save_product_refuses_bad_values_with_spanish_messages(app):
    factories.make_product(code="GAL001")
    with pytest.raises(CatalogueError) as refused:
        products.save_product({"code": "GAL001", "description": "", "tax_rate": "19"})
    assert refused.value.fields == {
        "description": "Escribí la descripción.",
        "tax_rate": "La alícuota de IVA tiene que ser 0, 10,5, 21 o 27.",
        "code": "Ya existe un producto con ese código.",
    }
    assert count(Product) == 1
    assert audit("product.create") == []


def test_editing_a_product_audits_only_what_changed(app):
    product = products.save_product(
        {"code": "GAL001", "description": "Criollitas", "tax_rate": "10,5", "active": "1"}
    )
    products.save_product(
        {"code": "GAL001", "description": "Criollitas 100 g", "unit": "caja x 12",
         "tax_rate": "10.50", "active": "0"},
        product,
    )  # fmt: skip
    (entry,) = audit("product.update")
    assert entry.before == {"description": "Criollitas", "unit": "un", "active": True}
    assert entry.after == {"description": "Criollitas 100 g", "unit": "caja x 12", "active": False}
    products.save_product(
        {"code": "GAL001", "description": "Criollitas 100 g", "unit": "caja x 12",
         "tax_rate": "10,5", "active": "0"},
        product,
    )  # fmt: skip
    assert len(audit("product.update")) == 1  # nothing changed, nothing written


# --- price lists and prices --------------------------------------------------------------------


def test_price_lists_have_unique_codes(app):
    prices.save_price_list({"code": "MAY", "name": "Mayorista", "currency": "ARS"})
    with pytest.raises(CatalogueError) as refused:
        prices.save_price_list({"code": "MAY", "name": "Otra", "currency": "EUR"})
    assert set(refused.value.fields) == {"code", "currency"}
    assert [row.code for row in prices.price_lists()] == ["MAY"]
    assert [a.after["code"] for a in audit("price_list.create")] == ["MAY"]


def test_set_price_creates_updates_removes_and_brings_back_one_row(app):
    price_list = factories.make_price_list(code="MIN")
    product = factories.make_product(code="ACE001")
    first = prices.set_price(price_list, product, {"price": "3.420,50"})
    assert (first.price, first.currency) == (D("3420.50"), "ARS")
    prices.set_price(price_list, product, {"price": "3500"})
    prices.remove_price(first)
    assert orders.prices_for([product.id], price_list, "ARS") == {}
    again = prices.set_price(price_list, product, {"price": "3600", "currency": "ARS"})
    assert again.id == first.id and again.deleted_at is None
    assert count(Price) == 1
    assert [(a.before or {}).get("price") for a in audit("price.set")] == [None, "3420.5", None]
    assert len(audit("price.delete")) == 1
    dollars = prices.set_price(price_list, product, {"price": "3,10", "currency": "usd"})
    assert (dollars.currency, dollars.price) == ("USD", D("3.10"))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Escribí el precio."),
        ("abc", "El precio tiene que ser un número (por ejemplo 1234,50)."),
        ("-1", "El precio no puede ser negativo."),
        ("1,23456", "Como máximo cuatro decimales."),
        ("99999999999", "El precio es demasiado grande."),
    ],
)
def test_set_price_refuses_what_is_not_a_price(app, raw, message):
    price_list = factories.make_price_list()
    product = factories.make_product()
    with pytest.raises(CatalogueError) as refused:
        prices.set_price(price_list, product, {"price": raw})
    assert refused.value.fields == {"price": message}
    assert count(Price) == 0


# --- volume breaks and promotions --------------------------------------------------------------


def test_volume_breaks_one_per_minimum_and_soft_deleted(app):
    product = factories.make_product()
    first = prices.save_volume_discount(product, {"min_quantity": "12", "discount_pct": "5"})
    same = prices.save_volume_discount(product, {"min_quantity": "12,000", "discount_pct": "6"})
    prices.save_volume_discount(product, {"min_quantity": "2,5", "discount_pct": "2"})
    assert same.id == first.id and first.discount_pct == D("6")
    assert [b.min_quantity for b in prices.volume_breaks(product)] == [D("2.5"), D("12")]
    prices.delete_volume_discount(first)
    assert [b.min_quantity for b in prices.volume_breaks(product)] == [D("2.5")]
    assert count(VolumeDiscount) == 2  # the deleted one stays, with deleted_at
    with pytest.raises(CatalogueError) as refused:
        prices.save_volume_discount(product, {"min_quantity": "0", "discount_pct": "101"})
    assert set(refused.value.fields) == {"min_quantity", "discount_pct"}
    actions = [a.action for a in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == [
        "volume_discount.create",
        "volume_discount.update",
        "volume_discount.create",
        "volume_discount.delete",
    ]


def test_promotions_need_a_known_product_and_ordered_dates(app):
    factories.make_product(code="GAL004")
    with pytest.raises(CatalogueError) as refused:
        promotions.save_promotion(
            {"name": "3x2", "product_code": "NOPE", "discount_pct": "33,33",
             "valid_from": "2026-11-30", "valid_to": "2026-11-01"}
        )  # fmt: skip
    assert refused.value.fields == {
        "product_code": "No existe un producto con ese código.",
        "valid_to": "La fecha hasta no puede ser anterior a la fecha desde.",
    }
    promo = promotions.save_promotion(
        {"name": "Promo galletitas 3x2", "product_code": "GAL004", "discount_pct": "33,33",
         "valid_from": "01/11/2026", "valid_to": "2026-11-30"}
    )  # fmt: skip
    assert (promo.discount_pct, promo.valid_from.day, promo.valid_to.day) == (D("33.33"), 1, 30)
    promotions.delete_promotion(promo)
    assert db.session.scalars(promotions.promotions_query()).all() == []
    assert count(Promotion) == 1
    assert [a.action for a in audit("promotion.create") + audit("promotion.delete")] == [
        "promotion.create",
        "promotion.delete",
    ]


# --- a client's own conditions -----------------------------------------------------------------


def condition_values(**fields) -> dict:
    values = {"kind": "discount", "value": "5", "reason": "Acuerdo anual"}
    return values | fields


def test_a_new_condition_ends_the_one_in_force_and_keeps_the_history(app):
    client = factories.make_client()
    office = factories.make_user("backoffice")
    old = ClientCondition(
        client_id=client.id, discount_pct=D("3"), valid_from=local_today() - timedelta(days=90),
        reason="Bienvenida",
    )  # fmt: skip
    db.session.add(old)
    db.session.flush()
    new = conditions.add_condition(client, condition_values(value="7,5"), office)
    assert old.valid_to == local_today() - timedelta(
        days=1
    )  # ended yesterday, never edited otherwise
    assert old.discount_pct == D("3") and old.deleted_at is None
    assert (new.discount_pct, new.valid_from, new.valid_to) == (D("7.5"), local_today(), None)
    assert new.created_by_id == office.id
    assert orders.conditions_in_force(client, local_today()) == [new]
    current, ended = conditions.client_conditions(client)
    assert (current, ended) == ([new], [old])
    (entry,) = audit("client.condition")
    assert (entry.entity_type, entry.entity_id) == ("client", str(client.id))
    assert entry.after["replaced"] == [old.id] and entry.after["discount_pct"] == "7.5"


def test_a_condition_for_one_product_leaves_the_general_one_alone(app):
    client = factories.make_client()
    factories.make_product(code="GAS001")
    general = conditions.add_condition(client, condition_values(), None)
    special = conditions.add_condition(
        client, condition_values(kind="price", value="19500", product_code="GAS001"), None
    )
    assert general.valid_to is None
    assert {c.id for c in orders.conditions_in_force(client, local_today())} == {
        general.id,
        special.id,
    }
    assert special.special_price == D("19500") and special.discount_pct is None


def test_a_condition_replaced_on_its_first_day_is_withdrawn(app):
    client = factories.make_client()
    first = conditions.add_condition(client, condition_values(), None)
    second = conditions.add_condition(client, condition_values(value="6"), None)
    assert first.deleted_at is not None  # same day: withdrawn, kept in the history
    assert orders.conditions_in_force(client, local_today()) == [second]
    assert conditions.client_conditions(client) == ([second], [first])


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"kind": "price", "value": "100"}, {"product_code"}),
        ({"product_code": "NOPE"}, {"product_code"}),
        ({"kind": "bonus"}, {"kind"}),
        ({"value": "0"}, {"value"}),
        ({"valid_from": (TODAY - timedelta(days=1)).isoformat()}, {"valid_from"}),
        ({"valid_to": (TODAY - timedelta(days=1)).isoformat()}, {"valid_to"}),
        ({"reason": " "}, {"reason"}),
    ],
)
def test_add_condition_refuses_bad_values(app, values, errors):
    client = factories.make_client()
    with pytest.raises(CatalogueError) as refused:
        conditions.add_condition(client, condition_values(**values), None)
    assert set(refused.value.fields) == errors
    assert count(ClientCondition) == 0


def test_ending_a_condition(app):
    client = factories.make_client()
    running = ClientCondition(
        client_id=client.id, discount_pct=D("4"), valid_from=local_today() - timedelta(days=10)
    )
    db.session.add(running)
    db.session.flush()
    conditions.end_condition(running)
    assert running.valid_to == local_today() - timedelta(days=1)
    assert orders.conditions_in_force(client, local_today()) == []
    with pytest.raises(CatalogueError):
        conditions.end_condition(running)
    today = conditions.add_condition(client, condition_values(), None)
    conditions.end_condition(today)
    assert today.deleted_at is not None
    entries = audit("client.condition.end")
    assert [e.after["ended_on"] for e in entries] == [running.valid_to.isoformat(), None]


# --- imports -----------------------------------------------------------------------------------

PRODUCTS_CSV = (
    "\ufeffCódigo;Descripción;Unidad;IVA;Activo\r\n"
    "GAL001;Galletitas Criollitas 100 g;caja x 12;10,5;S\r\n"
    "YER002;Yerba Playadito 1 kg;un;21;S\r\n"
    "LIM001;Lavandina Ayudín 1 l;;;\r\n"
    ";;;;\r\n"
)


def test_import_products_from_a_csv_with_semicolons_decimal_comma_and_bom(app):
    result = catalogue_files.import_products(upload(PRODUCTS_CSV, "productos.csv"))
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    galletitas = product_row("GAL001")
    assert (galletitas.description, galletitas.unit, galletitas.tax_rate) == (
        "Galletitas Criollitas 100 g",
        "caja x 12",
        D("10.5"),
    )
    lavandina = product_row("LIM001")
    assert (lavandina.unit, lavandina.tax_rate, lavandina.active) == ("un", D("21"), True)
    assert lavandina.change_seq > 0
    assert [p.code for p in orders.search_products("ayudin")] == ["LIM001"]
    (entry,) = audit("product.import")
    assert entry.after == {
        "file": "productos.csv", "rows": 3, "created": 3, "updated": 0, "unchanged": 0,
    }  # fmt: skip
    assert audit("product.create") == []  # one row per import, not one per product


def test_a_second_import_updates_instead_of_duplicating(app):
    catalogue_files.import_products(upload(PRODUCTS_CSV))
    second = (
        "codigo,descripcion,iva,activo\n"
        "GAL001,Galletitas Criollitas 100 g,10.5,S\n"  # unchanged (unit column missing: kept)
        "YER002,Yerba Playadito 500 g,21,N\n"  # updated
        "NEW001,Fideos Lucchetti 500 g,21,S\n"  # created
    )
    result = catalogue_files.import_products(upload(second))
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert count(Product) == 4
    yerba = product_row("YER002")
    assert (yerba.description, yerba.active) == ("Yerba Playadito 500 g", False)
    assert product_row("GAL001").unit == "caja x 12"
    assert [a.after["updated"] for a in audit("product.import")] == [0, 1]


def test_import_products_from_xlsx(app):
    data = xlsx(
        [
            ["codigo", "descripcion", "unidad", "iva", "activo"],
            [7790001, "Aceite Natura 1,5 l", "un", 21, "S"],
            ["GAL005", "Oreo 118 g", "caja x 12", 10.5, None],
            [None, None, None, None, None],
        ]
    )
    result = catalogue_files.import_products(upload(data, "Productos.XLSX"))
    assert (result.rows, result.created) == (2, 2)
    assert product_row("7790001").description == "Aceite Natura 1,5 l"
    assert product_row("GAL005").tax_rate == D("10.5")


def test_a_bad_row_refuses_the_whole_file_and_writes_nothing(app):
    factories.make_product(code="GAL001", description="Antes")
    data = (
        "codigo;descripcion;iva;activo\n"
        "GAL001;Después;21;S\n"
        "YER001;Yerba;19;S\n"
        "YER002;;21;quizás\n"
        "GAL001;Otra vez;21;S\n"
    )
    with pytest.raises(ImportRefused) as refused:
        catalogue_files.import_products(upload(data))
    errors = [(e.row, e.column, e.message) for e in refused.value.errors]
    assert errors == [
        (3, "iva", "La alícuota de IVA tiene que ser 0, 10,5, 21 o 27."),
        (4, "descripcion", "Escribí la descripción."),
        (4, "activo", "Escribí S (activo) o N (inactivo)."),
        (5, "codigo", "Código repetido: ya está en la fila 2."),
    ]
    assert refused.value.total == 4
    assert count(Product) == 1 and product_row("GAL001").description == "Antes"
    assert audit("product.import") == []


def test_a_file_without_the_required_columns_is_refused(app):
    with pytest.raises(ImportRefused) as refused:
        catalogue_files.import_products(upload("codigo;nombre del artículo\nA1;algo\n"))
    assert [(e.row, e.column, e.message) for e in refused.value.errors] == [
        (1, "descripcion", "Falta la columna descripcion.")
    ]
    with pytest.raises(ImportRefused) as empty:
        catalogue_files.import_products(upload(""))
    assert empty.value.errors[0].message == "El archivo está vacío."
    with pytest.raises(ImportRefused) as broken:
        catalogue_files.import_products(upload(b"PK\x03\x04 roto", "roto.xlsx"))
    assert "No pudimos leer la planilla" in broken.value.errors[0].message


def test_a_latin1_csv_from_excel_is_read_too(app):
    data = "codigo;descripcion\nLIM009;Limpiador cremoso Cif 750 g – limón\n".encode("cp1252")
    catalogue_files.import_products(upload(data))
    assert product_row("LIM009").description == "Limpiador cremoso Cif 750 g – limón"


def test_many_errors_are_counted_but_only_the_first_fifty_shown(app):
    rows = "".join(f"P{n};;21\n" for n in range(120))
    with pytest.raises(ImportRefused) as refused:
        catalogue_files.import_products(upload("codigo;descripcion;iva\n" + rows))
    assert refused.value.total == 120
    assert len(refused.value.errors) == 50
    assert refused.value.errors[0].row == 2


def test_import_prices_by_code_and_currency(app):
    price_list = factories.make_price_list(code="MAY")
    gal = factories.make_product(code="GAL001")
    yer = factories.make_product(code="YER002")
    factories.make_price(price_list, yer, "4000")
    data = (
        "\ufeffcodigo;precio;moneda\n"
        "GAL001;7.450,00;\n"  # list's currency
        "GAL001;6,48;USD\n"
        "YER002;4000;ARS\n"  # unchanged
    )
    result = catalogue_files.import_prices(upload(data), price_list)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 1)
    assert orders.prices_for([gal.id, yer.id], price_list, "ARS") == {
        gal.id: D("7450"),
        yer.id: D("4000"),
    }
    assert orders.prices_for([gal.id], price_list, "USD") == {gal.id: D("6.48")}
    again = catalogue_files.import_prices(upload("codigo;precio\nYER002;4200\n"), price_list)
    assert (again.created, again.updated) == (0, 1)
    assert count(Price) == 3
    entries = audit("price_list.import")
    assert [(e.entity_id, e.after["created"], e.after["updated"]) for e in entries] == [
        (str(price_list.id), 2, 0),
        (str(price_list.id), 0, 1),
    ]


def test_import_prices_refuses_unknown_products_and_bad_prices(app):
    price_list = factories.make_price_list()
    factories.make_product(code="GAL001")
    data = "codigo;precio;moneda\nGAL001;abc;ARS\nNOPE;10;ARS\nGAL001;10;EUR\n"
    with pytest.raises(ImportRefused) as refused:
        catalogue_files.import_prices(upload(data), price_list)
    assert [(e.row, e.column) for e in refused.value.errors] == [
        (2, "precio"),
        (3, "codigo"),
        (4, "moneda"),
    ]
    assert refused.value.errors[1].message == "No existe un producto con ese código."
    assert count(Price) == 0


def test_ten_thousand_rows_import_quickly_with_bulk_statements(app):
    statements = []

    def seen(*_args):
        statements.append(1)

    header = "codigo;descripcion;unidad;iva;activo\n"
    rows = "".join(f"P{n:05d};Producto número {n};un;21;S\n" for n in range(10_000))
    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        started = time.perf_counter()
        result = catalogue_files.import_products(upload(header + rows))
        elapsed = time.perf_counter() - started
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert result.created == 10_000
    assert count(Product) == 10_000
    assert elapsed < 15, elapsed
    assert len(statements) < 80, len(statements)  # not one query per row
    price_list = factories.make_price_list()
    prices = "".join(f"P{n:05d};{n},50\n" for n in range(10_000))
    started = time.perf_counter()
    result = catalogue_files.import_prices(upload("codigo;precio\n" + prices), price_list)
    assert result.created == 10_000 and time.perf_counter() - started < 15
    second = catalogue_files.import_products(upload(header + rows.replace(";S\n", ";N\n")))
    assert (second.updated, second.created) == (10_000, 0)
    assert count(Product, Product.active) == 0


def test_the_templates_are_what_the_import_reads(app):
    factories.make_price_list(code="L1")
    for kind in ("products", "prices"):
        headers = [column.header for column in catalogue_files.template_columns(kind)]
        assert catalogue_files.template_csv(kind).startswith("\ufeff" + ";".join(headers) + "\r\n")
    result = catalogue_files.import_products(
        upload(catalogue_files.template_xlsx("products"), "t.xlsx")
    )
    assert result.created == 2
    assert product_row("GAL001").tax_rate == D("10.5")
    result = catalogue_files.import_prices(
        upload(catalogue_files.template_csv("prices")), prices.price_lists()[0]
    )
    assert result.created == 2


@pytest.mark.parametrize(
    ("cell", "read"),
    [
        (1.5, Decimal("1.5")),
        (7, Decimal("7")),
        (Decimal("2.25"), Decimal("2.25")),
        ("1.234,50", Decimal("1234.50")),
        ("50.000", Decimal("50000")),
        ("21 %", Decimal("21")),
        ("-3,5", Decimal("-3.5")),
        ("1.2.3", None),
        ("abc", None),
        (float("nan"), None),
    ],
)
def test_a_cell_is_read_as_a_number_by_the_one_rule(cell, read):
    """Number cells stay as they are; text is read by parse_decimal."""
    assert catalogue.parse_number(cell) == read
