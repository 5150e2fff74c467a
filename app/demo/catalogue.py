"""Demo catalogue: the products of a food, beverage and cleaning distributor, their prices in
the demo lists, volume breaks, promotions around today, and some clients' own conditions."""

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from app.auth.models import User
from app.clients.models import Client, ClientState
from app.clients.rules import search_key
from app.core.changes import reserve_change_seqs
from app.core.types import local_today, utcnow
from app.extensions import db
from app.orders.models import ClientCondition, Price, PriceList, Product, Promotion, VolumeDiscount

D = Decimal
BATCH = 5000
# code, description, unit, IVA %, wholesale price in pesos (before IVA)
PRODUCTS = [
    # galletitas, panificados (IVA 10,5)
    ("GAL001", "Galletitas de agua Criollitas 100 g", "caja x 12", "10.5", 7450),
    ("GAL002", "Galletitas de agua Traviata 101 g", "caja x 12", "10.5", 7890),
    ("GAL003", "Galletitas Express clásicas 101 g", "caja x 12", "10.5", 7320),
    ("GAL004", "Galletitas dulces Terrabusi Variedad 300 g", "un", "10.5", 2150),
    ("GAL005", "Galletitas Oreo 118 g", "caja x 12", "10.5", 11880),
    ("GAL006", "Galletitas Pepitos con chips 118 g", "caja x 12", "10.5", 11340),
    ("GAL007", "Galletitas Chocolinas 170 g", "caja x 12", "10.5", 13200),
    ("GAL008", "Galletitas Rumba rellenas 112 g", "caja x 12", "10.5", 8760),
    ("GAL009", "Galletitas Melba 120 g", "caja x 12", "10.5", 9840),
    ("GAL010", "Galletitas Sonrisas 108 g", "caja x 12", "10.5", 8520),
    ("PAN001", "Pan lactal Fargo blanco 560 g", "un", "10.5", 2390),
    ("PAN002", "Pan lactal Bimbo integral 550 g", "un", "10.5", 2580),
    ("PAN003", "Tostadas de arroz Gallo 150 g", "un", "10.5", 1120),
    # almacén
    ("YER001", "Yerba mate Taragüí con palo 1 kg", "un", "21", 4380),
    ("YER002", "Yerba mate Playadito 1 kg", "un", "21", 4720),
    ("YER003", "Yerba mate Rosamonte 1 kg", "un", "21", 4510),
    ("YER004", "Yerba mate La Merced barbacuá 500 g", "un", "21", 2890),
    ("YER005", "Yerba mate Cruz de Malta 1 kg", "un", "21", 4260),
    ("YER006", "Yerba mate Unión suave 500 g", "un", "21", 2140),
    ("YER007", "Yerba mate Amanda 1 kg", "un", "21", 4090),
    ("ACE001", "Aceite de girasol Natura 1,5 l", "un", "21", 3420),
    ("ACE002", "Aceite de girasol Cocinero 900 ml", "un", "21", 2150),
    ("ACE003", "Aceite mezcla Cañuelas 1,5 l", "un", "21", 2980),
    ("ACE004", "Aceite de oliva extra virgen Lira 500 ml", "un", "21", 7650),
    ("ARR001", "Arroz largo fino Gallo Oro 1 kg", "un", "21", 1890),
    ("ARR002", "Arroz doble carolina Molinos Ala 1 kg", "un", "21", 1620),
    ("FID001", "Fideos tallarines Lucchetti 500 g", "un", "21", 1080),
    ("FID002", "Fideos mostachol Matarazzo 500 g", "un", "21", 1390),
    ("FID003", "Fideos spaghetti Don Vicente 500 g", "un", "21", 1560),
    ("FID004", "Fideos tirabuzón Favorita 500 g", "un", "21", 890),
    ("HAR001", "Harina de trigo 000 Pureza 1 kg", "un", "10.5", 980),
    ("HAR002", "Harina leudante Blancaflor 1 kg", "un", "10.5", 1340),
    ("HAR003", "Harina 0000 Cañuelas 1 kg", "un", "10.5", 1020),
    ("HAR004", "Premezcla para pizza Exquisita 500 g", "un", "21", 1450),
    ("AZU001", "Azúcar común Ledesma 1 kg", "un", "21", 1290),
    ("AZU002", "Azúcar Chango 1 kg", "un", "21", 1180),
    ("AZU003", "Edulcorante Hileret 250 ml", "un", "21", 2340),
    ("CAF001", "Café molido La Virginia 500 g", "un", "21", 6890),
    ("CAF002", "Café instantáneo Nescafé Dolca 170 g", "un", "21", 7430),
    ("CAF003", "Mate cocido Taragüí x 50 saquitos", "un", "21", 1560),
    ("TE0001", "Té negro La Virginia x 50 saquitos", "un", "21", 1240),
    ("DDL001", "Dulce de leche La Serenísima clásico 400 g", "un", "21", 2280),
    ("DDL002", "Dulce de leche Sancor 400 g", "un", "21", 2190),
    ("MER001", "Mermelada de durazno Arcor 454 g", "un", "21", 1980),
    ("MER002", "Mermelada de frutilla BC 390 g", "un", "21", 2460),
    ("CON001", "Tomate triturado Arcor 520 g", "caja x 12", "21", 10440),
    ("CON002", "Puré de tomate La Campagnola 520 g", "caja x 12", "21", 9960),
    ("CON003", "Atún en aceite La Campagnola 170 g", "un", "21", 2890),
    ("CON004", "Arvejas secas remojadas Inalpa 350 g", "caja x 12", "21", 8280),
    ("CON005", "Choclo amarillo en granos Arcor 300 g", "caja x 12", "21", 12360),
    ("CON006", "Duraznos en almíbar Arcor 820 g", "un", "21", 3150),
    ("ADE001", "Mayonesa Hellmann's 475 g", "un", "21", 2690),
    ("ADE002", "Mayonesa Natura 500 g", "un", "21", 2140),
    ("ADE003", "Kétchup Hellmann's 250 g", "un", "21", 1720),
    ("ADE004", "Mostaza Savora 250 g", "un", "21", 1390),
    ("ADE005", "Sal fina Celusal 500 g", "un", "21", 740),
    ("ADE006", "Vinagre de alcohol Menoyo 1 l", "un", "21", 980),
    ("ADE007", "Caldo de verdura Knorr x 12 cubos", "un", "21", 1680),
    ("POL001", "Polenta Presto Pronta 500 g", "un", "21", 1240),
    ("LEG001", "Lentejas Egran 400 g", "un", "21", 1890),
    # golosinas y snacks
    ("GOL001", "Alfajor Jorgito chocolate 55 g", "caja x 12", "21", 8640),
    ("GOL002", "Alfajor Guaymallén dulce de leche 38 g", "caja x 12", "21", 4320),
    ("GOL003", "Alfajor Capitán del Espacio 70 g", "caja x 12", "21", 10680),
    ("GOL004", "Bombones Bon o Bon x 30", "un", "21", 9870),
    ("GOL005", "Mantecol 110 g", "caja x 12", "21", 22680),
    ("GOL006", "Rocklets 40 g", "caja x 12", "21", 9360),
    ("GOL007", "Chicles Beldent menta x 20", "un", "21", 5940),
    ("GOL008", "Caramelos Sugus x 150", "un", "21", 6480),
    ("SNK001", "Papas fritas Lay's clásicas 134 g", "un", "21", 2680),
    ("SNK002", "Papas fritas Pehuamar 140 g", "un", "21", 2140),
    ("SNK003", "Palitos salados Pehuamar 100 g", "un", "21", 1320),
    ("SNK004", "Maní salado Pehuamar 120 g", "un", "21", 1190),
    # bebidas
    ("GAS001", "Gaseosa Coca-Cola 2,25 l", "pack x 6", "21", 21780),
    ("GAS002", "Gaseosa Coca-Cola Zero 2,25 l", "pack x 6", "21", 21780),
    ("GAS003", "Gaseosa Sprite 2,25 l", "pack x 6", "21", 19140),
    ("GAS004", "Gaseosa Fanta naranja 2,25 l", "pack x 6", "21", 19140),
    ("GAS005", "Gaseosa Pepsi 2 l", "pack x 6", "21", 16920),
    ("GAS006", "Gaseosa 7Up 1,5 l", "pack x 6", "21", 12840),
    ("GAS007", "Gaseosa Manaos cola 2,25 l", "pack x 6", "21", 8940),
    ("GAS008", "Gaseosa Secco pomelo 3 l", "pack x 6", "21", 10260),
    ("GAS009", "Gaseosa Coca-Cola lata 354 ml", "pack x 6", "21", 6840),
    ("AGU001", "Agua mineral Villavicencio 1,5 l", "pack x 6", "21", 7380),
    ("AGU002", "Agua mineral Eco de los Andes 1,5 l", "pack x 6", "21", 6720),
    ("AGU003", "Agua con gas Villa del Sur 1,5 l", "pack x 6", "21", 6960),
    ("AGU004", "Agua saborizada Levité pomelo 1,5 l", "pack x 6", "21", 9120),
    ("JUG001", "Jugo Cepita naranja 1 l", "pack x 6", "21", 10980),
    ("JUG002", "Jugo en polvo Tang naranja 15 g", "caja x 12", "21", 3960),
    ("JUG003", "Jugo Baggio multifruta 1 l", "pack x 6", "21", 7740),
    ("CER001", "Cerveza Quilmes Clásica 1 l", "pack x 6", "21", 13560),
    ("CER002", "Cerveza Brahma lata 473 ml", "pack x 6", "21", 8940),
    ("CER003", "Cerveza Stella Artois 975 ml", "pack x 6", "21", 17880),
    ("CER004", "Cerveza Andes Origen rubia lata 473 ml", "pack x 6", "21", 10320),
    ("VIN001", "Vino tinto Toro clásico 1 l", "caja x 12", "21", 21600),
    ("VIN002", "Vino blanco Termidor 1 l", "caja x 12", "21", 19560),
    ("VIN003", "Vino Malbec Santa Julia 750 ml", "caja x 12", "21", 54600),
    ("VIN004", "Vino Malbec Alma Mora 750 ml", "caja x 12", "21", 49200),
    ("APE001", "Fernet Branca 750 ml", "un", "21", 12890),
    ("APE002", "Aperitivo Gancia 950 ml", "un", "21", 5640),
    ("ENE001", "Bebida energizante Speed 250 ml", "pack x 6", "21", 9480),
    # limpieza
    ("LIM001", "Lavandina Ayudín 1 l", "un", "21", 1180),
    ("LIM002", "Lavandina Ayudín 2 l", "un", "21", 2090),
    ("LIM003", "Lavandina en gel Querubín 700 ml", "un", "21", 1540),
    ("LIM004", "Detergente Magistral limón 500 ml", "un", "21", 2380),
    ("LIM005", "Detergente Ala 750 ml", "un", "21", 1890),
    ("LIM006", "Jabón en polvo Skip 800 g", "un", "21", 5430),
    ("LIM007", "Jabón líquido Ala 3 l", "un", "21", 9870),
    ("LIM008", "Suavizante Vivere 900 ml", "un", "21", 2640),
    ("LIM009", "Limpiador cremoso Cif 750 g", "un", "21", 2980),
    ("LIM010", "Limpiador Mr Músculo baño 500 ml", "un", "21", 3450),
    ("LIM011", "Limpiador de pisos Poett lavanda 900 ml", "un", "21", 1640),
    ("LIM012", "Limpiador Procenex 900 ml", "un", "21", 1490),
    ("LIM013", "Esponja Mortimer doble uso", "caja x 12", "21", 6720),
    ("LIM014", "Insecticida Raid mata moscas 360 cm3", "un", "21", 4980),
    ("LIM015", "Bolsas de residuo 50 x 70 x 10", "un", "21", 1120),
    ("PAP001", "Papel higiénico Higienol 4 x 30 m", "un", "21", 2260),
    ("PAP002", "Papel higiénico Elite doble hoja 4 x 30 m", "un", "21", 3190),
    ("PAP003", "Rollo de cocina Sussex x 3", "un", "21", 2840),
    ("PAP004", "Servilletas Elite x 70", "un", "21", 890),
    # perfumería
    ("PER001", "Jabón de tocador Dove 90 g", "caja x 12", "21", 18960),
    ("PER002", "Jabón de tocador Rexona 125 g", "caja x 12", "21", 11520),
    ("PER003", "Shampoo Sedal 340 ml", "un", "21", 3290),
    ("PER004", "Crema dental Colgate 90 g", "un", "21", 1840),
    ("PER005", "Desodorante Rexona aerosol 150 ml", "un", "21", 3560),
    ("PER006", "Desodorante Axe aerosol 150 ml", "un", "21", 3890),
    ("PER007", "Pañales Pampers Confortsec G x 36", "un", "21", 18900),
]
# What the company pays for a product, as a share of its wholesale price, by product family.
COST_SHARES = {"GAL": 72, "PAN": 70, "GAS": 78, "AGU": 74, "CER": 76, "VIN": 68, "APE": 70}
DEFAULT_COST_SHARE = 66


def product_cost(code: str, price: int) -> Decimal:
    """A product's unit cost in pesos: its family's share of the wholesale price, give or take."""
    share = COST_SHARES.get(code[:3], DEFAULT_COST_SHARE) + int(code[3:]) % 5 - 2
    return _money(D(price) * share / 100)


# The retail list sells 22 % above the wholesale one; the dollar list at about 1150 $/US$.
RETAIL_MARKUP = D("1.22")
DOLLAR = D("1150")
# Products also priced in dollars in the peso lists (for clients who buy in dollars).
DOLLAR_PRICED = ["ACE004", "CAF002", "VIN003", "VIN004", "APE001", "PER001", "PER007", "LIM007"]
# Quantity breaks: product codes and (minimum, percent) steps.
BREAK_STEPS = [
    (["GAL001", "GAL002", "GAL003", "GAL005", "GAL007"], [(5, 3), (10, 6)]),
    (["YER001", "YER002", "YER003", "YER005"], [(12, 4), (30, 7)]),
    (["GAS001", "GAS003", "GAS004", "GAS007"], [(10, 5), (25, 8)]),
    (["LIM001", "LIM002", "LIM006"], [(24, 5)]),
    (["ACE001", "ACE003", "AZU001", "ARR001"], [(20, 3), (50, 6)]),
]
# name, product code, percent, starts and ends in days from today
PROMOTIONS = [
    ("Promo galletitas 3x2", "GAL004", "33.33", -10, 20),
    ("Promo galletitas 3x2", "GAL008", "33.33", -10, 20),
    ("Yerba Playadito: la segunda al 50 %", "YER002", "25", -3, 11),
    ("Semana de la limpieza", "LIM001", "15", -2, 5),
    ("Semana de la limpieza", "LIM009", "15", -2, 5),
    ("Verano Coca-Cola", "GAS001", "10", 5, 40),
    ("Hot Sale aceites", "ACE001", "12", -45, -30),
]
# A share of the active clients has its own conditions; a third of them with some history.
CONDITION_SHARE = 0.05
HISTORY_SHARE = 0.35
REASONS = [
    "Acuerdo anual de compras",
    "Igualamos el precio de la competencia",
    "Compra por volumen todos los meses",
    "Cliente nuevo: bienvenida",
    "Paga siempre de contado",
    "Pedido de la supervisión de ventas",
]


def _money(amount: Decimal) -> Decimal:
    """Round a price to cents."""
    return amount.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def _insert(model: type, rows: list[dict]) -> None:
    """Insert synced rows in batches, each with its change sequence number."""
    table = model.__table__
    connection = db.session.connection()
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        seqs = reserve_change_seqs(connection, len(chunk))
        for row, seq in zip(chunk, seqs, strict=True):
            row["change_seq"] = seq
        connection.execute(table.insert(), chunk)


def add_demo_catalogue(seed: int | random.Random = 1, today: date | None = None) -> dict:
    """Write the demo catalogue over the demo price lists and clients; returns the counts."""
    rng = seed if isinstance(seed, random.Random) else random.Random(f"catalogue-{seed}")
    today = today or local_today()
    _insert(
        Product,
        [
            {
                "code": code,
                "description": description,
                "unit": unit,
                "tax_rate": D(rate),
                "active": True,
                "cost": product_cost(code, price),
                "search_text": search_key(code, description),
            }
            for code, description, unit, rate, price in PRODUCTS
        ],
    )
    products = dict(db.session.execute(sa.select(Product.code, Product.id)).all())
    base = {code: D(price) for code, *_rest, price in PRODUCTS}
    prices = _prices(products, base)
    _insert(Price, prices)
    breaks = [
        {"product_id": products[code], "min_quantity": D(minimum), "discount_pct": D(pct)}
        for codes, steps in BREAK_STEPS
        for code in codes
        for minimum, pct in steps
    ]
    _insert(VolumeDiscount, breaks)
    _insert(
        Promotion,
        [
            {
                "name": name,
                "product_id": products[code],
                "discount_pct": D(pct),
                "valid_from": today + timedelta(days=starts),
                "valid_to": today + timedelta(days=ends),
            }
            for name, code, pct, starts, ends in PROMOTIONS
        ],
    )
    conditions = _conditions(rng, products, base, today)
    _insert(ClientCondition, conditions)
    return {
        "products": len(products),
        "prices": len(prices),
        "breaks": len(breaks),
        "promotions": len(PROMOTIONS),
        "conditions": len(conditions),
    }


def _prices(products: dict[str, int], base: dict[str, Decimal]) -> list[dict]:
    """Every product in every demo list, in the list's currency; a few in dollars too."""
    lists = db.session.execute(sa.select(PriceList.id, PriceList.code, PriceList.currency)).all()
    rows = []
    for list_id, code, currency in lists:
        markup = RETAIL_MARKUP if code == "MIN" else D("1")
        for product_code, product_id in products.items():
            pesos = base[product_code] * markup
            if currency == "USD":
                rows.append(_price_row(list_id, product_id, "USD", pesos / DOLLAR))
                continue
            rows.append(_price_row(list_id, product_id, currency, pesos))
            if product_code in DOLLAR_PRICED:
                rows.append(_price_row(list_id, product_id, "USD", pesos / DOLLAR))
    return rows


def _price_row(list_id: int, product_id: int, currency: str, amount: Decimal) -> dict:
    """One price row."""
    return {
        "price_list_id": list_id,
        "product_id": product_id,
        "currency": currency,
        "price": _money(amount),
    }


def _conditions(
    rng: random.Random, products: dict[str, int], base: dict[str, Decimal], today: date
) -> list[dict]:
    """Own conditions for a share of the active clients: a discount on everything, a discount
    on one product or a special price; some replaced an earlier one that ended."""
    clients = db.session.execute(
        sa.select(Client.id, Client.currency)
        .where(Client.state == ClientState.ACTIVE, Client.deleted_at.is_(None))
        .order_by(Client.id)
    ).all()
    if not clients:
        return []
    author = db.session.scalar(sa.select(User.id).where(User.username == "oficina"))
    boss = db.session.scalar(sa.select(User.id).where(User.username == "supervisor"))
    codes = sorted(products)
    chosen = rng.sample(clients, max(1, round(CONDITION_SHARE * len(clients))))
    now = utcnow()
    rows = []
    for client_id, currency in sorted(chosen):
        product = rng.choice(codes)
        kind = rng.choices(["all", "product", "price"], weights=[5, 3, 2])[0]
        if kind == "price" and currency != "ARS":
            kind = "product"
        started = today - timedelta(days=rng.randrange(20, 300))
        common = {"client_id": client_id, "created_by_id": rng.choice([author, boss])}
        if rng.random() < HISTORY_SHARE:
            earlier = started - timedelta(days=rng.randrange(60, 240))
            rows.append(
                common
                | _terms(kind, product, products, base, rng, old=True)
                | {
                    "valid_from": earlier,
                    "valid_to": started - timedelta(days=1),
                    "reason": rng.choice(REASONS),
                    "created_at": now - timedelta(days=(today - earlier).days),
                }
            )
        rows.append(
            common
            | _terms(kind, product, products, base, rng, old=False)
            | {
                "valid_from": started,
                "valid_to": None,
                "reason": rng.choice(REASONS),
                "created_at": now - timedelta(days=(today - started).days),
            }
        )
    return rows


def _terms(
    kind: str,
    code: str,
    products: dict[str, int],
    base: dict[str, Decimal],
    rng: random.Random,
    old: bool,
) -> dict:
    """What a condition gives: an older one was a little less generous than its successor."""
    pct = D(rng.choice([3, 5, 5, 7, 8, 10])) - (D(2) if old else D(0))
    pct = max(pct, D(2))
    if kind == "all":
        return {"product_id": None, "special_price": None, "discount_pct": pct}
    if kind == "product":
        return {"product_id": products[code], "special_price": None, "discount_pct": pct}
    special = _money(base[code] * (1 - pct / 100))
    return {"product_id": products[code], "special_price": special, "discount_pct": None}
