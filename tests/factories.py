"""Factories for test data; each adds to the session and flushes, the test commits."""

import itertools
from functools import cache

from stdnum.ar import cuit
from werkzeug.security import generate_password_hash

from app.auth.models import User
from app.clients.models import Client, ClientState, ClientType, Zone
from app.extensions import db
from app.ledger.models import SaleCondition

PASSWORD = "clave-segura-1"
_seq = itertools.count(1)


# The cache alone did not make test users cheap: every sign-in still verified a full-cost scrypt
# hash (~110 ms each, and most tests sign in). A real scrypt hash with a small work factor goes
# through the same login path in under a millisecond; tests/auth/test_login.py keeps the
# full-cost hash of hash_password working.
TEST_SCRYPT = "scrypt:256:8:1"


@cache
def _password_hash(password: str) -> str:
    """One cheap, real scrypt hash per test password, made once."""
    return generate_password_hash(password, method=TEST_SCRYPT)


PASSWORD_HASH = _password_hash(PASSWORD)


def make_user(role: str = "salesperson", password: str = PASSWORD, **fields) -> User:
    """A user with a known password."""
    n = next(_seq)
    values = {
        "username": f"{role[:5]}{n}",
        "full_name": f"Persona Prueba {n}",
        "role": role,
        "password_hash": _password_hash(password),
    }
    values.update(fields)
    user = User(**values)
    db.session.add(user)
    db.session.flush()
    return user


def make_zone(**fields) -> Zone:
    """A sales zone."""
    n = next(_seq)
    zone = Zone(**({"code": f"Z{n}", "name": f"Zona {n}"} | fields))
    db.session.add(zone)
    db.session.flush()
    return zone


def make_client_type(**fields) -> ClientType:
    """A client type."""
    n = next(_seq)
    client_type = ClientType(**({"code": f"T{n}", "name": f"Tipo {n}"} | fields))
    db.session.add(client_type)
    db.session.flush()
    return client_type


def company_cuit(n: int) -> str:
    """A valid company CUIT of its own for each number, so clients never clash by accident."""
    body = f"30{n:08d}"
    return body + cuit.calc_check_digit(body)


def make_client(**fields) -> Client:
    """An active client with a valid CUIT of its own."""
    n = next(_seq)
    values = {
        "code": f"T{n:06d}",
        "legal_name": f"Razón Social {n} S.R.L.",
        "trade_name": f"Almacén Prueba {n}",
        "tax_id": company_cuit(n),
        "state": ClientState.ACTIVE,
    }
    values.update(fields)
    client = Client(**values)
    db.session.add(client)
    db.session.flush()
    return client


def make_sale_condition(**fields) -> SaleCondition:
    """A sale condition: 30 days in one installment unless told otherwise."""
    n = next(_seq)
    values = {"code": f"C{n}", "description": f"Condición {n}", "rule_kind": "days"}
    values.update({"rule_days": 30} | fields)
    condition = SaleCondition(**values)
    db.session.add(condition)
    db.session.flush()
    return condition


def post_document(client: Client, kind: str = "invoice", amount: str = "1000.00", **fields):
    """A document posted to the client's account through the ledger service."""
    from app.ledger import posting

    return posting.post_document(client, {"kind": kind, "amount": amount, **fields}, None)


def post_receipt(client: Client, amount: str = "1000.00", **fields):
    """A cash receipt posted through the ledger service (unapplied unless told)."""
    from app.ledger import posting

    data = {"lines": [{"kind": "cash", "amount": amount}], **fields}
    return posting.post_receipt(client, data, None)


def make_price_list(**fields):
    """A price list in pesos."""
    from app.orders.models import PriceList

    n = next(_seq)
    price_list = PriceList(**({"code": f"L{n}", "name": f"Lista {n}", "currency": "ARS"} | fields))
    db.session.add(price_list)
    db.session.flush()
    return price_list


def make_product(price_list=None, price: str | None = None, **fields):
    """An active product at 21 % IVA; with a list and a price, priced in that list."""
    from decimal import Decimal

    from app.orders.models import Product

    n = next(_seq)
    values = {"code": f"P{n:05d}", "description": f"Producto {n}", "tax_rate": Decimal("21")}
    product = Product(**(values | fields))
    db.session.add(product)
    db.session.flush()
    if price_list is not None and price is not None:
        make_price(price_list, product, price)
    return product


def make_price(price_list, product, price: str, currency: str | None = None):
    """A product's price in a list (the list's currency unless told)."""
    from decimal import Decimal

    from app.orders.models import Price

    row = Price(
        price_list_id=price_list.id,
        product_id=product.id,
        currency=currency or price_list.currency,
        price=Decimal(price),
    )
    db.session.add(row)
    db.session.flush()
    return row


def make_address(client: Client, **fields):
    """A fiscal address of the client."""
    from app.clients.models import Address

    address = Address(**({"client_id": client.id, "kind": "fiscal", "street": "Calle 1"} | fields))
    db.session.add(address)
    db.session.flush()
    return address


def today():
    """The company's today."""
    from app.core.types import local_today

    return local_today()


def add_sale_lines(document, *lines):
    """Lines of an invoice, debit note or credit note: (product, quantity, amount, cost) each,
    as text amounts in the document's currency."""
    from decimal import Decimal

    from app.ledger.models import DocumentLine

    rows = []
    for product, quantity, amount, cost in lines:
        quantity, amount = Decimal(quantity), Decimal(amount)
        rows.append(
            DocumentLine(
                document_id=document.id,
                product_id=product.id,
                quantity=quantity,
                unit_price=(amount / quantity).quantize(Decimal("0.0001")),
                amount=amount,
                cost=Decimal(cost) if cost is not None else None,
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    return rows
