"""Demo users and the reference tables clients point to: zones, client types, price lists,
channels, transports, segments, categories, families and custom attributes.
"""

from app.auth.models import Role, User
from app.auth.services import hash_password
from app.clients.models import CustomAttribute
from app.clients.reference import Category, Channel, ClientType, Family, Segment, Transport, Zone
from app.demo import names
from app.extensions import db
from app.orders.models import PriceList

DEMO_PASSWORD = "demo1234"

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
SHOP_SIZES = [
    "Hasta 20 m²",
    "20 a 50 m²",
    "50 a 100 m²",
    "100 a 200 m²",
    "200 a 500 m²",
    "Más de 500 m²",
]
FAMILIES = ["Grupo Gómez Hnos.", "Supermercados Del Centro"]


def create_reference_data() -> dict:
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
    # The visit day is the client's visit plan (app/clients/visit_plan.py), not an attribute.
    db.session.add(
        CustomAttribute(name="Superficie del local", kind="choice", choices=SHOP_SIZES, position=1)
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
