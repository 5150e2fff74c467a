"""A card issuer's company data in the admin: name, address, IVA, CUIT (checked), IIBB,
supplier account, collecting bank and contact."""

import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from app.ledger.models import CardIssuer

BASE = "/admin/reference/card-issuers"
FIELDS = {
    "code": "NAR",
    "name": "Naranja",
    "legal_name": "Tarjeta Naranja S.A.U.",
    "address": "La Tablada 451, Córdoba",
    "iva_condition": "Responsable Inscripto",
    "tax_id": "30-68537634-9",
    "iibb_number": "904-234567-1",
    "supplier_account": "2.1.1.05.010",
    "bank": "Banco de Galicia",
    "contact": "Liquidaciones, 0810-333-6272",
}


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def test_the_admin_keeps_the_issuers_company_data(admin):
    response = admin.submit(f"{BASE}/new", **FIELDS)
    assert response.status_code == 303, response.get_data(as_text=True)
    issuer = db.session.scalars(sa.select(CardIssuer)).one()
    assert issuer.tax_id == "30685376349"  # kept compact
    assert (issuer.legal_name, issuer.bank) == ("Tarjeta Naranja S.A.U.", "Banco de Galicia")
    assert issuer.iva_condition == "Responsable Inscripto"
    row = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "card_issuer.create")
    ).one()
    assert row.after["supplier_account"] == "2.1.1.05.010"
    listing = admin.get(f"{BASE}/").get_data(as_text=True)
    assert "30-68537634-9" in listing
    form = admin.get(f"{BASE}/{issuer.id}").get_data(as_text=True)
    assert 'value="Liquidaciones, 0810-333-6272"' in form


def test_a_wrong_cuit_is_refused_and_nothing_is_saved(admin):
    response = admin.submit(f"{BASE}/new", **(FIELDS | {"tax_id": "30-68537634-1"}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r"CUIT[^<]*no es válido|dígito verificador", page), page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CardIssuer)) == 0


def test_the_api_gives_the_issuers_company_data(admin, app):
    assert admin.submit(f"{BASE}/new", **FIELDS).status_code == 303
    [issuer] = admin.get("/api/v1/card-issuers").json
    assert issuer["legal_name"] == "Tarjeta Naranja S.A.U."
    assert issuer["tax_id"] == "30685376349"
    assert (issuer["supplier_account"], issuer["bank"]) == ("2.1.1.05.010", "Banco de Galicia")
    assert issuer["contact"] == "Liquidaciones, 0810-333-6272"
