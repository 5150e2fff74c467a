"""The JSON API for the catalogue: products with the caller's prices (a client's list, or the
default list)."""

from decimal import Decimal

from flask import jsonify, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import fields, validate

from app.api.blueprint import bp
from app.api.common import query_args, refusals
from app.api.docs import NOT_FOR_COLLECTORS, api_doc, name_schemas, read_errors
from app.auth.permissions import requires
from app.clients import services as clients
from app.core.fields import (
    NOT_FOUND,
    TOO_LONG,
    AnswerSchema,
    QuerySchema,
    choice_field,
    page_field,
    spanish_field,
)
from app.core.routing import MAX_ID
from app.extensions import db
from app.ledger.models import CURRENCIES
from app.orders import catalogue
from app.orders.prices import default_price_list
from app.orders.products import product_query
from app.orders.services import price_list_for, prices_for

PAGE_SIZE = 50
CENTS = Decimal("0.01")


class ProductListArgsSchema(QuerySchema):
    """The query string of the product list."""

    q = spanish_field(
        fields.String,
        load_default="",
        validate=validate.Length(max=200, error=TOO_LONG),
        metadata={"description": "Words of the code or description (accents and case ignored)"},
    )
    page = page_field()
    per_page = spanish_field(
        fields.Integer,
        load_default=PAGE_SIZE,
        validate=validate.Range(min=1, max=200, error=_l("Entre {min} y {max}.")),
    )
    client_id = spanish_field(
        fields.Integer,
        validate=validate.Range(min=1, max=MAX_ID, error=NOT_FOUND),
        metadata={"description": "Prices of this client's list (a client in the caller's scope)"},
    )
    currency = choice_field(
        CURRENCIES,
        metadata={"description": "Default: the client's currency, else the list's currency"},
    )


class ProductSchema(AnswerSchema):
    """An active product with its price in the list and currency asked for."""

    id = fields.Integer()
    code = fields.String()
    description = fields.String()
    unit = fields.String()
    tax_rate = fields.String(metadata={"description": "IVA percent: 0, 10.5, 21 or 27"})
    active = fields.Boolean()
    price = fields.String(
        allow_none=True,
        metadata={"description": "Unit price before IVA; null: not in this list and currency"},
    )
    currency = fields.String()
    price_list = fields.String(allow_none=True, metadata={"description": "The list's code"})


class PriceListRefSchema(AnswerSchema):
    """The price list the prices come from."""

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    currency = fields.String()


class ProductPageSchema(AnswerSchema):
    """A page of products, by code, and the address of the next one."""

    items = fields.List(fields.Nested(ProductSchema))
    next = fields.String(allow_none=True, metadata={"description": "URL of the next page"})
    total = fields.Integer()
    price_list = fields.Nested(PriceListRefSchema, allow_none=True)
    currency = fields.String()


name_schemas(Product=ProductSchema, PriceListRef=PriceListRefSchema, ProductPage=ProductPageSchema)


def price_text(price: Decimal | None) -> str | None:
    """A unit price as text: two decimals, more only when the price has them ("12.3456")."""
    if price is None:
        return None
    if price == price.quantize(CENTS):
        return f"{price.quantize(CENTS):f}"
    return f"{price.normalize():f}"


@bp.get("/products")
@api_doc(
    "Active products by code, searched, with their price in a client's list (client_id) or in "
    "the default list (the first by code)",
    query=ProductListArgsSchema,
    answers={"200": ("A page of products; `next` is null on the last", "ProductPage")},
    errors=read_errors(
        NOT_FOR_COLLECTORS, ("404", "client_id unknown, or not in the caller's scope")
    ),
)
@requires("orders.view")
@refusals()
def list_products():
    """Active products, searched, a page at a time, with the caller's prices."""
    args = query_args(ProductListArgsSchema())
    if args.get("client_id"):
        client = clients.visible_client(current_user, args["client_id"], trash=False)
        price_list = price_list_for(client)
        currency = args.get("currency") or client.currency
    else:
        price_list = default_price_list()
        currency = args.get("currency") or (price_list.currency if price_list else "ARS")
    query = product_query(args["q"], only_active=True)
    page = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False)
    prices = prices_for([product.id for product in page.items], price_list, currency)
    items = [
        {
            "id": product.id,
            "code": product.code,
            "description": product.description,
            "unit": product.unit,
            "tax_rate": catalogue.number_text(product.tax_rate).replace(",", "."),
            "active": product.active,
            "price": price_text(prices.get(product.id)),
            "currency": currency,
            "price_list": price_list.code if price_list else None,
        }
        for product in page.items
    ]
    next_url = None
    if page.has_next:
        sent = {name: value for name, value in args.items() if value not in ("", None)}
        next_url = url_for(".list_products", **(sent | {"page": page.next_num}))
    body = {
        "items": items,
        "next": next_url,
        "total": page.total,
        "price_list": price_list,
        "currency": currency,
    }
    return jsonify(ProductPageSchema().dump(body))
