"""The back office's catalogue pages: products, price lists and prices, promotions, imports,
and a client's own conditions (also open to supervisors)."""

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.permissions import can, requires
from app.clients.models import Client
from app.clients.services import visible_client
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.core.templating import money
from app.core.types import local_today
from app.extensions import db
from app.ledger.models import CURRENCIES
from app.orders import catalogue, catalogue_files, prices

# The views products, promotions and conditions (their endpoints' names) would hide these modules.
from app.orders import conditions as condition_services
from app.orders import products as product_services
from app.orders import promotions as promotion_services
from app.orders.blueprint import catalogue_bp
from app.orders.catalogue import CatalogueError, number_text
from app.orders.catalogue_files import ImportRefused, RowError
from app.orders.conditions import CONDITION_KINDS
from app.orders.models import ClientCondition, Product
from app.orders.products import IVA_RATES
from app.orders.promotions import PERIOD_LABELS

MAX_PAGE = 100_000
SUGGESTIONS = 12


@catalogue_bp.app_template_global()
def client_conditions_for(client: Client) -> dict | None:
    """A client's own conditions for its card, or None when the user has no business with them."""
    may_manage = can(current_user, "conditions.manage")
    if not (may_manage or can(current_user, "orders.view")):
        return None
    current, ended = condition_services.client_conditions(client)
    return {
        "current": current,
        "ended": ended,
        "may_manage": may_manage and not client.is_deleted,
        "today": local_today(),
    }


@catalogue_bp.app_template_global()
def condition_label(condition: ClientCondition, currency: str = "ARS") -> str:
    """ "5 % en todos los productos", "Precio especial $ 1.100,00 en GAL001 · Galletitas"."""
    target = (
        f"{condition.product.code} · {condition.product.description}" if condition.product else None
    )
    if condition.special_price is not None:
        price = money(condition.special_price, currency)
        return _("Precio especial %(price)s en %(product)s", price=price, product=target)
    pct = number_text(condition.discount_pct)
    if target is None:
        return _("%(pct)s %% de descuento en todos los productos", pct=pct)
    return _("%(pct)s %% de descuento en %(product)s", pct=pct, product=target)


@catalogue_bp.app_template_filter("pct")
def pct_filter(value) -> str:
    """A percentage as people write it: 10,5 %."""
    return f"{number_text(value)}\u00a0%" if value is not None else "—"


@catalogue_bp.app_template_filter("qty")
def qty_filter(value) -> str:
    """A quantity without trailing zeros: 12 · 2,5."""
    return number_text(value)


CURRENCY_OPTIONS = [(currency, currency) for currency in CURRENCIES]


def _page_arg() -> int:
    """The page number asked for, within bounds."""
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), MAX_PAGE)


def _found(row):
    """The row, or 404 when there is none."""
    if row is None:
        abort(404)
    return row


def _form() -> dict:
    """The posted form as plain values."""
    return {key: value for key, value in request.form.items() if key != "csrf_token"}


# --- products ----------------------------------------------------------------------------------


@catalogue_bp.get("/")
@requires("products.manage")
def index():
    """The catalogue opens on its products."""
    return redirect(url_for("catalogue.products"))


@catalogue_bp.get("/products")
@requires("products.manage")
def products():
    """Products, searched as you type, a page at a time."""
    q = request.args.get("q", "").strip()[:200]
    page = db.paginate(
        product_services.product_query(q),
        page=_page_arg(),
        per_page=catalogue.PAGE_SIZE,
        error_out=False,
    )
    return render("catalogue/products.html", block="results", page=page, q=q)


@catalogue_bp.get("/products/suggest")
@requires("conditions.manage")
def suggest_products():
    """Active products matching the words typed, as the options of a code field's datalist."""
    q = request.args.get("product_code", request.args.get("q", "")).strip()[:200]
    rows = db.session.scalars(
        product_services.product_query(q, only_active=True).limit(SUGGESTIONS)
    )
    return render("catalogue/_suggestions.html", block="options", products=list(rows) if q else [])


def _product_values(product: Product | None) -> dict:
    """A product's fields as the form shows them."""
    if product is None:
        return {"unit": "un", "tax_rate": "21", "active": True}
    return {
        "code": product.code,
        "description": product.description,
        "unit": product.unit,
        "tax_rate": number_text(product.tax_rate),
        "active": product.active,
        "cost": number_text(product.cost),
    }


def _product_page(product: Product | None, status: int = 200, **context):
    """The product form, with its prices, volume breaks and promotions once it exists."""
    context.setdefault("values", _product_values(product))
    context.setdefault("errors", {})
    if product is not None:
        lists = prices.price_lists()
        context |= {
            "list_options": [(row.id, f"{row.name} ({row.currency})") for row in lists],
            "lists": lists,
            "prices": prices.product_prices(product),
            "breaks": prices.volume_breaks(product),
            "promotions": db.session.scalars(
                promotion_services.promotions_query(product=product).limit(20)
            ).all(),
        }
    return render(
        "catalogue/product_form.html",
        product=product,
        iva_options=[(number_text(rate), pct_filter(rate)) for rate in IVA_RATES],
        currency_options=CURRENCY_OPTIONS,
        periods=PERIOD_LABELS,
        period_of=promotion_services.promotion_period,
        status=status,
        **context,
    )


def _save_product(product: Product | None):
    """Show the product form, or save it."""
    if request.method == "GET":
        return _product_page(product)
    values = _form() | {"active": "1" if request.form.get("active") else "0"}
    try:
        saved = product_services.save_product(values, product)
    except CatalogueError as error:
        shown = values | {"active": values["active"] == "1"}
        return _product_page(product, 422, values=shown, errors=error.fields)
    flash(_("Se guardó el producto %(code)s.", code=saved.code), "success")
    return redirect(url_for("catalogue.product", product_id=saved.id), 303)


@catalogue_bp.route("/products/new", methods=["GET", "POST"])
@requires("products.manage")
@write_endpoint
def new_product():
    """Add a product to the catalogue."""
    return _save_product(None)


@catalogue_bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@requires("products.manage")
@write_endpoint
def product(product_id: int):
    """A product: its data, its prices per list, its volume breaks and promotions."""
    return _save_product(_found(product_services.get_product(product_id)))


@catalogue_bp.post("/products/<int:product_id>/prices")
@requires("products.manage")
@write_endpoint
def set_price(product_id: int):
    """Set the product's price in a list and currency."""
    product = _found(product_services.get_product(product_id))
    values = _form()
    price_list = prices.get_price_list(request.form.get("price_list_id", type=int) or 0)
    try:
        if price_list is None:
            raise CatalogueError({"price_list_id": _("Elegí una lista de precios.")})
        prices.set_price(price_list, product, values)
    except CatalogueError as error:
        return _product_page(product, 422, price_values=values, price_errors=error.fields)
    flash(_("Se guardó el precio en %(list)s.", list=price_list.name), "success")
    return redirect(url_for("catalogue.product", product_id=product.id, _anchor="prices"), 303)


@catalogue_bp.post("/prices/<int:price_id>/delete")
@requires("products.manage")
@write_endpoint
def remove_price(price_id: int):
    """Take a price out of its list."""
    price = _found(prices.get_price(price_id))
    prices.remove_price(price)
    flash(_("Se quitó el precio de %(list)s.", list=price.price_list.name), "success")
    back = request.form.get("back")
    if back == "list":
        return redirect(url_for("catalogue.list_prices", price_list_id=price.price_list_id), 303)
    return redirect(
        url_for("catalogue.product", product_id=price.product_id, _anchor="prices"), 303
    )


@catalogue_bp.post("/products/<int:product_id>/breaks")
@requires("products.manage")
@write_endpoint
def add_break(product_id: int):
    """Add a quantity break to the product (the same minimum changes its discount)."""
    product = _found(product_services.get_product(product_id))
    values = _form()
    try:
        prices.save_volume_discount(product, values)
    except CatalogueError as error:
        return _product_page(product, 422, break_values=values, break_errors=error.fields)
    flash(_("Se guardó el descuento por cantidad."), "success")
    return redirect(url_for("catalogue.product", product_id=product.id, _anchor="breaks"), 303)


@catalogue_bp.post("/breaks/<int:discount_id>/delete")
@requires("products.manage")
@write_endpoint
def delete_break(discount_id: int):
    """Take a quantity break away."""
    row = _found(prices.get_volume_discount(discount_id))
    prices.delete_volume_discount(row)
    flash(_("Se quitó el descuento por cantidad."), "success")
    return redirect(url_for("catalogue.product", product_id=row.product_id, _anchor="breaks"), 303)


# --- imports -----------------------------------------------------------------------------------


def _import_page(kind: str, price_list=None, status: int = 200, **context):
    """The upload form with the expected columns, and the errors of a refused file."""
    return render(
        "catalogue/import.html",
        kind=kind,
        price_list=price_list,
        columns=catalogue_files.template_columns(kind),
        status=status,
        **context,
    )


def _run_import(kind: str, price_list=None):
    """Import the uploaded file; all its rows, or none and the errors."""
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ImportRefused([RowError(0, "", _("Elegí un archivo .csv o .xlsx."))])
        if kind == "products":
            result = catalogue_files.import_products(upload)
        else:
            result = catalogue_files.import_prices(upload, price_list)
    except ImportRefused as refused:
        return _import_page(kind, price_list, 422, errors=refused.errors, total=refused.total)
    flash(_("Importación lista. %(counts)s", counts=catalogue_files.counts_text(result)), "success")
    if kind == "products":
        return redirect(url_for("catalogue.products"), 303)
    return redirect(url_for("catalogue.list_prices", price_list_id=price_list.id), 303)


@catalogue_bp.route("/products/import", methods=["GET", "POST"])
@requires("products.manage")
@write_endpoint
def import_products():
    """Create or update products from a CSV or XLSX file."""
    if request.method == "GET":
        return _import_page("products")
    return _run_import("products")


@catalogue_bp.route("/price-lists/<int:price_list_id>/import", methods=["GET", "POST"])
@requires("products.manage")
@write_endpoint
def import_prices(price_list_id: int):
    """Set a list's prices from a CSV or XLSX file."""
    price_list = _found(prices.get_price_list(price_list_id))
    if request.method == "GET":
        return _import_page("prices", price_list)
    return _run_import("prices", price_list)


@catalogue_bp.get("/import/template")
@requires("products.manage")
def import_template():
    """The template of an import file (?kind=products|prices, ?format=csv|xlsx)."""
    kind = request.args.get("kind", "products")
    if kind not in catalogue_files.IMPORT_COLUMNS:
        abort(404)
    name = "productos" if kind == "products" else "precios"
    if request.args.get("format") == "xlsx":
        response = Response(
            catalogue_files.template_xlsx(kind),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        extension = "xlsx"
    else:
        response = Response(catalogue_files.template_csv(kind), mimetype="text/csv")
        response.charset = "utf-8"
        extension = "csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


# --- price lists -------------------------------------------------------------------------------


@catalogue_bp.get("/price-lists")
@requires("products.manage")
def price_lists():
    """The price lists, with how many prices each holds."""
    return render(
        "catalogue/price_lists.html",
        lists=prices.price_lists(),
        counts=prices.price_counts(),
    )


def _save_price_list(price_list):
    """Show the price list form, or save it."""
    if request.method == "GET":
        values = prices.price_list_view(price_list) if price_list else {"currency": "ARS"}
        return render(
            "catalogue/price_list_form.html",
            price_list=price_list,
            values=values,
            errors={},
            currency_options=CURRENCY_OPTIONS,
        )
    values = _form()
    try:
        saved = prices.save_price_list(values, price_list)
    except CatalogueError as error:
        return render(
            "catalogue/price_list_form.html",
            price_list=price_list,
            values=values,
            errors=error.fields,
            currency_options=CURRENCY_OPTIONS,
            status=422,
        )
    flash(_("Se guardó la lista %(name)s.", name=saved.name), "success")
    return redirect(url_for("catalogue.list_prices", price_list_id=saved.id), 303)


@catalogue_bp.route("/price-lists/new", methods=["GET", "POST"])
@requires("products.manage")
@write_endpoint
def new_price_list():
    """Add a price list."""
    return _save_price_list(None)


@catalogue_bp.route("/price-lists/<int:price_list_id>", methods=["GET", "POST"])
@requires("products.manage")
@write_endpoint
def price_list(price_list_id: int):
    """Change a price list's code, name or currency."""
    return _save_price_list(_found(prices.get_price_list(price_list_id)))


@catalogue_bp.get("/price-lists/<int:price_list_id>/prices")
@requires("products.manage")
def list_prices(price_list_id: int):
    """A list's prices, searched by product as you type."""
    price_list = _found(prices.get_price_list(price_list_id))
    q = request.args.get("q", "").strip()[:200]
    page = db.paginate(
        prices.list_prices(price_list, q),
        page=_page_arg(),
        per_page=catalogue.PAGE_SIZE,
        error_out=False,
    )
    return render("catalogue/prices.html", block="results", price_list=price_list, page=page, q=q)


# --- promotions --------------------------------------------------------------------------------


@catalogue_bp.get("/promotions")
@requires("products.manage")
def promotions():
    """Promotions in force, programmed or past, by words."""
    filters = {name: request.args.get(name, "").strip()[:200] for name in ("when", "q")}
    query = promotion_services.promotions_query(filters["when"], filters["q"])
    page = db.paginate(query, page=_page_arg(), per_page=catalogue.PAGE_SIZE, error_out=False)
    return render(
        "catalogue/promotions.html",
        block="results",
        page=page,
        filters=filters,
        periods=PERIOD_LABELS,
        period_of=promotion_services.promotion_period,
    )


def _promotion_values(promotion) -> dict:
    """A promotion's fields as the form shows them (a new one may come for a product)."""
    if promotion is None:
        product = product_services.get_product(request.args.get("product_id", type=int) or 0)
        return {"product_code": product.code if product else "", "valid_from": local_today()}
    return {
        "name": promotion.name,
        "product_code": promotion.product.code,
        "discount_pct": number_text(promotion.discount_pct),
        "valid_from": promotion.valid_from,
        "valid_to": promotion.valid_to,
    }


def _save_promotion(promotion):
    """Show the promotion form, or save it."""
    if request.method == "GET":
        return render(
            "catalogue/promotion_form.html",
            promotion=promotion,
            values=_promotion_values(promotion),
            errors={},
        )
    values = _form()
    try:
        saved = promotion_services.save_promotion(values, promotion)
    except CatalogueError as error:
        return render(
            "catalogue/promotion_form.html",
            promotion=promotion,
            values=values,
            errors=error.fields,
            status=422,
        )
    flash(_("Se guardó la promoción «%(name)s».", name=saved.name), "success")
    return redirect(url_for("catalogue.promotions"), 303)


@catalogue_bp.route("/promotions/new", methods=["GET", "POST"])
@requires("products.manage")
@write_endpoint
def new_promotion():
    """Add a promotion."""
    return _save_promotion(None)


@catalogue_bp.route("/promotions/<int:promotion_id>", methods=["GET", "POST"])
@requires("products.manage")
@write_endpoint
def promotion(promotion_id: int):
    """Change a promotion."""
    return _save_promotion(_found(promotion_services.get_promotion(promotion_id)))


@catalogue_bp.post("/promotions/<int:promotion_id>/delete")
@requires("products.manage")
@write_endpoint
def delete_promotion(promotion_id: int):
    """Take a promotion down."""
    promotion_services.delete_promotion(_found(promotion_services.get_promotion(promotion_id)))
    flash(_("Se eliminó la promoción."), "success")
    return redirect(url_for("catalogue.promotions"), 303)


# --- a client's own conditions -----------------------------------------------------------------


@catalogue_bp.route("/clients/<int:client_id>/conditions", methods=["GET", "POST"])
@requires("conditions.manage")
@write_endpoint
def conditions(client_id: int):
    """A client's own prices and discounts: the ones in force, the history, and a new one."""
    client = visible_client(current_user, client_id, trash=False)
    values = {"kind": "discount", "valid_from": local_today()}
    errors, status = {}, 200
    if request.method == "POST":
        values = _form()
        try:
            condition_services.add_condition(client, values, current_user)
        except CatalogueError as error:
            errors, status = error.fields, 422
        else:
            flash(_("Se agregó la condición comercial."), "success")
            return redirect(url_for("clients.card", client_id=client.id, _anchor="conditions"), 303)
    return render(
        "catalogue/conditions.html",
        client=client,
        values=values,
        errors=errors,
        kinds=CONDITION_KINDS,
        status=status,
    )


@catalogue_bp.post("/conditions/<int:condition_id>/end")
@requires("conditions.manage")
@write_endpoint
def end_condition(condition_id: int):
    """End a client's condition: from today it no longer applies; it stays in the history."""
    condition = _found(condition_services.get_condition(current_user, condition_id))
    try:
        condition_services.end_condition(condition)
    except CatalogueError as error:
        flash(error.fields["condition"], "error")
    else:
        flash(_("Se terminó la condición comercial."), "success")
    return redirect(
        url_for("clients.card", client_id=condition.client_id, _anchor="conditions"), 303
    )
