"""Long lists: a page shows the first clients and says how many there are; the download has
them all."""

from decimal import Decimal

import app.reports.views as views
from app.credit.models import CreditPolicy
from app.extensions import db
from tests import factories


def test_the_pages_show_the_first_and_the_downloads_all(app, login_as, monkeypatch):
    monkeypatch.setattr(views, "SHOWN", 2)
    policy = CreditPolicy(code="L100", name="Cien", money_limit=Decimal("100"))
    db.session.add(policy)
    db.session.flush()
    for n in range(3):
        client = factories.make_client(trade_name=f"Cliente {n}", credit_policy_id=policy.id)
        factories.post_document(client, "invoice", "99.00", date=f"2025-0{n + 1}-10")
    db.session.commit()
    office = login_as("backoffice")

    inactive = office.get("/reports/inactive?days=60").get_data(as_text=True)
    assert inactive.count('class="row"') == 2
    assert "Se muestran los primeros 2 de 3, los de más días primero" in inactive
    download = office.get("/reports/inactive.csv?days=60").get_data(as_text=True)
    assert all(f"Cliente {n}" in download for n in range(3))

    at_risk = office.get("/reports/at-risk").get_data(as_text=True)
    assert at_risk.count('class="plain risk-reasons"') == 2
    assert "Se muestran los primeros 2 de 3, los de más razones primero" in at_risk
    download = office.get("/reports/at-risk.csv").get_data(as_text=True)
    assert all(f"Cliente {n}" in download for n in range(3))
