"""Demo credit control: policies by client type, some clients with their own, the approvers'
bands.
"""

import random
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import Role, User
from app.clients.models import Client, ClientState
from app.clients.reference import ClientType
from app.credit.models import CreditBand, CreditPolicy, PolicyCategory
from app.demo.ledger import pick
from app.demo.ledger_rows import OPEN, PARTLY_PAID
from app.extensions import db
from app.ledger.models import Document

D = Decimal

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


def add_credit(rng: random.Random) -> None:
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
    for ident in pick(rng, retail, share, least):
        own[ident] = "REDUCIDO"
    return own
