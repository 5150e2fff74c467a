"""Demo clients: shops with their owners or companies, CUITs and routes; contacts, pickups,
addresses, notes and custom values for part of them; a supermarket chain sharing one CUIT.
"""

import random
import unicodedata

import sqlalchemy as sa
from stdnum.ar import cuit

from app.auth.models import User
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
from app.clients.prospects import create_prospect
from app.clients.reference import Family
from app.clients.rules import search_key
from app.core.changes import reserve_change_seqs
from app.demo import names
from app.demo.reference import CLIENT_TYPES, FAMILIES, SHOP_SIZES
from app.extensions import db

BATCH = 5000

CHANNEL_OF_TYPE = {"KIO": "KIO", "MIN": "MIN", "MAY": "MAY", "SUP": "MIN", "CON": "MIN"}
# The first three clients: a supermarket chain whose two branches share its CUIT.
CHAIN_NAME = "Supermercados Del Centro S.A."
CHAIN_SHOPS = [
    "Supermercado Del Centro",
    "Supermercado Del Centro (sucursal Norte)",
    "Supermercado Del Centro (sucursal Sur)",
]
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


# Shops vendedor1 registered at the door, in his zones (Zona Norte and CABA Centro): trade
# name, owner, CUIT prefix, street, city, province, where the phone was, and his note.
DOOR_PROSPECTS = [
    (
        "Almacén La Esquina de Olivos",
        "Fernández, Rosa",
        "27",
        "Av. Maipú 2450",
        "Vicente López",
        "Buenos Aires",
        ("-34.508912", "-58.487534"),
        "Atiende la dueña de 8 a 13. Pide lista de precios y cuenta corriente a 30 días.",
    ),
    (
        "Kiosco El Paso",
        "Gutiérrez, Walter",
        "20",
        "Av. Centenario 1820",
        "San Isidro",
        "Buenos Aires",
        None,
        "Quiere probar con un pedido chico de gaseosas la semana que viene.",
    ),
    (
        "Despensa Doña Rosa",
        "Romero, Nélida",
        "27",
        "Av. Rivadavia 4100",
        "Almagro",
        "Ciudad Autónoma de Buenos Aires",
        ("-34.610640", "-58.421290"),
        None,
    ),
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


def _unique_cuit(rng: random.Random, prefix: str, taken: set[str]) -> str:
    """A valid CUIT no other demo client has: among 100,000 random ones a few would repeat."""
    while (tax_id := valid_cuit(rng, prefix)) in taken:
        pass
    taken.add(tax_id)
    return tax_id


def with_unique_cuit(rng: random.Random, row: dict, taken: set[str]) -> dict:
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


def add_supermarket_chain(rng: random.Random, refs: dict, taken: set[str]) -> None:
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


def add_client_details(rng: random.Random) -> None:
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
                    "attribute_id": attributes["Superficie del local"],
                    "value": rng.choice(SHOP_SIZES),
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


def add_door_prospects(rng: random.Random, taken: set[str]) -> list[Client]:
    """The shops vendedor1 registered at the door, through the real service: potential clients
    of his, with the door's location and his note, for the back office to complete."""
    seller = db.session.scalar(sa.select(User).where(User.username == "vendedor1"))
    if seller is None:
        return []
    prospects = []
    for trade_name, owner, prefix, street, city, province, door, note in DOOR_PROSPECTS:
        latitude, longitude = door or (None, None)
        fields = {
            "trade_name": trade_name,
            "legal_name": owner,
            "tax_id": _unique_cuit(rng, prefix, taken),
            "mobile": f"11 {rng.randrange(3000, 6999)}-{rng.randrange(1000, 9999)}",
            "street": street,
            "city": city,
            "province": province,
            "latitude": latitude,
            "longitude": longitude,
            "note": note,
        }
        prospects.append(create_prospect(seller, fields))
    return prospects
