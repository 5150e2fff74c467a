"""Which limits apply and why: a client's own limits, a family's shared limit, and policies
assigned to families, categories, segments and zones (service, card page and API)."""

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Category, Family, Segment
from app.core.types import utcnow
from app.credit import services as credit
from app.credit.models import CreditBand, CreditPolicy
from app.credit.rules import Limits
from app.extensions import db
from app.orders.models import Order
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)
from tests.api.test_orders import body
from tests.credit.test_card import block, line
from tests.orders.helpers import price_list, product


def make_policy(code: str, **fields) -> CreditPolicy:
    """A credit policy named after its code, with these limits."""
    policy = CreditPolicy(code=code, name=fields.pop("name", code), **fields)
    db.session.add(policy)
    db.session.flush()
    return policy


def make_family(name: str = "Grupo Sur", **fields) -> Family:
    family = Family(name=name, **fields)
    db.session.add(family)
    db.session.flush()
    return family


@pytest.fixture
def office(login_as):
    return login_as("backoffice")


# --- service ---------------------------------------------------------------------------------


def test_policies_of_the_clients_groups_apply_in_the_documented_order(app):
    kind = factories.make_client_type(
        credit_policy_id=make_policy("TIPO", max_documents=3).id, name="Minorista"
    )
    zone = factories.make_zone(
        name="Norte", credit_policy_id=make_policy("ZONA", max_age_days=30).id
    )
    segment = Segment(level=1, code="SUP", name="Supermercados")
    segment.credit_policy_id = make_policy("SEG", money_limit=Decimal("200000")).id
    category = Category(scheme=1, code="KIO", name="Kioscos")
    category.credit_policy_id = make_policy("CAT", max_documents=1).id
    family = make_family(credit_policy_id=make_policy("FAM", max_age_days=60).id)
    db.session.add_all([segment, category])
    db.session.flush()
    client = factories.make_client(client_type_id=kind.id, sales_zone_id=zone.id)

    def applied():
        db.session.flush()
        db.session.expire(client)
        found = credit.applied_limits(client)
        return found.policy and (found.policy.source, found.policy.holder), found.sources

    assert applied() == (("zone", "Norte"), {"age_days": "zone"})
    client.segment1_id = segment.id
    assert applied() == (("segment", "Supermercados"), {"money": "segment"})
    client.category1_id = category.id
    assert applied() == (("category", "Kioscos"), {"documents": "category"})
    client.family_id = family.id
    assert applied() == (("family", "Grupo Sur"), {"age_days": "family"})
    client.credit_policy_id = make_policy("PROPIA", money_limit=Decimal("1")).id
    assert applied() == (("client", ""), {"money": "client"})
    # a group's policy taken out of use gives way to the next one
    client.credit_policy_id = None
    family.credit_policy.deleted_at = utcnow()
    assert applied() == (("category", "Kioscos"), {"documents": "category"})
    assert credit.snapshot(client).limits == Limits(documents=1)


def test_own_limits_override_the_policy_one_by_one_and_are_audited(app):
    kind = factories.make_client_type(
        credit_policy_id=make_policy("TIPO", money_limit=Decimal("50000"), max_documents=3).id
    )
    client = factories.make_client(client_type_id=kind.id)
    assert credit.set_own_limits(client, Limits(money=Decimal("80000.00"))) is True
    assert credit.snapshot(client).limits == Limits(Decimal("80000.00"), 3, None)
    assert credit.applied_limits(client).sources == {"money": "own", "documents": "type"}
    assert credit.set_own_limits(client, Limits(money=Decimal("80000"))) is False
    db.session.commit()
    [row] = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "client.credit_limits")
    ).all()
    assert (row.entity_type, row.entity_id) == ("client", str(client.id))
    # the audit log keeps what changed
    assert (row.before, row.after) == ({"money": None}, {"money": "80000.00"})


def test_a_familys_shared_limit_counts_every_members_exposure(app):
    family = make_family(credit_limit=Decimal("10000"))
    one = factories.make_client(family_id=family.id)
    other = factories.make_client(family_id=family.id)
    trashed = factories.make_client(family_id=family.id)
    factories.make_client()  # not in the family
    factories.post_document(one, amount="3000")
    factories.post_document(other, amount="6500")
    factories.post_document(trashed, amount="99999")
    trashed.deleted_at = utcnow()
    snap = credit.snapshot(one)
    assert (snap.family.name, snap.family.money, snap.family.others) == (
        "Grupo Sur",
        Decimal("10000"),
        Decimal("6500.00"),
    )
    allowed = credit.decision(one, Decimal("500"), "current_account")
    assert allowed.allowed
    over = credit.decision(one, Decimal("600"), "current_account")
    [failure] = over.failures
    assert (failure.kind, failure.current, failure.after, failure.excess) == (
        "money",
        Decimal("9500.00"),
        Decimal("10100.00"),
        Decimal("100.00"),
    )
    assert failure.message == "Supera el límite de la familia Grupo Sur en $ 100 (límite $ 10.000)"
    # a family without a shared limit adds nothing
    family.credit_limit = None
    assert credit.snapshot(one).family is None


def test_an_order_over_the_familys_limit_is_kept_blocked(api):  # noqa: F811
    seller = api("salesperson")
    prices = price_list()
    family = make_family(credit_limit=Decimal("1000"))
    client = factories.make_client(
        salesperson_id=seller.user.id, price_list_id=prices.id, family_id=family.id
    )
    sister = factories.make_client(family_id=family.id)
    factories.post_document(sister, amount="900")
    item = product("GAL", "100", prices, tax_rate=Decimal("21"))
    db.session.add(CreditBand(name="Todo", role="supervisor", money=True))
    db.session.commit()
    answer = seller.post("/api/v1/orders", json=body(client, item))
    assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "blocked"
    [money] = answer.json["credit"]["failures"]
    assert (money["limit"], money["current"], money["after"], money["excess"]) == (
        "1000.00",
        "900.00",
        "1142.00",
        "142.00",
    )
    assert "de la familia Grupo Sur" in money["message"]
    assert db.session.get(Order, answer.json["id"]).status == "blocked"


# --- the card --------------------------------------------------------------------------------


def test_the_card_says_which_limit_applies_and_why(office):
    zone = factories.make_zone(
        name="Norte",
        credit_policy_id=make_policy(
            "ZN", name="Norte a 30 días", money_limit=Decimal("5000"), max_age_days=30
        ).id,
    )
    family = make_family(credit_limit=Decimal("20000"))
    client = factories.make_client(
        sales_zone_id=zone.id, family_id=family.id, credit_max_documents=2
    )
    sister = factories.make_client(family_id=family.id)
    factories.post_document(client, amount="1000")
    factories.post_document(sister, amount="4000")
    db.session.commit()
    html = block(office, client.id)
    assert "Norte a 30 días" in html and "política de la zona Norte" in html
    assert line(html, "Disponible") == "- | $\u00a04.000,00 de $\u00a05.000,00"
    assert line(html, "Disponible de la familia") == "- | $\u00a015.000,00 de $\u00a020.000,00"
    assert line(html, "Facturas impagas") == "- | 1 de 2"
    sources = re.findall(r'<dd class="credit-source">([^<]*)</dd>', html)
    assert sources == [
        "política de la zona Norte",
        "límite de la familia Grupo Sur",
        "límite propio",
        "política de la zona Norte",
    ]


def test_own_limits_without_a_policy_show_as_the_clients_own(office):
    client = factories.make_client(credit_money_limit=Decimal("700"))
    db.session.commit()
    html = block(office, client.id)
    assert "Límite propio" in html and "Sin límite de crédito" not in html
    assert line(html, "Disponible") == "- | $\u00a0700,00 de $\u00a0700,00"


def test_the_back_office_sets_own_limits_on_their_page(office):
    client = factories.make_client(credit_policy_id=make_policy("P", max_documents=3).id)
    db.session.commit()
    page = office.get(f"/credit/clients/{client.id}/limits")
    assert page.status_code == 200 and "Límites de crédito propios" in page.get_data(as_text=True)
    answer = office.submit(
        f"/credit/clients/{client.id}/limits", money="150.000,50", documents="", age_days="45"
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/clients/{client.id}#credit")
    db.session.expire_all()
    assert credit.own_limits(client) == Limits(Decimal("150000.50"), None, 45)
    assert "límite propio" in block(office, client.id)


def test_bad_own_limits_are_refused_on_the_form_and_nothing_changes(office):
    client = factories.make_client()
    db.session.commit()
    answer = office.submit(
        f"/credit/clients/{client.id}/limits", money="-5", documents="mil", age_days="99999"
    )
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "No puede ser negativo." in html and "Entre 0 y 3650." in html
    db.session.expire_all()
    assert credit.own_limits(client) == Limits()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "client.credit_limits"
    )) == 0  # fmt: skip


def test_a_salesperson_cannot_set_own_limits(login_as):
    seller = login_as("salesperson")
    client = factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    assert seller.get(f"/credit/clients/{client.id}/limits").status_code == 403
    assert "Límites propios" not in block(seller, client.id)


def test_the_admin_assigns_a_policy_and_a_shared_limit_to_a_family(login_as):
    admin = login_as("admin")
    policy = make_policy("FAM", name="Grupos", max_age_days=60)
    db.session.commit()
    answer = admin.submit(
        "/admin/reference/families/new", name="Hermanos Díaz", credit_policy_id=str(policy.id),
        credit_limit="250.000",
    )  # fmt: skip
    assert answer.status_code == 303, answer.get_data(as_text=True)
    family = db.session.scalar(sa.select(Family).where(Family.name == "Hermanos Díaz"))
    assert (family.credit_policy_id, family.credit_limit) == (policy.id, Decimal("250000.00"))
    refused = admin.submit("/admin/reference/families/new", name="Otra", credit_limit="-1")
    assert refused.status_code == 422
    assert "No puede ser negativo." in refused.get_data(as_text=True)


# --- API -------------------------------------------------------------------------------------


def test_the_credit_api_shows_the_applied_sources(api):  # noqa: F811
    seller = api("salesperson")
    kind = factories.make_client_type(
        name="Minorista", credit_policy_id=make_policy("MIN", max_documents=3).id
    )
    family = make_family(credit_limit=Decimal("5000"))
    client = factories.make_client(
        salesperson_id=seller.user.id,
        client_type_id=kind.id,
        family_id=family.id,
        credit_money_limit=Decimal("2000"),
    )
    factories.post_document(factories.make_client(family_id=family.id), amount="4500")
    db.session.commit()
    answer = seller.get(f"/api/v1/clients/{client.id}/credit?amount=600")
    assert answer.status_code == 200
    applied = answer.json["applied"]
    assert applied["money"] == {
        "limit": "2000.00", "source": "own", "holder": None, "label": "límite propio",
    }  # fmt: skip
    assert applied["documents"] == {
        "limit": 3, "source": "type", "holder": "Minorista", "label": "política del tipo Minorista",
    }  # fmt: skip
    assert applied["age_days"] is None
    assert applied["family"]["label"] == "límite de la familia Grupo Sur"
    assert applied["family_exposure"] == "4500.00"
    [failure] = answer.json["failures"]
    assert (
        failure["message"] == "Supera el límite de la familia Grupo Sur en $ 100 (límite $ 5.000)"
    )


def test_the_back_office_sets_own_limits_through_the_api_once_per_key(api):  # noqa: F811
    office = api("backoffice")
    client = factories.make_client()
    db.session.commit()
    path = f"/api/v1/clients/{client.id}/credit-limits"
    limits = {"money": "1500.50", "documents": 2, "age_days": None}
    first = office.send("PUT", path, key="limites-0001", json=limits)
    assert first.status_code == 200, first.json
    assert first.json["money"]["source"] == "own" and first.json["money"]["limit"] == "1500.50"
    again = office.send("PUT", path, key="limites-0001", json=limits)
    assert again.status_code == 200 and again.json == first.json
    other = office.send("PUT", path, key="limites-0001", json={"money": "1"})
    assert other.status_code == 422
    db.session.expire_all()
    assert credit.own_limits(client) == Limits(Decimal("1500.50"), 2, None)
    rows = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "client.credit_limits")
    ).all()
    assert len(rows) == 1


def test_bad_own_limits_through_the_api_are_refused_by_field(api):  # noqa: F811
    office = api("backoffice")
    client = factories.make_client()
    db.session.commit()
    path = f"/api/v1/clients/{client.id}/credit-limits"
    answer = office.send("PUT", path, json={"money": "-1", "documents": "dos", "age_days": 4000})
    assert answer.status_code == 422
    assert set(answer.json["error"]["fields"]) == {"money", "documents", "age_days"}
    db.session.expire_all()
    assert credit.own_limits(client) == Limits()
    seller = api("salesperson")
    assert seller.send("PUT", path, json={"money": "1"}).status_code == 403


def test_the_admin_assigns_a_policy_to_a_zone_but_not_one_out_of_use(login_as):
    admin = login_as("admin")
    policy = make_policy("ZN", name="Norte a 30 días", max_age_days=30)
    retired = make_policy("OLD", name="Vieja", deleted_at=utcnow())
    db.session.commit()
    answer = admin.submit(
        "/admin/reference/zones/new", code="NOR", name="Norte", kind="sales",
        credit_policy_id=str(policy.id),
    )  # fmt: skip
    assert answer.status_code == 303
    make_family(credit_limit=Decimal("250000"))
    db.session.commit()
    listing = admin.get("/admin/reference/families/").get_data(as_text=True)
    assert "Límite compartido" in listing and "$\u00a0250.000,00" in listing
    refused = admin.submit(
        "/admin/reference/zones/new", code="SUR", name="Sur", kind="sales",
        credit_policy_id=str(retired.id),
    )  # fmt: skip
    assert refused.status_code == 422
    db.session.expire_all()
    from app.clients.models import Zone

    zones = {z.code: z.credit_policy_id for z in db.session.scalars(sa.select(Zone))}
    assert zones == {"NOR": policy.id}
