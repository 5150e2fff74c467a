"""Demo exchange rates (a month of USD, today included) and the card issuers' company data."""

from datetime import timedelta

import sqlalchemy as sa

from app.core.types import local_today, utcnow
from app.demo.accounts import usd_rate
from app.extensions import db
from app.ledger.models import CardIssuer
from app.rates.models import ExchangeRate

RATE_DAYS = 31
# code -> company name, address, IVA condition, CUIT, IIBB, supplier account, bank, contact
ISSUERS = {
    "VISA": (
        "Prisma Medios de Pago S.A.", "Av. Corrientes 1437, CABA", "30-59891004-5",
        "901-915230-4", "2.1.1.05.001", "Banco de la Nación Argentina",
        "Comercios Visa, 0810-666-3368",
    ),
    "MASTER": (
        "First Data Cono Sur S.R.L.", "Av. Ingeniero Huergo 1189, CABA", "30-71190230-5",
        "901-208734-1", "2.1.1.05.002", "Banco Santander Argentina",
        "Atención a comercios, 0810-999-2000",
    ),
    "NARANJA": (
        "Tarjeta Naranja S.A.U.", "La Tablada 451, Córdoba", "30-68537634-9",
        "904-234567-1", "2.1.1.05.010", "Banco de Galicia y Buenos Aires",
        "Liquidaciones, 0810-333-6272",
    ),
    "CABAL": (
        "Cabal Cooperativa de Provisión de Servicios Ltda.", "Sarmiento 1441, CABA",
        "30-52311180-5", "901-117745-2", "2.1.1.05.020", "Banco Credicoop",
        "comercios@cabal.coop",
    ),
}  # fmt: skip


def add_demo_rates() -> int:
    """The USD rate of each of the last 31 days, today included (the same curve the demo's
    dollar documents use); returns how many."""
    today = local_today()
    now = utcnow()
    rows = [
        {
            "date": day,
            "currency": "USD",
            "rate": usd_rate(day),
            "created_at": now,
            "updated_at": now,
        }
        for day in (today - timedelta(days=back) for back in range(RATE_DAYS))
    ]
    db.session.execute(sa.insert(ExchangeRate), rows)
    return len(rows)


def add_issuer_details() -> None:
    """The company behind each demo card, as its settlements name it."""
    for issuer in db.session.scalars(sa.select(CardIssuer)):
        if issuer.code not in ISSUERS:
            continue
        name, address, cuit, iibb, account, bank, contact = ISSUERS[issuer.code]
        issuer.legal_name, issuer.address = name, address
        issuer.iva_condition = "Responsable Inscripto"
        issuer.tax_id = cuit.replace("-", "")
        issuer.iibb_number, issuer.supplier_account = iibb, account
        issuer.bank, issuer.contact = bank, contact
    db.session.flush()
