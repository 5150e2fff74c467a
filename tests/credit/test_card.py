"""The card's credit block: the policy in force and what is left of each limit."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Client
from app.core.types import local_today, utcnow
from app.credit.models import CreditPolicy
from app.credit.status import credit_status
from app.extensions import db
from tests import factories
from tests.clients.test_card import CARD


@pytest.fixture
def office(login_as):
    return login_as("backoffice")


def make_policy(**fields) -> CreditPolicy:
    policy = CreditPolicy(**({"code": "MIN", "name": "Minoristas"} | fields))
    db.session.add(policy)
    db.session.flush()
    return policy


def block(browser, client_id: int) -> str:
    """The credit block of a client's card, or "" when the card has none."""
    page = browser.get(f"/clients/{client_id}").get_data(as_text=True)
    match = re.search(r'<section class="card credit-block".*?</section>', page, re.S)
    return match[0] if match else ""


def line(html: str, label: str) -> str:
    """One limit's row of the block: its class, label and figure, tags and spaces squeezed."""
    match = re.search(rf'<div class="([^"]*)">\s*<dt>{label}</dt>\s*<dd>(.*?)</dd>', html, re.S)
    assert match, f"no {label!r} line in {html}"
    text = re.sub(r"[ \t\n]+", " ", re.sub("<[^>]+>", " ", match[2])).strip()
    return f"{match[1] or '-'} | {text}"


def test_the_block_shows_each_limit_against_the_clients_figures(office):
    policy = make_policy(money_limit=Decimal("500000"), max_documents=2, max_age_days=30)
    client = factories.make_client(credit_policy_id=policy.id)
    factories.post_document(client, amount="380000", date=local_today() - timedelta(days=12))
    db.session.commit()
    html = block(office, client.id)
    assert "Minoristas" in html and "del tipo de cliente" not in html
    assert line(html, "Disponible") == "- | $\u00a0120.000,00 de $\u00a0500.000,00"
    assert line(html, "Facturas impagas") == "- | 1 de 2"
    assert line(html, "Factura más antigua") == "- | 12 días (máximo 30)"
    assert "credit-note" not in html


def test_a_reached_limit_shows_in_red_and_nothing_below_zero(office):
    policy = make_policy(money_limit=Decimal("1000"), max_documents=2, max_age_days=30)
    client = factories.make_client(credit_policy_id=policy.id)
    factories.post_document(client, amount="700", date=local_today() - timedelta(days=31))
    factories.post_document(client, amount="800")
    db.session.commit()
    html = block(office, client.id)
    assert line(html, "Disponible") == "reached | $\u00a00,00 de $\u00a01.000,00"
    assert line(html, "Facturas impagas") == "reached | 2 de 2"
    assert line(html, "Factura más antigua") == "reached | 31 días (máximo 30)"
    status = credit_status(client)
    assert (status.exposure, status.available) == (Decimal("1500.00"), Decimal("0"))


def test_only_the_limits_the_policy_has_are_shown(office):
    policy = make_policy(max_age_days=45)
    client = factories.make_client(credit_policy_id=policy.id)
    db.session.commit()
    html = block(office, client.id)
    assert "Disponible" not in html and "Facturas impagas" not in html
    assert line(html, "Factura más antigua") == "- | Ninguna (máximo 45 días)"


def test_a_policy_without_limits_says_so(office):
    client = factories.make_client(credit_policy_id=make_policy().id)
    db.session.commit()
    assert "Sin límites" in block(office, client.id)


def test_without_a_policy_the_block_says_there_is_no_limit(office):
    client = factories.make_client()
    retired = make_policy(money_limit=Decimal("10"), deleted_at=utcnow())
    with_retired = factories.make_client(credit_policy_id=retired.id)
    db.session.commit()
    for client_id in (client.id, with_retired.id):
        html = block(office, client_id)
        assert "Sin límite de crédito" in html
        assert "<dl" not in html and "credit-note" not in html


def test_without_its_own_the_client_has_its_types_policy(office):
    policy = make_policy(name="Mayoristas", max_documents=3)
    client_type = factories.make_client_type(credit_policy_id=policy.id)
    client = factories.make_client(client_type_id=client_type.id)
    db.session.commit()
    html = block(office, client.id)
    assert "Mayoristas" in html and "del tipo de cliente" in html
    assert line(html, "Facturas impagas") == "- | 0 de 3"


@pytest.mark.parametrize(
    ("fields", "note"),
    [
        ({"state": "delinquent"}, "Solo pago inmediato: cliente moroso."),
        ({"state": "suspended"}, "Solo pago inmediato: cliente suspendido."),
        ({"state": "cash_only"}, "Solo pago inmediato: cliente de contado, sin cuenta."),
        ({"state": "potential"}, "Solo pago inmediato: cliente potencial, sin cuenta."),
        ({"state": "disabled"}, "No se le puede vender: cliente inhabilitado."),
        ({"credit_blocked": True}, "Solo pago inmediato: crédito bloqueado."),
        ({"state": "disabled", "credit_blocked": True}, "No se le puede vender"),
    ],
)
def test_the_state_that_rules_credit_out_is_noted(office, fields, note):
    policy = make_policy(money_limit=Decimal("5000"))
    client = factories.make_client(credit_policy_id=policy.id, **fields)
    db.session.commit()
    html = block(office, client.id)
    assert re.search(r'<p class="credit-note">([^<]*)</p>', html)[1].startswith(note)
    assert "Disponible" in html  # the figures still show


def test_a_delinquent_client_without_a_policy_still_gets_the_note(office):
    client = factories.make_client(state="delinquent")
    db.session.commit()
    html = block(office, client.id)
    assert "Sin límite de crédito" in html
    assert "Solo pago inmediato: cliente moroso." in html


def test_the_trash_is_noted(office):
    client = factories.make_client(deleted_at=utcnow())
    db.session.commit()
    assert "No se le puede vender: cliente en la papelera." in block(office, client.id)


def test_a_salesperson_sees_the_block_of_their_client(login_as):
    seller = login_as("salesperson")
    policy = make_policy(money_limit=Decimal("1000"))
    mine = factories.make_client(credit_policy_id=policy.id, salesperson_id=seller.user.id)
    factories.post_document(mine, amount="250")
    db.session.commit()
    assert line(block(seller, mine.id), "Disponible") == "- | $\u00a0750,00 de $\u00a01.000,00"


def test_a_collector_has_no_credit_block(login_as):
    collector = login_as("collector")
    client = factories.make_client(
        credit_policy_id=make_policy(money_limit=Decimal("1")).id, collector_id=collector.user.id
    )
    db.session.commit()
    response = collector.get(f"/clients/{client.id}")
    assert response.status_code == 200
    assert "credit-block" not in response.get_data(as_text=True)


def test_the_usd_account_shows_dollars(office):
    policy = make_policy(money_limit=Decimal("2000"))
    client = factories.make_client(credit_policy_id=policy.id, currency="USD")
    factories.post_document(client, amount="500", currency="USD", exchange_rate="1000")
    db.session.commit()
    assert (
        line(block(office, client.id), "Disponible") == "- | US$\u00a01.500,00 de US$\u00a02.000,00"
    )


# --- the card form ---------------------------------------------------------------------------


def fresh(client_id: int) -> Client:
    db.session.expire_all()
    return db.session.get(Client, client_id)


def test_the_card_form_offers_the_policies_in_use_and_says_what_empty_means(office):
    policy = make_policy(name="Minoristas")
    retired = make_policy(code="OLD", name="Vieja", deleted_at=utcnow())
    db.session.commit()
    page = office.get("/clients/new").get_data(as_text=True)
    assert '<label for="credit_policy_id">Límite de crédito</label>' in page
    assert f'<option value="{policy.id}">Minoristas</option>' in page
    assert f'value="{retired.id}"' not in page
    assert "Vacío: se usa el límite de su tipo de cliente." in page


def test_choosing_a_policy_on_the_card_is_audited_and_shown(office):
    policy = make_policy(name="Minoristas", money_limit=Decimal("1000"))
    client = factories.make_client()
    db.session.commit()
    form_page = f"/clients/{client.id}/edit"
    base = CARD | {"code": client.code, "legal_name": client.legal_name, "tax_id": client.tax_id}
    response = office.submit(form_page, **(base | {"credit_policy_id": str(policy.id)}))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert fresh(client.id).credit_policy_id == policy.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "client.update"))
    assert (entry.before["credit_policy_id"], entry.after["credit_policy_id"]) == (None, policy.id)
    card = office.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Límite de crédito: " in card  # the change history names the field
    assert f'<option selected value="{policy.id}">' in office.get(form_page).get_data(as_text=True)


def test_a_retired_or_unknown_policy_is_refused_on_the_card(office):
    retired = make_policy(deleted_at=utcnow())
    client = factories.make_client()
    db.session.commit()
    form_page = f"/clients/{client.id}/edit"
    base = CARD | {"code": client.code, "legal_name": client.legal_name, "tax_id": client.tax_id}
    for value in (str(retired.id), "999999", "x"):
        response = office.submit(form_page, **(base | {"credit_policy_id": value}))
        assert response.status_code == 422
        assert 'id="credit_policy_id-error"' in response.get_data(as_text=True)
    assert fresh(client.id).credit_policy_id is None
    assert db.session.scalars(sa.select(AuditEntry)).all() == []
