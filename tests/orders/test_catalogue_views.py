"""Catalogue pages: products, prices, breaks, price lists, promotions, imports, permissions,
htmx fragments, and a client's own conditions on its card with their history."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit.models import AuditEntry
from app.core.types import local_today
from app.extensions import db
from app.orders.models import ClientCondition, Price, Product, Promotion, VolumeDiscount
from tests import factories
from tests.conftest import csrf_from

HTMX = {"HX-Request": "true"}

D = Decimal


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def actions() -> list[str]:
    return db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def post(browser, page: str, action: str, data: dict | None = None, **kwargs):
    """POST a form of `page` to `action` with the page's CSRF token and a fresh key."""
    token = csrf_from(browser.get(page).get_data(as_text=True))
    body = {"csrf_token": token, **(data or {})}
    return browser.client.post(action, data=body, **kwargs)


@pytest.fixture
def office(login_as):
    return login_as("backoffice")


# --- who may open what ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["salesperson", "supervisor", "collector"])
def test_only_the_back_office_opens_the_catalogue(login_as, role):
    browser = login_as(role)
    for path in ("/admin/catalogue/products", "/admin/catalogue/price-lists",
                 "/admin/catalogue/promotions", "/admin/catalogue/products/import"):  # fmt: skip
        assert browser.get(path).status_code == 403, path


def test_the_account_page_links_the_catalogue_for_the_back_office(office, login_as):
    assert "Catálogo y precios" in office.get("/account").get_data(as_text=True)
    seller = login_as("salesperson")
    assert "Catálogo y precios" not in seller.get("/account").get_data(as_text=True)


# --- products ----------------------------------------------------------------------------------


def test_product_search_as_you_type_returns_only_the_rows(office):
    factories.make_product(code="YER001", description="Yerba Taragüí 1 kg")
    factories.make_product(code="GAL001", description="Galletitas Criollitas")
    db.session.commit()
    page = office.get("/admin/catalogue/products").get_data(as_text=True)
    assert "<html" in page and "YER001" in page and "GAL001" in page
    response = office.get("/admin/catalogue/products?q=taragui", headers=HTMX)
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "<html" not in fragment
    assert "Yerba Taragüí 1 kg" in fragment and "GAL001" not in fragment
    assert "1 producto" in fragment


def test_products_are_paginated(office):
    for n in range(30):
        factories.make_product(code=f"P{n:03d}")
    db.session.commit()
    first = office.get("/admin/catalogue/products").get_data(as_text=True)
    assert "P024" in first and "P025" not in first and "30 productos" in first
    second = office.get("/admin/catalogue/products?page=2").get_data(as_text=True)
    assert "P025" in second and "P000" not in second


def test_create_a_product_through_the_form(office):
    response = post(
        office,
        "/admin/catalogue/products/new",
        "/admin/catalogue/products/new",
        {"code": "ACE001", "description": "Aceite Natura 1,5 l", "unit": "un",
         "tax_rate": "21", "active": "1", "idempotency_key": "clave-producto-1"},
    )  # fmt: skip
    assert response.status_code == 303
    product = db.session.scalar(sa.select(Product))
    assert response.headers["Location"] == f"/admin/catalogue/products/{product.id}"
    assert (product.code, product.active, product.tax_rate) == ("ACE001", True, D("21"))
    assert actions() == ["product.create"]
    page = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "Se guardó el producto ACE001." in page
    assert "Todavía no tiene precios" in page


def test_a_bad_product_form_shows_the_errors_and_keeps_what_was_typed(office):
    factories.make_product(code="ACE001")
    db.session.commit()
    response = post(
        office,
        "/admin/catalogue/products/new",
        "/admin/catalogue/products/new",
        {"code": "ACE001", "description": "Aceite nuevo", "tax_rate": "19"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ya existe un producto con ese código." in page
    assert "La alícuota de IVA tiene que ser 0, 10,5, 21 o 27." in page
    assert 'value="Aceite nuevo"' in page
    assert count(Product) == 1 and actions() == []


def test_the_product_page_sets_and_removes_prices_per_list(office):
    may = factories.make_price_list(code="MAY", name="Lista Mayorista")
    factories.make_price_list(code="USD", name="Lista Dólares", currency="USD")
    product = factories.make_product(code="GAS001", unit="pack x 6")
    db.session.commit()
    page = f"/admin/catalogue/products/{product.id}"
    response = post(
        office,
        page,
        f"{page}/prices",
        {"price_list_id": may.id, "currency": "ARS", "price": "21.780,50"},
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("#prices")
    shown = office.get(page).get_data(as_text=True)
    assert "Lista Mayorista" in shown and "$\xa021.780,50" in shown
    bad = post(office, page, f"{page}/prices", {"price_list_id": may.id, "price": "gratis"})
    assert bad.status_code == 422
    assert "El precio tiene que ser un número" in bad.get_data(as_text=True)
    price = db.session.scalar(sa.select(Price))
    assert price.price == D("21780.50")
    response = post(office, page, f"/admin/catalogue/prices/{price.id}/delete")
    assert response.status_code == 303
    db.session.refresh(price)
    assert price.deleted_at is not None
    assert actions() == ["price.set", "price.delete"]


def test_the_product_page_adds_and_removes_volume_breaks(office):
    product = factories.make_product(unit="caja x 12")
    db.session.commit()
    page = f"/admin/catalogue/products/{product.id}"
    response = post(office, page, f"{page}/breaks", {"min_quantity": "10", "discount_pct": "5,5"})
    assert response.status_code == 303
    shown = office.get(page).get_data(as_text=True)
    assert "Desde 10 caja x 12: 5,5\xa0%" in shown
    bad = post(office, page, f"{page}/breaks", {"min_quantity": "-2", "discount_pct": "5"})
    assert bad.status_code == 422
    assert "La cantidad tiene que ser un número mayor que cero." in bad.get_data(as_text=True)
    row = db.session.scalar(sa.select(VolumeDiscount))
    post(office, page, f"/admin/catalogue/breaks/{row.id}/delete")
    assert "Sin descuentos por cantidad." in office.get(page).get_data(as_text=True)


# --- price lists -------------------------------------------------------------------------------


def test_price_lists_list_form_and_prices_search(office):
    response = post(
        office,
        "/admin/catalogue/price-lists/new",
        "/admin/catalogue/price-lists/new",
        {"code": "HOR", "name": "Lista HORECA", "currency": "ARS"},
    )
    assert response.status_code == 303
    price_list = factories.make_price_list()  # another, to check the counts per list
    listing = office.get("/admin/catalogue/price-lists").get_data(as_text=True)
    assert "Lista HORECA" in listing and "0 precios" in listing
    yerba = factories.make_product(code="YER001", description="Yerba Rosamonte")
    coca = factories.make_product(code="GAS001", description="Coca-Cola 2,25 l")
    factories.make_price(price_list, yerba, "4510")
    factories.make_price(price_list, coca, "21780")
    db.session.commit()
    url = f"/admin/catalogue/price-lists/{price_list.id}/prices"
    assert "Coca-Cola 2,25 l" in office.get(url).get_data(as_text=True)
    fragment = office.get(f"{url}?q=rosamonte", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment
    assert "Yerba Rosamonte" in fragment and "$\xa04.510,00" in fragment
    assert "Coca-Cola" not in fragment
    duplicate = post(
        office,
        "/admin/catalogue/price-lists/new",
        "/admin/catalogue/price-lists/new",
        {"code": "HOR", "name": "Otra", "currency": "ARS"},
    )
    assert duplicate.status_code == 422
    assert "Ya existe una lista de precios con ese código." in duplicate.get_data(as_text=True)


# --- imports -----------------------------------------------------------------------------------


def test_the_import_page_shows_the_columns_and_the_templates(office):
    page = office.get("/admin/catalogue/products/import").get_data(as_text=True)
    for column in ("codigo", "descripcion", "unidad", "iva", "activo"):
        assert f"<code>{column}</code>" in page
    assert "Plantilla CSV" in page and "Plantilla XLSX" in page
    csv = office.get("/admin/catalogue/import/template?kind=products&format=csv")
    assert csv.mimetype == "text/csv"
    assert csv.get_data(as_text=True).startswith("\ufeffcodigo;descripcion;unidad;iva;activo")
    assert 'filename="productos.csv"' in csv.headers["Content-Disposition"]
    sheet = office.get("/admin/catalogue/import/template?kind=prices&format=xlsx")
    rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("codigo", "precio", "moneda")


def test_importing_products_from_the_page(office):
    data = "codigo;descripcion;iva\nGAL001;Criollitas;10,5\nYER001;Taragüí 1 kg;21\n"
    response = post(
        office,
        "/admin/catalogue/products/import",
        "/admin/catalogue/products/import",
        {"file": (io.BytesIO(data.encode()), "productos.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert count(Product) == 2
    page = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "Importación lista. 2 filas: 2 nuevos, 0 modificados, 0 sin cambios." in page
    assert actions() == ["product.import"]


def test_a_refused_import_shows_row_column_and_message_and_writes_nothing(office):
    data = "codigo;descripcion;iva\nGAL001;Criollitas;10,5\nYER001;;19\n"
    response = post(
        office,
        "/admin/catalogue/products/import",
        "/admin/catalogue/products/import",
        {"file": (io.BytesIO(data.encode()), "productos.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "El archivo tiene 2 errores: no se importó nada." in page
    assert '<td data-label="Fila">3</td>' in page
    assert '<td data-label="Columna">descripcion</td>' in page
    assert "Escribí la descripción." in page
    assert count(Product) == 0 and actions() == []
    empty = post(office, "/admin/catalogue/products/import", "/admin/catalogue/products/import")
    assert empty.status_code == 422
    assert "Elegí un archivo .csv o .xlsx." in empty.get_data(as_text=True)


def test_importing_a_lists_prices_from_the_page(office):
    price_list = factories.make_price_list(name="Lista Minorista")
    factories.make_product(code="GAL001")
    db.session.commit()
    url = f"/admin/catalogue/price-lists/{price_list.id}/import"
    assert "Importar precios: Lista Minorista" in office.get(url).get_data(as_text=True)
    response = post(
        office,
        url,
        url,
        {"file": (io.BytesIO(b"codigo;precio\nGAL001;9089,00\n"), "precios.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/catalogue/price-lists/{price_list.id}/prices"
    assert db.session.scalar(sa.select(Price.price)) == D("9089")


# --- promotions --------------------------------------------------------------------------------


def test_promotions_are_created_listed_by_period_and_deleted(office):
    product = factories.make_product(code="GAL004", description="Terrabusi Variedad")
    db.session.commit()
    form = office.get(f"/admin/catalogue/promotions/new?product_id={product.id}")
    assert 'value="GAL004"' in form.get_data(as_text=True)
    response = post(
        office,
        "/admin/catalogue/promotions/new",
        "/admin/catalogue/promotions/new",
        {"name": "Promo galletitas 3x2", "product_code": "GAL004", "discount_pct": "33,33",
         "valid_from": (local_today() - timedelta(days=2)).isoformat(),
         "valid_to": (local_today() + timedelta(days=7)).isoformat()},
    )  # fmt: skip
    assert response.status_code == 303
    listing = office.get("/admin/catalogue/promotions?when=current", headers=HTMX)
    fragment = listing.get_data(as_text=True)
    assert "<html" not in fragment
    assert "Promo galletitas 3x2" in fragment and "33,33\xa0%" in fragment
    past = office.get("/admin/catalogue/promotions?when=past", headers=HTMX)
    assert "Promo galletitas" not in past.get_data(as_text=True)
    promo = db.session.scalar(sa.select(Promotion))
    product_page = office.get(f"/admin/catalogue/products/{product.id}").get_data(as_text=True)
    assert "Promo galletitas 3x2" in product_page and "Vigente" in product_page
    response = post(
        office,
        f"/admin/catalogue/promotions/{promo.id}",
        f"/admin/catalogue/promotions/{promo.id}/delete",
    )
    assert response.status_code == 303
    assert "Todavía no hay promociones." in office.get("/admin/catalogue/promotions").get_data(
        as_text=True
    )
    assert actions() == ["promotion.create", "promotion.delete"]


def test_product_codes_are_suggested_as_you_type(office):
    factories.make_product(code="YER002", description="Yerba Playadito")
    factories.make_product(code="YER009", description="Yerba vieja", active=False)
    db.session.commit()
    response = office.get("/admin/catalogue/products/suggest?product_code=playa", headers=HTMX)
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment and "<datalist" not in fragment
    assert '<option value="YER002">Yerba Playadito</option>' in fragment
    assert "YER009" not in office.get(
        "/admin/catalogue/products/suggest?product_code=yerba", headers=HTMX
    ).get_data(as_text=True)


# --- a client's own conditions on its card -----------------------------------------------------


@pytest.fixture
def team(login_as):
    """A supervisor signed in, and a client of a salesperson of the team."""
    boss = login_as("supervisor")
    seller = factories.make_user("salesperson", supervisor_id=boss.user.id)
    boss.own = factories.make_client(salesperson_id=seller.id, trade_name="Almacén Don José")
    db.session.commit()
    return boss


def test_a_supervisor_adds_a_condition_and_the_card_shows_it(team):
    client = team.own
    factories.make_product(code="GAL001", description="Criollitas")
    db.session.commit()
    card = team.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Condiciones comerciales" in card
    assert "Sin condiciones propias: compra a los precios de su lista." in card
    page = f"/admin/catalogue/clients/{client.id}/conditions"
    response = post(
        team,
        page,
        page,
        {"kind": "discount", "value": "8", "product_code": "GAL001",
         "reason": "Igualamos a la competencia", "idempotency_key": "clave-condicion-1"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"] == f"/clients/{client.id}#conditions"
    card = team.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "8 % de descuento en GAL001 · Criollitas" in card
    assert "Igualamos a la competencia" in card
    assert f"Cargada por {team.user.full_name}" in card
    assert "Terminar" in card
    condition = db.session.scalar(sa.select(ClientCondition))
    assert condition.created_by_id == team.user.id


def test_a_bad_condition_is_refused_on_its_form(team):
    page = f"/admin/catalogue/clients/{team.own.id}/conditions"
    response = post(team, page, page, {"kind": "price", "value": "100", "reason": "x"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Un precio especial es para un producto: escribí su código." in body
    assert count(ClientCondition) == 0


def test_ending_a_condition_moves_it_to_the_history(team):
    client = team.own
    office = factories.make_user("backoffice", full_name="Lucía Benítez")
    old = ClientCondition(
        client_id=client.id,
        discount_pct=D("5"),
        valid_from=local_today() - timedelta(days=60),
        reason="Acuerdo anual",
        created_by_id=office.id,
    )
    db.session.add(old)
    db.session.commit()
    card = f"/clients/{client.id}"
    response = post(team, card, f"/admin/catalogue/conditions/{old.id}/end")
    assert response.status_code == 303
    db.session.refresh(old)
    assert old.valid_to == local_today() - timedelta(days=1)
    page = team.get(card).get_data(as_text=True)
    history = page[page.index("Historial") :]
    assert "5 % de descuento en todos los productos" in history
    assert "Cargada por Lucía Benítez" in history and "Acuerdo anual" in history
    assert f"al {(local_today() - timedelta(days=1)).strftime('%d/%m/%Y')}" in history
    assert "Se terminó la condición comercial." in page
    assert "client.condition.end" in actions()
    again = post(team, card, f"/admin/catalogue/conditions/{old.id}/end")
    assert again.status_code == 303
    assert "Esta condición ya había terminado." in team.get(card).get_data(as_text=True)


def test_who_sees_and_who_manages_conditions(team, login_as):
    seller = login_as("salesperson")
    mine = factories.make_client(salesperson_id=seller.user.id)
    db.session.add(
        ClientCondition(client_id=mine.id, discount_pct=D("3"), valid_from=local_today())
    )
    db.session.commit()
    card = seller.get(f"/clients/{mine.id}").get_data(as_text=True)
    assert "3 % de descuento en todos los productos" in card
    assert "Terminar" not in card and "/conditions" not in card
    assert seller.get(f"/admin/catalogue/clients/{mine.id}/conditions").status_code == 403
    collector = login_as("collector")
    theirs = factories.make_client(collector_id=collector.user.id)
    db.session.commit()
    assert "Condiciones comerciales" not in collector.get(f"/clients/{theirs.id}").get_data(
        as_text=True
    )
    # a supervisor reaches only the clients of the team
    assert team.get(f"/admin/catalogue/clients/{mine.id}/conditions").status_code == 404
    condition = db.session.scalar(sa.select(ClientCondition))
    token = csrf_from(team.get(f"/clients/{team.own.id}").get_data(as_text=True))
    response = team.client.post(
        f"/admin/catalogue/conditions/{condition.id}/end", data={"csrf_token": token}
    )
    assert response.status_code == 404


def test_a_products_cost_is_set_on_its_form_and_kept_when_left_empty(office):
    product = factories.make_product(code="ACE001", description="Aceite")
    db.session.commit()
    form = f"/admin/catalogue/products/{product.id}"
    fields = {"code": "ACE001", "description": "Aceite", "tax_rate": "21", "active": "1"}
    response = post(office, form, form, fields | {"cost": "1.234,50"})
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.refresh(product)
    assert product.cost == D("1234.50")
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "product.update"))
    assert audit.after == {"cost": "1234.5"}
    post(office, form, form, fields | {"description": "Aceite de girasol"})
    db.session.refresh(product)
    assert (product.description, product.cost) == ("Aceite de girasol", D("1234.50"))
    bad = post(office, form, form, fields | {"cost": "-3"})
    assert bad.status_code == 422
    assert "Escribí el costo en pesos" in bad.get_data(as_text=True)
