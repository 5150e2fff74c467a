"""Demo credit control: policies by client type, some clients with their own, the approvers'
bands.
"""

import random
from decimal import Decimal

import sqlalchemy as sa

from app.auth.models import Role, User
from app.clients.models import Client, ClientState
from app.clients.reference import ClientType, Family, Zone
from app.credit import services as credit
from app.credit.models import CreditBand, CreditPolicy, PolicyCategory
from app.credit.rules import Limits
from app.demo.ledger import pick
from app.demo.ledger_rows import OPEN, PARTLY_PAID
from app.demo.reference import FAMILIES
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


# Where a limit comes from besides a client's type or its own policy (add_credit_sources).
ZONE_POLICY = ("Z08", "INTERIOR", "Interior a 60 días", 1_000_000, 4, 60)
FAMILY_LIMIT_FAMILY = 0  # FAMILIES[0], "Grupo Gómez Hnos.": its members share one limit
# client's own limits: (money, documents, age) for a few active clients of vendedor1
OWN_LIMITS = [(1_200_000, None, None), (None, 1, None), (600_000, None, 30)]
IVA_LIBERATIONS = [D("50"), D("100")]  # partly and wholly liberated of the IVA


def add_credit_sources(rng: random.Random) -> None:
    """A zone's policy, a family sharing one money limit, clients with limits of their own and
    clients liberated of part of the IVA (one of them a Gran Contribuyente)."""
    zone_code, code, name, money, documents, days = ZONE_POLICY
    category = db.session.scalar(sa.select(PolicyCategory).where(PolicyCategory.code == "ESP"))
    policy = CreditPolicy(
        code=code,
        name=name,
        category=category,
        money_limit=D(money),
        max_documents=documents,
        max_age_days=days,
    )
    db.session.add(policy)
    db.session.flush()
    zone = db.session.scalar(sa.select(Zone).where(Zone.code == zone_code))
    if zone is not None:
        zone.credit_policy_id = policy.id
    family = db.session.scalar(
        sa.select(Family).where(Family.name == FAMILIES[FAMILY_LIMIT_FAMILY])
    )
    members = db.session.scalars(
        sa.select(Client).where(Client.family_id == family.id).order_by(Client.id)
    ).all()
    exposure = sum((credit.snapshot(member).balance for member in members), D("0"))
    # a little room over what the members owe now, in round hundreds of thousands
    family.credit_limit = max(D(500_000), (exposure * D("1.1") / 100_000).to_integral() * 100_000)
    seller = db.session.scalar(sa.select(User.id).where(User.username == "vendedor1"))
    candidates = db.session.scalars(
        sa.select(Client)
        .where(
            Client.salesperson_id == seller,
            Client.state == ClientState.ACTIVE,
            Client.family_id.is_(None),
            Client.credit_policy_id.is_(None),
        )
        .order_by(Client.id)
    ).all()
    chosen = rng.sample(candidates, min(len(candidates), len(OWN_LIMITS) + len(IVA_LIBERATIONS)))
    for client, (money, documents, days) in zip(chosen, OWN_LIMITS, strict=False):
        credit.set_own_limits(client, Limits(None if money is None else D(money), documents, days))
    for client, pct in zip(chosen[len(OWN_LIMITS) :], IVA_LIBERATIONS, strict=False):
        client.iva_exemption_pct = pct
        client.large_taxpayer = pct < 100
    db.session.flush()
