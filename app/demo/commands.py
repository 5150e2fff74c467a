"""CLI: realistic, reproducible demo data for an Argentine distributor."""

import bisect
import heapq
import itertools
import operator
import random
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from stdnum.ar import cuit

from app.auth.models import Role, User
from app.auth.services import hash_password
from app.clients.models import (
    Address,
    AuthorizedPickup,
    Client,
    ClientKind,
    ClientNote,
    ClientState,
    Contact,
    CustomAttribute,
    CustomValue,
)
from app.clients.reference import (
    Category,
    Channel,
    ClientType,
    Family,
    Segment,
    Transport,
    Zone,
)
from app.clients.rules import search_key
from app.core.changes import reserve_change_seqs
from app.core.types import local_today, utcnow
from app.credit.models import CreditBand, CreditPolicy, PolicyCategory
from app.demo import names
from app.demo.catalogue import add_demo_catalogue
from app.demo.collections import add_demo_collections
from app.demo.mail import add_demo_mail
from app.demo.orders import add_demo_orders
from app.extensions import db
from app.ledger.models import (
    DEBIT_KINDS,
    POSTABLE_KINDS,
    Application,
    CardIssuer,
    CardPlan,
    Document,
    DocumentInstallment,
    DocumentKind,
    DocumentState,
    ReceiptLine,
    SaleCondition,
)
from app.ledger.parsing import client_sale_condition
from app.ledger.rules import DueRule, DueRuleKind, installments
from app.notices.demo import add_demo_notices
from app.orders.models import PriceList
from app.taxes.rules import invoice_class

DEMO_PASSWORD = "demo1234"
BATCH = 5000

# username, full name, role; every salesperson and collector reports to "supervisor".
DEMO_USERS = [
    ("admin", "Administración General", Role.ADMIN),
    ("oficina", "Lucía Benítez", Role.BACKOFFICE),
    ("supervisor", "Carolina Méndez", Role.SUPERVISOR),
    ("vendedor1", "Martín Acosta", Role.SALESPERSON),
    ("vendedor2", "Paula Giménez", Role.SALESPERSON),
    ("vendedor3", "Diego Ferreyra", Role.SALESPERSON),
    ("cobrador1", "Ramón Ledesma", Role.COLLECTOR),
    ("cobrador2", "Silvia Quiroga", Role.COLLECTOR),
]
# zone code -> (salesperson, collector)
ROUTES = {
    "Z01": ("vendedor1", "cobrador1"),
    "Z04": ("vendedor1", "cobrador1"),
    "Z02": ("vendedor2", "cobrador1"),
    "Z03": ("vendedor2", "cobrador1"),
    "Z05": ("vendedor3", "cobrador2"),
    "Z06": ("vendedor3", "cobrador2"),
    "Z07": ("vendedor3", "cobrador2"),
    "Z08": ("vendedor3", "cobrador2"),
}
CLIENT_TYPES = [
    ("KIO", "Kiosco", False, 30),
    ("MIN", "Minorista", False, 35),
    ("MAY", "Mayorista", False, 10),
    ("SUP", "Supermercado", False, 10),
    ("CON", "Contado", True, 15),
]
PRICE_LISTS = [
    ("MAY", "Lista Mayorista", "ARS"),
    ("MIN", "Lista Minorista", "ARS"),
    ("USD", "Lista Dólares", "USD"),
]
CHANNEL_OF_TYPE = {"KIO": "KIO", "MIN": "MIN", "MAY": "MAY", "SUP": "MIN", "CON": "MIN"}
CHANNELS = [("MAY", "Mayorista"), ("MIN", "Minorista"), ("KIO", "Kioscos"), ("HOR", "HORECA")]
TRANSPORTS = [
    ("PROP", "Reparto propio", None),
    ("EXPR", "Expreso Cruz del Sur", "0800 345 2789"),
    ("VIAC", "Vía Cargo", "011 4114-9000"),
]
SEGMENTS = [("TRA", "Canal tradicional"), ("AUT", "Autoservicio"), ("CAD", "Cadena regional")]
CATEGORIES = {
    "ALI": ("Alimentos", ["Almacén seco", "Lácteos"]),
    "BEB": ("Bebidas", ["Gaseosas", "Aguas"]),
}
FAMILIES = ["Grupo Gómez Hnos.", "Supermercados Del Centro"]
# The first three clients: a supermarket chain whose two branches share its CUIT.
CHAIN_NAME = "Supermercados Del Centro S.A."
CHAIN_SHOPS = [
    "Supermercado Del Centro",
    "Supermercado Del Centro (sucursal Norte)",
    "Supermercado Del Centro (sucursal Sur)",
]
VISIT_DAYS = ["Lunes", "Martes", "Miércoles", "Jueves", "Viernes", "Sábado"]
CONTACT_ROLES = ["Dueño", "Encargada", "Compras", "Administración", "Cajero"]
NOTES = [
    "Atiende después de las 10; no estacionar en la puerta.",
    "Prefiere pedido quincenal.",
    "Pagó siempre a término este año.",
    "Pidió lista de precios nueva por correo.",
    "Cambió de encargado en octubre.",
]
PAYMENT_SETS = [
    ["current_account", "cash", "transfer", "check"],
    ["cash", "transfer", "current_account"],
    ["cash", "transfer"],
]
STATES = [
    (ClientState.ACTIVE, 84),
    (ClientState.POTENTIAL, 4),
    (ClientState.DELINQUENT, 4),
    (ClientState.CASH_ONLY, 4),
    (ClientState.SUSPENDED, 3),
    (ClientState.DISABLED, 1),
]


def valid_cuit(rng: random.Random, prefix: str) -> str:
    """A CUIT with a correct check digit (prefix 20/27 people, 30/33 companies)."""
    while True:
        body = prefix + f"{rng.randrange(10_000_000, 45_000_000):08d}"
        number = body + cuit.calc_check_digit(body)
        if cuit.is_valid(number):
            return number


def _ascii(text: str) -> str:
    """Strip accents and spaces for e-mail addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def make_client(rng: random.Random, number: int, zone: dict, refs: dict) -> dict:
    """One client row: a shop with its owner or company, address, CUIT and route."""
    type_code = rng.choices([t[0] for t in CLIENT_TYPES], weights=[t[3] for t in CLIENT_TYPES])[0]
    trade_name = f"{rng.choice(names.SHOP_KINDS[type_code])} {rng.choice(names.SHOP_NAMES)}"
    surname = rng.choice(names.SURNAMES)
    is_company = type_code in {"MAY", "SUP"} or rng.random() < 0.25
    if is_company:
        legal_name = f"{surname} {rng.choice(names.COMPANY_SUFFIXES)}"
        tax_id = valid_cuit(rng, rng.choice(["30", "33"]))
        iva = "Responsable Inscripto"
    else:
        female = rng.random() < 0.5
        first = rng.choice(names.FIRST_NAMES_F if female else names.FIRST_NAMES_M)
        legal_name = f"{surname}, {first}"
        tax_id = valid_cuit(rng, "27" if female else "20")
        iva = rng.choices(
            ["Monotributo", "Responsable Inscripto", "Consumidor Final", "Exento"],
            weights=[70, 20, 7, 3],
        )[0]
    city, postal_code = rng.choice(zone["cities"])
    state = rng.choices([s[0] for s in STATES], weights=[s[1] for s in STATES])[0]
    if type_code == "CON":
        state = ClientState.CASH_ONLY
    area = zone["area"]
    local = (
        f"{rng.randrange(4000, 4999)}-{rng.randrange(1000, 9999)}"
        if area == "011"
        else (f"{rng.randrange(400, 499)}-{rng.randrange(1000, 9999)}")
    )
    email = None
    if rng.random() < 0.45:
        email = f"{_ascii(trade_name)[:18]}{number % 1000}@{rng.choice(names.EMAIL_DOMAINS)}"
    code = f"C{number:06d}"
    methods = ["cash", "transfer"] if state == ClientState.CASH_ONLY else rng.choice(PAYMENT_SETS)
    return {
        "code": code,
        "kind": ClientKind.COMPANY if is_company else ClientKind.PERSON,
        "first_name": None if is_company else first,
        "last_name": None if is_company else surname,
        "payment_methods": methods,
        "default_payment_method": methods[0],
        "abc_rating": rng.choices(["A", "B", "C"], weights=[20, 50, 30])[0],
        "iibb_number": tax_id if iva == "Responsable Inscripto" else None,
        "iibb_jurisdiction": zone["province"] if iva == "Responsable Inscripto" else None,
        "search_text": search_key(code, legal_name, trade_name, tax_id, email),
        "channel_id": refs.get("channels", {}).get(CHANNEL_OF_TYPE[type_code]),
        "transport_id": rng.choice(refs["transports"]) if refs.get("transports") else None,
        "segment1_id": rng.choice(refs["segments"]) if refs.get("segments") else None,
        "legal_name": legal_name,
        "trade_name": trade_name,
        "tax_id_type": "CUIT",
        "tax_id": tax_id,
        "iva_condition": iva,
        "state": state,
        "client_type_id": refs["types"][type_code],
        "price_list_id": refs["lists"]["MAY" if type_code in {"MAY", "SUP"} else "MIN"],
        "sales_zone_id": zone["id"],
        "salesperson_id": zone["salesperson_id"],
        "collector_id": zone["collector_id"],
        "street": f"{rng.choice(names.STREETS)} {rng.randrange(10, 4800)}",
        "city": city,
        "province": zone["province"],
        "postal_code": postal_code,
        "phone": f"{area} {local}",
        "email": email,
    }


def _create_reference_data() -> dict:
    """Users, zones, client types and price lists; returns the ids clients point to."""
    password_hash = hash_password(DEMO_PASSWORD)
    users = {}
    for username, full_name, role in DEMO_USERS:
        users[username] = User(
            username=username,
            full_name=full_name,
            role=role,
            email=f"{username}@distribuidora-demo.com.ar",
            password_hash=password_hash,
        )
    db.session.add_all(users.values())
    db.session.flush()
    for user in users.values():
        if user.role in (Role.SALESPERSON, Role.COLLECTOR):
            user.supervisor_id = users["supervisor"].id
    types = {
        code: ClientType(code=code, name=name, cash_only=cash)
        for code, name, cash, _ in CLIENT_TYPES
    }
    lists = {code: PriceList(code=code, name=name, currency=cur) for code, name, cur in PRICE_LISTS}
    zones = {
        code: Zone(code=code, name=name, province=prov) for code, name, prov, _, _ in names.ZONES
    }
    channels = {code: Channel(code=code, name=name) for code, name in CHANNELS}
    transports = [Transport(code=c, name=n, phone=p) for c, n, p in TRANSPORTS]
    segments = [Segment(level=1, code=c, name=n) for c, n in SEGMENTS]
    db.session.add_all([*types.values(), *lists.values(), *zones.values(), *channels.values()])
    db.session.add_all([*transports, *segments])
    for code, (name, subs) in CATEGORIES.items():
        parent = Category(scheme=1, code=code, name=name)
        db.session.add(parent)
        db.session.add_all(
            Category(scheme=1, code=f"{code}{i}", name=sub, parent=parent)
            for i, sub in enumerate(subs, 1)
        )
    db.session.add_all(Family(name=name) for name in FAMILIES)
    db.session.add(
        CustomAttribute(name="Día de visita", kind="choice", choices=VISIT_DAYS, position=1)
    )
    db.session.add(CustomAttribute(name="Tiene heladera exhibidora", kind="yes_no", position=2))
    db.session.flush()
    return {
        "types": {code: t.id for code, t in types.items()},
        "lists": {code: pl.id for code, pl in lists.items()},
        "channels": {code: c.id for code, c in channels.items()},
        "transports": [t.id for t in transports],
        "segments": [sg.id for sg in segments],
        "zones": [
            {
                "id": zones[code].id,
                "province": prov,
                "area": area,
                "cities": cities,
                "salesperson_id": users[ROUTES[code][0]].id,
                "collector_id": users[ROUTES[code][1]].id,
            }
            for code, _, prov, area, cities in names.ZONES
        ],
    }


def _unique_cuit(rng: random.Random, prefix: str, taken: set[str]) -> str:
    """A valid CUIT no other demo client has: among 100,000 random ones a few would repeat."""
    while (tax_id := valid_cuit(rng, prefix)) in taken:
        pass
    taken.add(tax_id)
    return tax_id


def _with_unique_cuit(rng: random.Random, row: dict, taken: set[str]) -> dict:
    """The client row, with another CUIT of the same kind if its own is taken."""
    if row["tax_id"] not in taken:
        taken.add(row["tax_id"])
        return row
    tax_id = _unique_cuit(rng, row["tax_id"][:2], taken)
    return row | {
        "tax_id": tax_id,
        "iibb_number": tax_id if row["iibb_number"] else None,
        "search_text": search_key(
            row["code"], row["legal_name"], row["trade_name"], tax_id, row["email"]
        ),
    }


def load_demo_data(clients: int, seed: int) -> int:
    """Fill an empty database; clients and documents go in bulk, in batches.

    Returns how many ledger documents it wrote.
    """
    rng = random.Random(seed)
    refs = _create_reference_data()
    now = utcnow()
    taken: set[str] = set()
    for start in range(1, clients + 1, BATCH):
        count = min(BATCH, clients - start + 1)
        seqs = reserve_change_seqs(db.session.connection(), count)
        rows = []
        for offset, seq in enumerate(seqs):
            row = make_client(rng, start + offset, rng.choice(refs["zones"]), refs)
            row = _with_unique_cuit(rng, row, taken)
            rows.append(row | {"change_seq": seq, "created_at": now})
        db.session.execute(sa.insert(Client), rows)
    _add_client_details(rng)
    _add_supermarket_chain(rng, refs, taken)
    _add_iibb_registry(rng)
    documents = _add_ledger(rng, refs)
    _add_credit(rng)
    add_demo_notices(rng)
    add_demo_catalogue(seed)
    add_demo_orders(random.Random(seed + 1))
    add_demo_mail(rng)
    add_demo_collections(rng)
    db.session.commit()
    return documents


def _add_supermarket_chain(rng: random.Random, refs: dict, taken: set[str]) -> None:
    """Turn the first three clients into a supermarket and two branches sharing its CUIT."""
    ids = db.session.scalars(sa.select(Client.id).order_by(Client.id).limit(3)).all()
    if len(ids) < len(CHAIN_SHOPS):
        return
    tax_id = _unique_cuit(rng, "30", taken)
    family_id = db.session.scalar(sa.select(Family.id).where(Family.name == FAMILIES[1]))
    for client_id, trade_name in zip(ids, CHAIN_SHOPS, strict=True):
        code, province = db.session.execute(
            sa.select(Client.code, Client.province).where(Client.id == client_id)
        ).one()
        db.session.execute(
            sa.update(Client)
            .where(Client.id == client_id)
            .values(
                kind=ClientKind.COMPANY,
                legal_name=CHAIN_NAME,
                first_name=None,
                last_name=None,
                trade_name=trade_name,
                tax_id=tax_id,
                iva_condition="Responsable Inscripto",
                iibb_number=tax_id,
                iibb_jurisdiction=province,
                client_type_id=refs["types"]["SUP"],
                price_list_id=refs["lists"]["MAY"],
                family_id=family_id,
                branch_of_id=None if client_id == ids[0] else ids[0],
                email=None,
                search_text=search_key(code, CHAIN_NAME, trade_name, tax_id),
            )
        )


def _add_client_details(rng: random.Random) -> None:
    """Contacts, pickups, addresses, notes, families and custom values for part of the clients."""
    clients = db.session.execute(
        sa.select(
            Client.id, Client.street, Client.city, Client.province, Client.postal_code
        ).order_by(Client.id)
    ).all()
    attributes = {a.name: a.id for a in db.session.scalars(sa.select(CustomAttribute))}
    families = db.session.scalars(sa.select(Family.id)).all()
    contacts, pickups, addresses, notes, values = [], [], [], [], []
    for client_id, street, city, province, postal_code in clients:
        if street:
            addresses.append(
                {
                    "client_id": client_id,
                    "kind": "fiscal",
                    "street": street,
                    "city": city,
                    "province": province,
                    "postal_code": postal_code,
                }
            )
        if rng.random() < 0.6:
            for _ in range(rng.randint(1, 2)):
                first = rng.choice(names.FIRST_NAMES_F + names.FIRST_NAMES_M)
                contacts.append(
                    {
                        "client_id": client_id,
                        "name": f"{first} {rng.choice(names.SURNAMES)}",
                        "role": rng.choice(CONTACT_ROLES),
                        "mobile": f"11 {rng.randrange(3000, 6999)}-{rng.randrange(1000, 9999)}",
                    }
                )
        if rng.random() < 0.3:
            first = rng.choice(names.FIRST_NAMES_F + names.FIRST_NAMES_M)
            pickups.append(
                {
                    "client_id": client_id,
                    "name": f"{first} {rng.choice(names.SURNAMES)}",
                    "document": f"{rng.randrange(20_000_000, 45_000_000):,}".replace(",", "."),
                }
            )
        if rng.random() < 0.25:
            addresses.append(
                {
                    "client_id": client_id,
                    "kind": "shipping",
                    "label": "Depósito",
                    "street": f"{rng.choice(names.STREETS)} {rng.randrange(10, 4800)}",
                    "city": city,
                    "province": province,
                    "delivery_hours": rng.choice(["7 a 11", "8 a 12", "14 a 18"]),
                    "delivery_instructions": "Entrar por el portón lateral; tocar bocina.",
                }
            )
        if rng.random() < 0.2:
            notes.append({"client_id": client_id, "text": rng.choice(NOTES)})
        if rng.random() < 0.5:
            values.append(
                {
                    "client_id": client_id,
                    "attribute_id": attributes["Día de visita"],
                    "value": rng.choice(VISIT_DAYS),
                }
            )
    for client_id, _street, *_ in clients[:6]:
        db.session.execute(
            sa.update(Client)
            .where(Client.id == client_id)
            .values(family_id=families[client_id % 2])
        )
    for model, rows in (
        (Contact, contacts),
        (AuthorizedPickup, pickups),
        (Address, addresses),
        (ClientNote, notes),
    ):
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            seqs = reserve_change_seqs(db.session.connection(), len(chunk))
            db.session.execute(
                sa.insert(model),
                [row | {"change_seq": seq} for row, seq in zip(chunk, seqs, strict=True)],
            )
    if values:
        db.session.execute(sa.insert(CustomValue), values)


@click.command("demo-data")
@click.option("--clients", default=1200, show_default=True, help="Cuántos clientes crear.")
@click.option("--seed", default=1, show_default=True, help="Semilla: los mismos datos cada vez.")
@click.option("--if-empty", is_flag=True, help="No hacer nada si la base ya tiene usuarios.")
@with_appcontext
def demo_data_command(clients: int, seed: int, if_empty: bool) -> None:
    """Load demo users, zones, client types, price lists, clients and their accounts."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        if if_empty:
            click.echo("La base ya tiene datos: no se cargan datos de demostración.")
            return
        raise click.ClickException(
            "La base ya tiene datos: los datos de demostración van en una base vacía."
        )
    if clients < 0:
        raise click.BadParameter("tiene que ser 0 o más", param_hint="--clients")
    started = time.perf_counter()
    documents = load_demo_data(clients, seed)
    click.echo(
        f"Datos de demostración cargados: {len(DEMO_USERS)} usuarios (contraseña {DEMO_PASSWORD}), "
        f"{clients} clientes, {documents} comprobantes, en {time.perf_counter() - started:.1f} s."
    )


def _add_iibb_registry(rng: random.Random, limit: int = 300) -> None:
    """ARBA's settings and a current registry for up to `limit` Buenos Aires and CABA clients."""
    from app.taxes.models import IibbJurisdiction, IibbRate

    arba = IibbJurisdiction(
        code="902",
        name="Buenos Aires",
        province="Buenos Aires",
        registry_format="ARBA",
        default_rate=Decimal("6.00"),
        minimum_amount=Decimal("50.00"),
        include_multilateral=True,
        active=True,
    )
    db.session.add(arba)
    db.session.flush()
    tax_ids = db.session.scalars(
        sa.select(Client.tax_id)
        .where(Client.province.in_(["Buenos Aires", "Ciudad Autónoma de Buenos Aires"]))
        .distinct()
        .order_by(Client.tax_id)
        .limit(limit)
    ).all()
    first = date.today().replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    rates = ["0.00", "0.10", "1.00", "2.50", "3.00", "3.50", "4.00", "5.00"]
    rows = [
        {
            "jurisdiction_id": arba.id,
            "tax_id": tax_id,
            "published_on": first - timedelta(days=7),
            "valid_from": first,
            "valid_to": last,
            "rate": Decimal(rng.choice(rates)),
            "contributor_type": "D",
            "rate_group": f"{rng.randrange(0, 20):02d}",
        }
        for tax_id in tax_ids
    ]
    if rows:
        db.session.execute(sa.insert(IibbRate), rows)


# --- current accounts ---------------------------------------------------------------------------

LEDGER_DAYS = 240  # about eight months of history per client
# code, description, rule kind, days, day of month, weekday (Monday 0), week (5: last), installments
SALE_CONDITIONS = [
    ("CONT", "Contado", DueRuleKind.DAYS, 0, 0, 0, 0, 1),
    ("30D", "30 días", DueRuleKind.DAYS, 30, 0, 0, 0, 1),
    ("60D", "60 días", DueRuleKind.DAYS, 60, 0, 0, 0, 1),
    ("306090", "30/60/90", DueRuleKind.DAYS, 30, 0, 0, 0, 3),
    ("D10", "Día 10 mes siguiente", DueRuleKind.DAY_OF_MONTH, 0, 10, 0, 0, 1),
    ("P15", "Próximo día 15", DueRuleKind.NEXT_DAY_OF_MONTH, 0, 15, 0, 0, 1),
    ("UVIE", "Último viernes del mes", DueRuleKind.WEEKDAY_OF_WEEK, 0, 0, 4, 5, 1),
]
# Pronto pago: paying on delivery takes this much off the order.
CASH_DISCOUNTS = {"CONT": Decimal("2.00")}
_BANK_CARD_PLANS = [("1 pago", 1, "0"), ("3 cuotas", 3, "8.50"), ("6 cuotas", 6, "15.75")]
CARD_ISSUERS = [
    ("VISA", "Visa", _BANK_CARD_PLANS),
    ("MASTER", "Mastercard", _BANK_CARD_PLANS),
    ("NARANJA", "Naranja", [("1 pago", 1, "0"), ("Plan Z", 3, "0")]),
    ("CABAL", "Cabal", [("1 pago", 1, "0")]),
]
_EVERY_KIND = [*POSTABLE_KINDS, DocumentKind.RECEIPT]
# client type -> allowed document kinds, discount %, default sale condition
TYPE_TERMS = {
    "KIO": (["invoice", "debit_note", "credit_note", "receipt"], "0", "30D"),
    "MIN": (_EVERY_KIND, "2", "30D"),
    "MAY": (_EVERY_KIND, "8", "30D"),
    "SUP": (_EVERY_KIND, "5", "30D"),
    "CON": (["invoice", "credit_note", "receipt"], "0", "CONT"),
}
# Some clients have terms of their own (codes and weights), by type.
OWN_CONDITIONS = {
    "KIO": (["D10", "P15", "UVIE"], [4, 4, 2]),
    "MIN": (["60D", "D10", "P15", "UVIE"], [2, 3, 3, 2]),
    "MAY": (["60D", "306090", "D10", "UVIE"], [4, 4, 1, 1]),
    "SUP": (["60D", "306090", "P15"], [4, 4, 2]),
}
OWN_CONDITION_SHARE = 0.18
# invoice amounts in pesos (low, high, log-uniform) and mean days between invoices, by type
SALES = {
    "KIO": (3_000, 90_000, 42),
    "MIN": (8_000, 250_000, 38),
    "MAY": (40_000, 750_000, 30),
    "SUP": (30_000, 600_000, 26),
    "CON": (3_000, 120_000, 48),
}
USD_SALES = (150, 6_000)
COLLECTOR_VISIT_DAYS = 30
# share of the clients with a feature, and the fewest clients that get it
FEATURES = {
    "overdue": (0.0, 2),  # besides the delinquent clients: stopped paying months ago
    "usd": (0.03, 2),
    "on_account": (0.004, 2),
    "void": (0.003, 1),
    "spoiled": (0.003, 1),
}
D = Decimal
CENT = D("0.01")
THOUSAND = D("1000")
ZERO = D("0")
OPEN, PARTLY_PAID, PAID, VOID = (
    DocumentState.OPEN,
    DocumentState.PARTLY_PAID,
    DocumentState.PAID,
    DocumentState.VOID,
)


def _create_ledger_reference(refs: dict) -> dict:
    """Sale conditions, card issuers and plans; the client types' terms."""
    conditions = {
        code: SaleCondition(
            code=code,
            description=description,
            rule_kind=kind,
            rule_days=days,
            rule_day=day,
            rule_weekday=weekday,
            rule_week=week,
            installments=count,
            discount_pct=CASH_DISCOUNTS.get(code, Decimal("0")),
        )
        for code, description, kind, days, day, weekday, week, count in SALE_CONDITIONS
    }
    db.session.add_all(conditions.values())
    issuers = []
    for code, name, plans in CARD_ISSUERS:
        issuer = CardIssuer(code=code, name=name)
        issuer.plans = [
            CardPlan(name=plan, installments=count, surcharge_pct=D(surcharge))
            for plan, count, surcharge in plans
        ]
        issuers.append(issuer)
    db.session.add_all(issuers)
    db.session.flush()
    for client_type in db.session.scalars(sa.select(ClientType)):
        kinds, discount, default = TYPE_TERMS[client_type.code]
        client_type.allowed_document_kinds = [str(kind) for kind in kinds]
        client_type.discount_pct = D(discount)
        client_type.default_sale_condition_id = conditions[default].id
    db.session.flush()
    return {
        "terms": {code: Terms(c.id, c.rule, c.installments) for code, c in conditions.items()},
        "type_codes": {type_id: code for code, type_id in refs["types"].items()},
    }


@dataclass(frozen=True)
class Terms:
    """A sale condition as the simulation uses it."""

    id: int
    rule: DueRule
    installments: int


@dataclass(frozen=True)
class DemoClient:
    """What the simulation needs to know of a client."""

    id: int
    type_code: str
    letter: str
    registered: bool
    collector_id: int | None


@dataclass
class Habits:
    """How a demo client buys and pays."""

    kind: str  # prompt, slow, partial, stopped, cash
    cadence: float  # mean days between invoices
    visits: float  # mean days between the collector's visits
    delay: int  # days after the due date the client pays
    stop_buying: date | None = None
    stop_paying: date | None = None


def _habits(rng: random.Random, state: str, type_code: str, today: date) -> Habits | None:
    """A client's buying and paying habits from its state and type; None: no account at all."""
    cadence = SALES[type_code][2]
    if state == ClientState.POTENTIAL or rng.random() < 0.06:
        return None
    if type_code == "CON" or state == ClientState.CASH_ONLY:
        return Habits("cash", cadence, 0, 0)
    if state == ClientState.DELINQUENT:
        return _stopped(rng, today, cadence)
    if state == ClientState.DISABLED:
        stop = today - timedelta(days=rng.randrange(90, 200))
        return Habits("prompt", cadence, COLLECTOR_VISIT_DAYS, 3, stop_buying=stop)
    kind = "slow" if state == ClientState.SUSPENDED else None
    kind = kind or rng.choices(["prompt", "slow", "partial", "stopped"], [70, 17, 9, 4])[0]
    if kind == "stopped":
        return _stopped(rng, today, cadence)
    delay = {
        "prompt": max(-3, round(rng.gauss(3, 5))),
        "slow": max(10, round(rng.gauss(30, 12))),
        "partial": max(0, round(rng.gauss(10, 8))),
    }[kind]
    return Habits(kind, cadence, COLLECTOR_VISIT_DAYS * (1.3 if kind == "slow" else 1), delay)


def _stopped(rng: random.Random, today: date, cadence: float, long_ago: bool = False) -> Habits:
    """A client who stopped paying months ago and was sold to for a while after.

    long_ago: stopped paying over four months ago and still buys, so its debt is in every bucket.
    """
    if long_ago:
        stop_paying = today - timedelta(days=rng.randrange(130, 180))
        stop_buying = today - timedelta(days=rng.randrange(5, 25))
    else:
        stop_paying = today - timedelta(days=rng.randrange(95, 200))
        stop_buying = min(
            today - timedelta(days=10), stop_paying + timedelta(days=rng.randrange(30, 90))
        )
    return Habits(
        "stopped",
        min(cadence, 25),
        COLLECTOR_VISIT_DAYS,
        5,
        stop_buying=stop_buying,
        stop_paying=stop_paying,
    )


def _stamp(day: date, ident: int) -> datetime:
    """A working-hours UTC timestamp on a day (Argentina is UTC-3), spread by an id."""
    return datetime.combine(day, clock(12 + ident % 9, ident * 7 % 60), tzinfo=UTC)


def usd_rate(day: date) -> Decimal:
    """A plausible ARS per USD rate of a day: from 1000 up to 1100 and back over two years."""
    within = day.toordinal() % 730
    trend = D(min(within, 730 - within)) * 100 / 365
    return (D(1000) + trend + D((day.toordinal() * 37) % 900) / 100).quantize(CENT)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    """A log-uniform amount between low and high, in cents."""
    cents = int(low * 100 * (high / low) ** rng.random())
    return D(cents).scaleb(-2)


def _round_down(amount: Decimal, step: Decimal = THOUSAND) -> Decimal:
    """The amount rounded down to a multiple of step (itself if smaller than step)."""
    rounded = (amount // step) * step
    return rounded if rounded > 0 else amount


class LedgerRows:
    """Ledger rows made in memory with their ids known in advance and inserted in batches.

    Ids continue from the largest in each table, so rows point to each other before any is
    written; numbers are given at insert time in date order, per kind and letter.
    """

    def __init__(self) -> None:
        self.next_ids = {
            model: (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
            for model in (Document, DocumentInstallment, Application)
        }
        self.last_numbers = _last_numbers()
        self.documents: list[dict] = []
        self.installments: list[dict] = []
        self.applications: list[dict] = []
        self.lines: list[dict] = []
        self.by_id: dict[int, dict] = {}
        self.installment_rows: dict[int, dict] = {}
        self.written = 0

    def _id(self, model) -> int:
        """The next id of a table."""
        ident = self.next_ids[model]
        self.next_ids[model] = ident + 1
        return ident

    def document(self, client_id: int, kind: str, day: date, amount: Decimal, **fields) -> dict:
        """A new document row; debits and credits start wholly open."""
        ident = self._id(Document)
        row = {
            "id": ident,
            "client_id": client_id,
            "kind": kind,
            "sign": 1 if kind in DEBIT_KINDS else -1,
            "letter": "X",
            "number": "",
            "date": day,
            "currency": "ARS",
            "exchange_rate": D(1),
            "amount": amount,
            "open_amount": amount,
            "state": OPEN,
            "sale_condition_id": None,
            "notes": None,
            "source": "api",
            "reverses_id": None,
            "voided_at": None,
            "void_reason": None,
            "created_by_id": None,
            "created_at": _stamp(day, ident),
            "change_seq": 0,
            "deleted_at": None,
        } | fields
        self.documents.append(row)
        self.by_id[ident] = row
        return row

    def split(self, document: dict, terms: Terms) -> list[dict]:
        """The installments of a debit document by its sale condition."""
        parts = installments(terms.rule, document["date"], document["amount"], terms.installments)
        rows = [
            {
                "id": self._id(DocumentInstallment),
                "document_id": document["id"],
                "client_id": document["client_id"],
                "currency": document["currency"],
                "number": part.number,
                "due_date": part.due_date,
                "amount": part.amount,
                "open_amount": part.amount,
                "change_seq": 0,
                "deleted_at": None,
            }
            for part in parts
        ]
        self.installments.extend(rows)
        self.installment_rows.update((row["id"], row) for row in rows)
        return rows

    def apply(self, credit: dict, targets: list[dict], on: date, user_id: int | None) -> None:
        """Apply what is open of a credit to installments in the order given, as far as it goes."""
        for installment in targets:
            left = credit["open_amount"]
            if left <= 0:
                break
            amount = min(left, installment["open_amount"])
            if amount <= 0:
                continue
            debit = self.by_id[installment["document_id"]]
            installment["open_amount"] -= amount
            debit["open_amount"] -= amount
            credit["open_amount"] -= amount
            _settle(debit)
            ident = self._id(Application)
            self.applications.append(
                {
                    "id": ident,
                    "client_id": credit["client_id"],
                    "credit_document_id": credit["id"],
                    "installment_id": installment["id"],
                    "debit_document_id": debit["id"],
                    "amount": amount,
                    "applied_on": on,
                    "created_at": _stamp(on, ident),
                    "created_by_id": user_id,
                    "unapplied_at": None,
                    "unapplied_by_id": None,
                    "change_seq": 0,
                    "deleted_at": None,
                }
            )
        _settle(credit)

    def void(self, credit: dict, on: date, reason: str, user_id: int | None) -> None:
        """Void a credit as services.void_document does: unapply it, then write its reversal."""
        undone = _stamp(on, credit["id"])
        for application in self.applications:
            if application["credit_document_id"] != credit["id"] or application["unapplied_at"]:
                continue
            application["unapplied_at"] = undone
            application["unapplied_by_id"] = user_id
            debit = self.by_id[application["debit_document_id"]]
            self.installment_rows[application["installment_id"]]["open_amount"] += application[
                "amount"
            ]
            debit["open_amount"] += application["amount"]
            _settle(debit)
        credit.update(open_amount=ZERO, state=VOID, voided_at=undone, void_reason=reason)
        self.document(
            credit["client_id"],
            DocumentKind.REVERSAL,
            on,
            credit["amount"],
            sign=-credit["sign"],
            letter=credit["letter"],
            currency=credit["currency"],
            exchange_rate=credit["exchange_rate"],
            open_amount=ZERO,
            state=VOID,
            reverses_id=credit["id"],
            void_reason=reason,
            source="backoffice",
            created_by_id=user_id,
        )

    def line(self, receipt: dict, kind: str, amount: Decimal, **fields) -> None:
        """A payment line of a receipt."""
        self.lines.append(
            {
                "receipt_id": receipt["id"],
                "kind": kind,
                "amount": amount,
                "bank": None,
                "number": None,
                "due_date": None,
                "drawer": None,
                "drawer_tax_id": None,
                "reference": None,
                "card_plan_id": None,
                "tax": None,
                "certificate": None,
            }
            | fields
        )

    def flush(self) -> None:
        """Number the documents in date order, then insert every row made so far."""
        for row in sorted(
            (row for row in self.documents if row["reverses_id"] is None),
            key=lambda row: (row["date"], row["id"]),
        ):
            key = (row["kind"], row["letter"])
            self.last_numbers[key] = self.last_numbers.get(key, 0) + 1
            row["number"] = f"0001-{self.last_numbers[key]:08d}"
        for row in self.documents:
            if row["reverses_id"] is not None:
                row["number"] = self.by_id[row["reverses_id"]]["number"]
        connection = db.session.connection()
        for model, rows in (
            (Document, self.documents),
            (DocumentInstallment, self.installments),
            (Application, self.applications),
        ):
            if rows:
                for row, seq in zip(rows, reserve_change_seqs(connection, len(rows)), strict=True):
                    row["change_seq"] = seq
                insert_rows(model.__table__, rows)
        if self.lines:
            insert_rows(ReceiptLine.__table__, self.lines)
        self.written += len(self.documents)
        self.documents, self.installments, self.applications, self.lines = [], [], [], []
        self.by_id, self.installment_rows = {}, {}

    def finish(self) -> None:
        """Insert what is left; on PostgreSQL, move the id sequences past the ids given here."""
        self.flush()
        connection = db.session.connection()
        if connection.dialect.name != "postgresql":
            return
        for model in (Document, DocumentInstallment, Application):
            table = model.__tablename__
            connection.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE(MAX(id), 0) + 1, false) FROM {table}"
                )
            )


def insert_rows(table: sa.Table, rows: list[dict]) -> None:
    """Insert rows that all have the same keys straight through the driver.

    SQLAlchemy's executemany spends longer preparing each row's parameters than the database
    spends writing it, and the demo ledger is millions of rows: PostgreSQL (psycopg) takes them
    by COPY, SQLite by the driver's executemany with SQLAlchemy's own type conversions; any
    other driver goes through SQLAlchemy.
    """
    connection = db.session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    cursor = connection.connection.cursor()
    columns = ", ".join(names)
    if dialect.name == "postgresql" and hasattr(cursor, "copy"):
        with cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in names])
    elif dialect.driver == "pysqlite":
        processors = [
            (index, process)
            for index, name in enumerate(names)
            if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
        ]
        values = operator.itemgetter(*names)
        data = []
        for row in rows:
            data.append(line := list(values(row)))
            for index, process in processors:
                if line[index] is not None:
                    line[index] = process(line[index])
        marks = ", ".join("?" * len(names))
        cursor.executemany(f"INSERT INTO {table.name} ({columns}) VALUES ({marks})", data)
    else:
        connection.execute(sa.insert(table), rows)
    cursor.close()


def _last_numbers() -> dict[tuple[str, str], int]:
    """The last number used at point of sale 1, per kind and letter."""
    rows = db.session.execute(
        sa.select(Document.kind, Document.letter, sa.func.max(Document.number))
        .where(
            Document.number.like("0001-%"),
            sa.func.length(Document.number) == 13,
            Document.reverses_id.is_(None),
        )
        .group_by(Document.kind, Document.letter)
    )
    return {(kind, letter): int(last[5:]) for kind, letter, last in rows if last[5:].isdigit()}


def _settle(row: dict) -> None:
    """A document's state follows its open amount, as services._set_state keeps it."""
    if row["state"] == VOID:
        return
    if row["open_amount"] == row["amount"]:
        row["state"] = OPEN
    elif row["open_amount"] == 0:
        row["state"] = PAID
    else:
        row["state"] = PARTLY_PAID


def _due_key(installment: dict) -> tuple[date, int]:
    """Installments are paid in due-date order, as services.apply_oldest does."""
    return installment["due_date"], installment["id"]


class DemoAccount:
    """One client's current account, simulated in date order: sales, visits, payments."""

    def __init__(
        self,
        rng: random.Random,
        rows: LedgerRows,
        client: DemoClient,
        terms: Terms,
        habits: Habits,
        features: set[str],
        context: dict,
    ) -> None:
        self.rng = rng
        self.rows = rows
        self.client = client
        self.terms = terms
        self.habits = habits
        self.features = set(features)
        self.context = context
        self.open: dict[str, list[dict]] = {"ARS": [], "USD": []}
        self.events: list[tuple] = []
        self.order = itertools.count()

    def run(self, start: date, today: date) -> None:
        """Every event from start to today, in date order."""
        habits = self.habits
        last_sale = min(today, habits.stop_buying or today)
        self._schedule(start, last_sale, habits.cadence, "invoice")
        if habits.visits:
            self._schedule(start, today, habits.visits, "visit")
        if "on_account" in self.features:
            self._push(today - timedelta(days=self.rng.randrange(2, 40)), "on_account")
        while self.events:
            day, _, _, kind, payload = heapq.heappop(self.events)
            if day > today:
                continue
            getattr(self, kind)(day, *payload)

    def _schedule(self, start: date, end: date, every: float, kind: str) -> None:
        """Events of a kind from start to end, every so many days give or take 40%."""
        offset = self.rng.uniform(0, every)
        while (day := start + timedelta(days=int(offset))) <= end:
            self._push(day, kind)
            offset += every * self.rng.uniform(0.6, 1.4)

    def _push(self, day: date, kind: str, *payload) -> None:
        """Queue an event; on a day, sales come before visits."""
        order = 0 if kind == "invoice" else 1
        heapq.heappush(self.events, (day, order, next(self.order), kind, payload))

    def _debit(self, kind: str, day: date, amount: Decimal, currency: str, **fields) -> dict:
        """An invoice or debit note with its installments, now open."""
        document = self.rows.document(
            self.client.id,
            kind,
            day,
            amount,
            letter=self.client.letter,
            currency=currency,
            exchange_rate=usd_rate(day) if currency == "USD" else D(1),
            sale_condition_id=self.terms.id,
            **fields,
        )
        for installment in self.rows.split(document, self.terms):
            bisect.insort(self.open[currency], installment, key=_due_key)
        return document

    def invoice(self, day: date) -> None:
        """A sale on account; cash clients pay it on the spot."""
        rng = self.rng
        currency = "USD" if "usd" in self.features and rng.random() < 0.3 else "ARS"
        low, high = USD_SALES if currency == "USD" else SALES[self.client.type_code][:2]
        invoice = self._debit(DocumentKind.INVOICE, day, _money(rng, low, high), currency)
        if self.habits.kind == "cash":
            receipt = self._receipt(day, currency, invoice["amount"])
            self.rows.apply(receipt, self._items_of(invoice), day, receipt["created_by_id"])
            self._prune(currency)
        elif rng.random() < 0.05:
            self._push(day + timedelta(days=rng.randrange(1, 15)), "credit_note", invoice)

    def credit_note(self, day: date, invoice: dict) -> None:
        """Goods returned or a discount on an invoice: applied to it while it is open."""
        share = D(self.rng.randrange(3, 16)) / 100
        amount = max(CENT, (invoice["amount"] * share).quantize(CENT))
        note = self.rows.document(
            self.client.id,
            DocumentKind.CREDIT_NOTE,
            day,
            amount,
            letter=invoice["letter"],
            currency=invoice["currency"],
            exchange_rate=invoice["exchange_rate"],
            notes=self.rng.choice(names.CREDIT_NOTE_NOTES),
            source="backoffice",
            created_by_id=self.context["office_id"],
        )
        self.rows.apply(note, self._items_of(invoice), day, self.context["office_id"])
        self._prune(invoice["currency"])

    def visit(self, day: date) -> None:
        """The collector's visit: the client pays what is due, or part of it, or nothing."""
        habits = self.habits
        if habits.stop_paying and day >= habits.stop_paying:
            return
        rng = self.rng
        for currency, items in self.open.items():
            cutoff = day - timedelta(days=habits.delay)
            owed = sum((i["open_amount"] for i in items if i["due_date"] <= cutoff), ZERO)
            if owed <= 0:
                continue
            amount = owed
            if habits.kind == "partial" and currency == "ARS":
                amount = _round_down((owed * D(rng.randrange(30, 81)) / 100).quantize(CENT))
            if "spoiled" in self.features:
                self.features.discard("spoiled")
                self._spoiled_receipt(day)
            paid_on = day
            if "void" in self.features:
                self.features.discard("void")
                paid_on = self._voided_receipt(day, currency, amount)
            receipt = self._receipt(paid_on, currency, amount)
            self.rows.apply(receipt, items, paid_on, receipt["created_by_id"])
            self._prune(currency)
            if habits.kind in ("slow", "partial", "stopped") and rng.random() < 0.08:
                self._interest(day, currency)

    def on_account(self, day: date) -> None:
        """A payment on account the client did not say what for: left unapplied."""
        amount = D(self.rng.randrange(10, 200)) * THOUSAND
        self._receipt(day, "ARS", amount, notes=names.ON_ACCOUNT_NOTE)

    def _interest(self, day: date, currency: str) -> None:
        """A debit note for interest on what is more than 30 days overdue."""
        if self.client.type_code == "CON":
            return
        late = day - timedelta(days=30)
        overdue = sum((i["open_amount"] for i in self.open[currency] if i["due_date"] < late), ZERO)
        amount = (overdue * D("0.03")).quantize(CENT)
        if amount >= 100:
            self._debit(
                DocumentKind.DEBIT_NOTE,
                day,
                amount,
                currency,
                notes=names.INTEREST_NOTE,
                source="backoffice",
                created_by_id=self.context["office_id"],
            )

    def _receipt(self, day: date, currency: str, amount: Decimal, **fields) -> dict:
        """A receipt taken by the collector (or a transfer the office enters) with its lines."""
        rng = self.rng
        by_collector = bool(self.client.collector_id) and rng.random() < 0.8
        receipt = self.rows.document(
            self.client.id,
            DocumentKind.RECEIPT,
            day,
            amount,
            currency=currency,
            exchange_rate=usd_rate(day) if currency == "USD" else D(1),
            source="field" if by_collector else "backoffice",
            created_by_id=self.client.collector_id if by_collector else self.context["office_id"],
            **fields,
        )
        self._payment_lines(receipt)
        return receipt

    def _payment_lines(self, receipt: dict) -> None:
        """Split a receipt into payment lines: withholdings, a check, cash, a transfer, a card."""
        rng, rows, amount, day = self.rng, self.rows, receipt["amount"], receipt["date"]
        left = amount
        if receipt["currency"] == "USD":
            rows.line(receipt, rng.choice(["transfer", "cash"]), amount, reference=_reference(rng))
            return
        if self.client.registered and amount >= 50_000 and rng.random() < 0.4:
            for tax, low, high, chance in WITHHOLDINGS:
                if rng.random() < chance:
                    part = (amount * D(rng.randrange(low, high + 1)) / 1000).quantize(CENT)
                    rows.line(receipt, "withholding", part, tax=tax, certificate=_certificate(rng))
                    left -= part
        kinds, weights = PAYMENT_MIX["registered" if self.client.registered else "other"]
        if left >= 20_000 and rng.random() < 0.35:
            part = _round_down(left * D(rng.randrange(30, 71)) / 100)
            rows.line(receipt, "third_party_check", part, **self._check(day, third_party=True))
            left -= part
        kind = rng.choices(kinds, weights)[0]
        rows.line(receipt, kind, left, **self._line_fields(kind, day))

    def _line_fields(self, kind: str, day: date) -> dict:
        """The details a payment line of a kind carries."""
        rng = self.rng
        if kind == "transfer":
            return {"reference": _reference(rng)}
        if kind in ("own_check", "third_party_check"):
            return self._check(day, third_party=kind == "third_party_check")
        if kind == "card":
            plans = self.context["plans"]
            one_payment = [plan for plan, count in plans if count == 1]
            plan_id = rng.choice(one_payment if rng.random() < 0.6 else [p for p, _ in plans])
            return {"card_plan_id": plan_id, "number": f"{rng.randrange(1, 999_999):06d}"}
        return {}

    def _check(self, day: date, third_party: bool) -> dict:
        """A check: bank, number, payment date and, when a customer's, its drawer and CUIT."""
        rng = self.rng
        fields = {
            "bank": rng.choice(names.BANKS),
            "number": f"{rng.randrange(10_000_000, 99_999_999)}",
            "due_date": day + timedelta(days=rng.choice([0, 0, 0, 7, 15, 30, 45, 60])),
        }
        if third_party:
            if rng.random() < 0.5:
                drawer = f"{rng.choice(names.SURNAMES)} {rng.choice(names.COMPANY_SUFFIXES)}"
                prefix = rng.choice(["30", "33"])
            else:
                female = rng.random() < 0.5
                first = rng.choice(names.FIRST_NAMES_F if female else names.FIRST_NAMES_M)
                drawer = f"{rng.choice(names.SURNAMES)}, {first}"
                prefix = "27" if female else "20"
            fields |= {"drawer": drawer, "drawer_tax_id": valid_cuit(rng, prefix)}
        return fields

    def _spoiled_receipt(self, day: date) -> None:
        """A receipt form spoiled on paper and entered as void so its number is accounted for."""
        reason = self.rng.choice(names.SPOILED_REASONS)
        self.rows.document(
            self.client.id,
            DocumentKind.RECEIPT,
            day,
            ZERO,
            state=VOID,
            voided_at=_stamp(day, self.client.id),
            void_reason=reason,
            source="field",
            created_by_id=self.client.collector_id,
        )

    def _voided_receipt(self, day: date, currency: str, amount: Decimal) -> date:
        """A receipt entered wrong and applied, voided a few days later; returns that day."""
        wrong = self._receipt(day, currency, amount)
        self.rows.apply(wrong, self.open[currency], day, wrong["created_by_id"])
        voided_on = min(day + timedelta(days=self.rng.randrange(1, 5)), self.context["today"])
        reason = self.rng.choice(names.VOID_REASONS)
        self.rows.void(wrong, voided_on, reason, self.context["office_id"])
        return voided_on

    def _items_of(self, document: dict) -> list[dict]:
        """A debit document's installments that are still open, oldest due first."""
        return [i for i in self.open[document["currency"]] if i["document_id"] == document["id"]]

    def _prune(self, currency: str) -> None:
        """Forget installments fully paid."""
        self.open[currency] = [i for i in self.open[currency] if i["open_amount"] > 0]


# tax, lowest and highest share in thousandths of the receipt, chance of appearing
WITHHOLDINGS = [
    ("iibb", 10, 30, 0.8),
    ("ganancias", 10, 20, 0.4),
    ("iva", 5, 10, 0.15),
    ("suss", 5, 10, 0.05),
]
PAYMENT_MIX = {
    "registered": (["transfer", "third_party_check", "own_check", "cash"], [45, 20, 20, 15]),
    "other": (["cash", "transfer", "third_party_check", "card"], [50, 25, 10, 15]),
}


def _reference(rng: random.Random) -> str:
    """A bank transfer's reference."""
    if rng.random() < 0.3:
        return f"Interbanking {rng.randrange(10_000_000, 99_999_999)}"
    return f"Transferencia {rng.randrange(100_000_000, 999_999_999)}"


def _certificate(rng: random.Random) -> str:
    """A withholding certificate number."""
    return f"{rng.randrange(1, 20):04d}-{rng.randrange(1, 99_999_999):08d}"


def _pick(rng: random.Random, ids: list[int], rate: float, least: int) -> set[int]:
    """A share of the ids, and at least a few of them."""
    count = min(len(ids), max(least, round(rate * len(ids))))
    return set(rng.sample(ids, count))


def _add_ledger(rng: random.Random, refs: dict, days: int = LEDGER_DAYS) -> int:
    """Each client's current account over the last months, inserted in bulk; returns the count."""
    ledger = _create_ledger_reference(refs)
    terms = ledger["terms"]
    today = local_today()
    start = today - timedelta(days=days)
    context = _context(today)
    clients = db.session.execute(
        sa.select(
            Client.id,
            Client.state,
            Client.client_type_id,
            Client.iva_condition,
            Client.collector_id,
        ).order_by(Client.id)
    ).all()
    accounts = []
    for client_id, state, type_id, iva, collector_id in clients:
        type_code = ledger["type_codes"].get(type_id, "MIN")
        habits = _habits(rng, state, type_code, today)
        if habits is None:
            continue
        client = _demo_client(client_id, type_code, iva, collector_id)
        own = None
        if habits.kind == "cash":
            own = "CONT" if type_code != "CON" else None
        elif type_code in OWN_CONDITIONS and rng.random() < OWN_CONDITION_SHARE:
            codes, weights = OWN_CONDITIONS[type_code]
            own = rng.choices(codes, weights)[0]
        accounts.append([client, habits, own])
    on_credit = [a[0].id for a in accounts if a[1].kind in ("prompt", "slow", "partial")]
    chosen = {}
    for name, (rate, least) in FEATURES.items():
        chosen[name] = _pick(rng, on_credit, rate, least)
        if name == "overdue":  # the other features need a client who still pays
            on_credit = [ident for ident in on_credit if ident not in chosen[name]]
    rows = LedgerRows()
    for client, habits, own in accounts:
        features = {name for name, ids in chosen.items() if client.id in ids}
        if "overdue" in features:
            habits = _stopped(rng, today, 20, long_ago=True)
        default = TYPE_TERMS[client.type_code][2]
        account = DemoAccount(rng, rows, client, terms[own or default], habits, features, context)
        account.run(start, today)
        if len(rows.documents) >= BATCH * 10:
            rows.flush()
    rows.finish()
    _update_clients(
        [{"cid": a[0].id, "condition": terms[a[2]].id} for a in accounts if a[2]],
        [{"cid": cid} for cid in chosen["usd"]],
    )
    return rows.written


def _context(today: date) -> dict:
    """What every simulated account shares: the office user, the card plans and today."""
    office_id = db.session.scalar(sa.select(User.id).where(User.username == "oficina"))
    plans = db.session.execute(
        sa.select(CardPlan.id, CardPlan.installments).order_by(CardPlan.id)
    ).all()
    return {"office_id": office_id, "plans": [tuple(plan) for plan in plans], "today": today}


def _demo_client(
    client_id: int, type_code: str, iva: str | None, collector_id: int | None
) -> DemoClient:
    """A client as the simulation sees it, with the invoice letter the company issues it."""
    invoice = invoice_class(current_app.config["COMPANY_IVA_CONDITION"], iva)
    return DemoClient(
        client_id,
        type_code,
        invoice.letter if invoice else "B",
        iva == "Responsable Inscripto",
        collector_id,
    )


def load_account_history(client: Client, documents: int, seed: int = 1, years: int = 5) -> int:
    """Years of history for one big client, about `documents` documents (for benchmarks).

    Several invoices a day on the client's terms (30 days if it has none), paid at weekly
    visits some weeks late; written in bulk like the demo. Returns the count written.
    """
    rng = random.Random(seed)
    today = local_today()
    days = 365 * years
    condition = client_sale_condition(client) or db.session.scalar(
        sa.select(SaleCondition).where(SaleCondition.code == "30D")
    )
    terms = Terms(condition.id, condition.rule, condition.installments)
    visits = 7
    # about 5% more credit and debit notes than invoices, and a receipt a visit
    cadence = days / max(1, (documents - days / visits) / 1.05)
    type_code = client.client_type.code if client.client_type else "SUP"
    demo = _demo_client(client.id, type_code, client.iva_condition, client.collector_id)
    rows = LedgerRows()
    account = DemoAccount(
        rng, rows, demo, terms, Habits("slow", cadence, visits, 20), set(), _context(today)
    )
    account.run(today - timedelta(days=days), today)
    rows.finish()
    _set_last_dates(client.id)
    return rows.written


def _update_clients(conditions: list[dict], foreign: list[dict]) -> None:
    """Clients' own sale conditions, foreign currency, and last sale and receipt dates."""
    table = Client.__table__
    connection = db.session.connection()
    if conditions:
        connection.execute(
            table.update()
            .where(table.c.id == sa.bindparam("cid"))
            .values(sale_condition_id=sa.bindparam("condition")),
            conditions,
        )
    if foreign:
        connection.execute(
            table.update()
            .where(table.c.id == sa.bindparam("cid"))
            .values(foreign_currency_allowed=True),
            foreign,
        )
    _set_last_dates()


def _set_last_dates(client_id: int | None = None) -> None:
    """Last sale and receipt dates from the documents still standing (one client or all)."""
    table = Client.__table__
    documents = Document.__table__

    def latest(kind: str):
        return (
            sa.select(sa.func.max(documents.c.date))
            .where(
                documents.c.client_id == table.c.id,
                documents.c.kind == kind,
                documents.c.state != VOID,
            )
            .scalar_subquery()
        )

    update = table.update().values(
        last_sale_date=latest(DocumentKind.INVOICE),
        last_receipt_date=latest(DocumentKind.RECEIPT),
    )
    if client_id is not None:
        update = update.where(table.c.id == client_id)
    db.session.connection().execute(update)


# --- credit control -----------------------------------------------------------------------------

POLICY_CATEGORIES = [("MAY", "Mayoristas"), ("MIN", "Minoristas"), ("ESP", "Especiales")]
# code, name, category, money limit in pesos, unpaid documents, days of the oldest unpaid one.
# Age counts from the invoice date: on 30-day terms collected at monthly visits an invoice
# is normally 30 to 60 days old when paid, so the age limits leave that room.
CREDIT_POLICIES = [
    ("KIOSCO", "Kiosco estándar", "MIN", 300_000, 3, 60),
    ("MINORISTA", "Minorista", "MIN", 800_000, 4, 75),
    ("MINAMPL", "Minorista ampliado", "MIN", 1_500_000, 5, 90),
    ("MAYORISTA", "Mayorista", "MAY", 5_000_000, None, 90),
    ("SUPER", "Supermercado", "MAY", 15_000_000, None, 90),
    ("CONTRADOC", "Contra-documento", "ESP", None, 1, None),
    ("REDUCIDO", "Crédito reducido", "ESP", 100_000, 2, 45),
]
# client type -> its policy; cash clients have no current account, so no policy
TYPE_POLICIES = {"KIO": "KIOSCO", "MIN": "MINORISTA", "MAY": "MAYORISTA", "SUP": "SUPER"}
# Some clients have a policy of their own (codes and weights), by type: the office cuts the
# credit of slow payers and widens it for good ones.
OWN_POLICIES = {
    "KIO": (["CONTRADOC", "REDUCIDO", "MINORISTA"], [3, 3, 4]),
    "MIN": (["CONTRADOC", "REDUCIDO", "MINAMPL"], [2, 3, 5]),
    "MAY": (["CONTRADOC", "SUPER"], [3, 7]),
    "SUP": (["MAYORISTA"], [1]),
}
OWN_POLICY_SHARE = 0.10
# active clients whose debt is over the reduced limit: their credit was cut (share, fewest)
OVER_LIMIT = (0.005, 3)
# name, username or role, limits it overrides, excess ($, %), extra documents, extra days
CREDIT_BANDS = [
    ("Supervisión de ventas", "supervisor", None, "money documents age", 200_000, 20, 1, 15),
    ("Administración", None, Role.ADMIN, "money documents age", None, None, None, None),
]


def _add_credit(rng: random.Random) -> None:
    """Credit policies by client type, some clients with their own, and the approvers' bands."""
    categories = {code: PolicyCategory(code=code, name=name) for code, name in POLICY_CATEGORIES}
    db.session.add_all(categories.values())
    policies = {
        code: CreditPolicy(
            code=code,
            name=name,
            category=categories[category],
            money_limit=None if money is None else D(money),
            max_documents=documents,
            max_age_days=days,
        )
        for code, name, category, money, documents, days in CREDIT_POLICIES
    }
    db.session.add_all(policies.values())
    db.session.flush()
    types = {t.id: t for t in db.session.scalars(sa.select(ClientType))}
    for client_type in types.values():
        code = TYPE_POLICIES.get(client_type.code)
        client_type.credit_policy_id = policies[code].id if code else None
    users = {u.username: u.id for u in db.session.scalars(sa.select(User))}
    for name, username, role, kinds, excess, pct, documents, days in CREDIT_BANDS:
        db.session.add(
            CreditBand(
                name=name,
                user_id=users[username] if username else None,
                role=role,
                money="money" in kinds,
                documents="documents" in kinds,
                age="age" in kinds,
                max_excess=None if excess is None else D(excess),
                max_excess_pct=None if pct is None else D(pct),
                max_extra_documents=documents,
                max_extra_days=days,
            )
        )
    db.session.flush()
    own = _own_policies(rng, {ident: t.code for ident, t in types.items()})
    if own:
        db.session.connection().execute(
            Client.__table__.update()
            .where(Client.__table__.c.id == sa.bindparam("cid"))
            .values(credit_policy_id=sa.bindparam("policy")),
            [{"cid": cid, "policy": policies[code].id} for cid, code in sorted(own.items())],
        )


def _own_policies(rng: random.Random, type_codes: dict[int, str]) -> dict[int, str]:
    """Client id -> the code of its own policy: a share at random, and a few over their limit.

    The clients over the limit are active retail clients whose debt (in pesos) is above the
    reduced policy's money limit, so the demo has orders the money limit blocks.
    """
    clients = db.session.execute(
        sa.select(Client.id, Client.client_type_id, Client.state).order_by(Client.id)
    ).all()
    eligible = [
        (ident, type_codes[t]) for ident, t, _ in clients if type_codes.get(t) in OWN_POLICIES
    ]
    own = {}
    count = min(len(eligible), round(OWN_POLICY_SHARE * len(clients)))
    for ident, type_code in rng.sample(eligible, count):
        codes, weights = OWN_POLICIES[type_code]
        own[ident] = rng.choices(codes, weights)[0]
    reduced = next(p[3] for p in CREDIT_POLICIES if p[0] == "REDUCIDO")
    debts = dict(
        db.session.execute(
            sa.select(Document.client_id, sa.func.sum(Document.sign * Document.open_amount))
            .where(Document.currency == "ARS", Document.state.in_((OPEN, PARTLY_PAID)))
            .group_by(Document.client_id)
        ).all()
    )
    retail = [
        ident
        for ident, t, state in clients
        if state == ClientState.ACTIVE
        and type_codes.get(t) in ("KIO", "MIN")
        and (debts.get(ident) or 0) > reduced
    ]
    share, least = OVER_LIMIT
    for ident in _pick(rng, retail, share, least):
        own[ident] = "REDUCIDO"
    return own
