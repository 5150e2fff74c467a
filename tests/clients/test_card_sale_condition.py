"""The card's sale condition: chosen on the form, audited, shown on the card, or the type's."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Client
from app.core.types import utcnow
from app.extensions import db
from tests import factories
from tests.clients.test_card import CARD


@pytest.fixture
def office(login_as):
    return login_as("backoffice")


def fresh(client_id: int) -> Client:
    db.session.expire_all()
    return db.session.get(Client, client_id)


def test_the_form_offers_the_conditions_in_use_and_says_what_empty_means(office):
    in_use = factories.make_sale_condition(description="Cuenta corriente 30 días")
    retired = factories.make_sale_condition(description="Vieja", deleted_at=utcnow())
    db.session.commit()
    page = office.get("/clients/new").get_data(as_text=True)
    assert "Condición de venta" in page
    assert f'<option value="{in_use.id}">Cuenta corriente 30 días</option>' in page
    assert f'value="{retired.id}"' not in page
    assert "Vacía: se usa la condición por defecto de su tipo de cliente." in page


def test_a_new_client_gets_its_sale_condition_with_an_audit_row(office):
    terms = factories.make_sale_condition(description="Cuenta corriente 30 días")
    db.session.commit()
    response = office.submit("/clients/new", **(CARD | {"sale_condition_id": str(terms.id)}))
    assert response.status_code == 303, response.get_data(as_text=True)
    client = db.session.scalar(sa.select(Client).where(Client.code == CARD["code"]))
    assert client.sale_condition_id == terms.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "client.create"))
    assert entry.after["sale_condition_id"] == terms.id


def test_changing_the_sale_condition_is_audited_and_shown_on_the_card(office):
    before = factories.make_sale_condition(description="Contado", rule_days=0)
    after = factories.make_sale_condition(
        description="Quincenal", rule_kind="next_day_of_month", rule_day=15
    )
    client = factories.make_client(sale_condition_id=before.id)
    db.session.commit()
    form_page = f"/clients/{client.id}/edit"
    assert f'<option selected value="{before.id}">' in office.get(form_page).get_data(as_text=True)
    data = CARD | {
        "code": client.code,
        "legal_name": client.legal_name,
        "tax_id": client.tax_id,
        "sale_condition_id": str(after.id),
    }
    response = office.submit(form_page, **data)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert fresh(client.id).sale_condition_id == after.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "client.update"))
    assert entry.before["sale_condition_id"] == before.id
    assert entry.after["sale_condition_id"] == after.id
    card = office.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Quincenal · Próximo día 15" in card
    assert "Condición de venta: " in card  # the change history names the field


def test_a_retired_or_unknown_condition_is_refused_and_nothing_changes(office):
    retired = factories.make_sale_condition(deleted_at=utcnow())
    client = factories.make_client()
    db.session.commit()
    form_page = f"/clients/{client.id}/edit"
    base = CARD | {"code": client.code, "legal_name": client.legal_name, "tax_id": client.tax_id}
    for value in (str(retired.id), "999999"):
        response = office.submit(form_page, **(base | {"sale_condition_id": value}))
        assert response.status_code == 422
        assert 'id="sale_condition_id-error"' in response.get_data(as_text=True)
    assert fresh(client.id).sale_condition_id is None
    assert db.session.scalars(sa.select(AuditEntry)).all() == []


def test_without_its_own_the_card_shows_the_types_condition(office):
    terms = factories.make_sale_condition(description="Mayorista", rule_days=30, installments=3)
    client_type = factories.make_client_type(name="Mayorista", default_sale_condition_id=terms.id)
    client = factories.make_client(client_type_id=client_type.id)
    bare = factories.make_client()
    db.session.commit()
    card = office.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Mayorista · 3 cuotas cada 30 días" in card
    assert "La del tipo de cliente Mayorista." in card
    bare_card = office.get(f"/clients/{bare.id}").get_data(as_text=True)
    assert "<dt>Condición de venta</dt><dd>—</dd>" in bare_card
