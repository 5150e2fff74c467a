"""The products an invoice, debit note or credit note carries (what sales reports are made of)."""

from decimal import Decimal

from flask_babel import gettext as _

from app.core.types import MAX_AMOUNT
from app.extensions import db
from app.ledger.models import SALE_KINDS, DocumentLine
from app.ledger.parsing import parse_amount
from app.orders.models import Product

CENT = Decimal("0.01")
MAX_UNIT_PRICE = Decimal("9999999999.9999")  # what the column holds (NUMERIC(14, 4))
MOST_ITEMS = 500


def parse_sale_lines(
    items: list[dict] | None, kind: str, amount: Decimal | None, rate: Decimal, errors: dict
) -> list[DocumentLine]:
    """The document's product lines (none when not given), refused field by field.

    Each item names a product, a quantity and its amount in the document's currency; together
    they add up to the document's amount. A cost left out is the product's cost (in pesos) at
    the document's rate.
    """
    if not items:
        return []
    if kind not in SALE_KINDS:
        errors["items"] = _("Solo las facturas y las notas de débito y crédito llevan productos.")
        return []
    if len(items) > MOST_ITEMS:
        errors["items"] = _("Como máximo %(most)s productos.", most=MOST_ITEMS)
        return []
    lines = []
    for index, item in enumerate(items):
        name = f"items-{index}-"
        product = db.session.get(Product, item.get("product_id") or 0)
        if product is None or product.is_deleted:
            errors[f"{name}product_id"] = _("No existe.")
        quantity = item.get("quantity")
        if not isinstance(quantity, Decimal) or quantity <= 0:
            errors[f"{name}quantity"] = _("La cantidad debe ser mayor que cero.")
        line_amount = parse_amount(item.get("amount"), f"{name}amount", errors)
        cost = item.get("cost")
        known = product is not None and product.cost is not None
        if cost is None and known and isinstance(quantity, Decimal):
            cost = (product.cost * quantity / rate).quantize(CENT)
        if errors or line_amount is None:
            continue
        unit_price = (line_amount / quantity).quantize(Decimal("0.0001"))
        if unit_price > MAX_UNIT_PRICE or (cost is not None and cost > MAX_AMOUNT):
            errors[f"{name}quantity"] = _("La cantidad no corresponde con el importe.")
            continue
        lines.append(
            DocumentLine(
                product_id=product.id,
                quantity=quantity,
                unit_price=unit_price,
                amount=line_amount,
                cost=cost,
            )
        )
    if not errors and amount is not None:
        total = sum((line.amount for line in lines), Decimal("0"))
        if total != amount:
            errors["items"] = _(
                "Los productos suman %(total)s y el comprobante %(amount)s.",
                total=total,
                amount=amount,
            )
    return lines
