"""The ABC run: letters from the last 12 months' sales, an audit row per change, pins kept."""

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.models import Client
from app.extensions import db
from app.reports.abc import rate_clients
from app.reports.services import report_settings
from tests import factories

D = Decimal


def _letters() -> dict[str, str | None]:
    rows = db.session.execute(sa.select(Client.trade_name, Client.abc_rating))
    return dict(rows.all())


def _sales(app):
    """Four clients selling 8000, 1500 (less a 100 credit note) + 100, 500 and nothing; one more
    sold 9000 over a year ago; one, pinned at A by hand, sold nothing this year."""
    today = factories.today()
    recent = (today - timedelta(days=30)).isoformat()
    big = factories.make_client(trade_name="Grande")
    mid = factories.make_client(trade_name="Mediano", abc_rating="C")
    small = factories.make_client(trade_name="Chico", abc_rating="C")
    factories.make_client(trade_name="Sin ventas")
    old = factories.make_client(trade_name="Viejo")
    pinned = factories.make_client(trade_name="Fijado", abc_rating="A", abc_pinned=True)
    factories.post_document(big, "invoice", "8000.00", date=recent)
    factories.post_document(mid, "invoice", "1500.00", date=recent)
    factories.post_document(mid, "credit_note", "100.00", date=recent)
    factories.post_document(mid, "debit_note", "100.00", date=recent)
    factories.post_document(small, "invoice", "500.00", date=recent)
    factories.post_document(old, "invoice", "9000.00", date=(today - timedelta(days=366)))
    factories.post_document(pinned, "invoice", "1.00", date=(today - timedelta(days=400)))
    db.session.commit()


def test_the_cli_rates_from_the_last_years_sales_and_keeps_pinned_ratings(app, runner):
    _sales(app)
    result = runner.invoke(args=["abc-rating"])
    assert result.exit_code == 0, result.output
    # 10000 in all: 8000 is A (0 % before it), 1500 - 100 + 100 is B (80 % before it, on the
    # edge), 500 is C (95 % before it, on the edge); no sales this year: C
    assert "A: 1, B: 1, C: 3" in result.output
    assert _letters() == {
        "Grande": "A",
        "Mediano": "B",
        "Chico": "C",
        "Sin ventas": "C",
        "Viejo": "C",
        "Fijado": "A",
    }
    audited = db.session.execute(
        sa.select(AuditEntry.entity_id, AuditEntry.before, AuditEntry.after).where(
            AuditEntry.action == "client.abc_rating"
        )
    ).all()
    ids = dict(db.session.execute(sa.select(Client.trade_name, Client.id)).all())
    assert sorted(audited) == sorted(
        [
            (str(ids["Grande"]), {"abc_rating": None}, {"abc_rating": "A"}),
            (str(ids["Mediano"]), {"abc_rating": "C"}, {"abc_rating": "B"}),
            (str(ids["Sin ventas"]), {"abc_rating": None}, {"abc_rating": "C"}),
            (str(ids["Viejo"]), {"abc_rating": None}, {"abc_rating": "C"}),
        ]
    )
    again = runner.invoke(args=["abc-rating"])
    assert "Cambian: 0" in again.output


def test_a_dry_run_changes_nothing(app, runner):
    _sales(app)
    result = runner.invoke(args=["abc-rating", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Cambian: 4" in result.output and "no se guardó nada" in result.output
    assert _letters()["Grande"] is None
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(AuditEntry.action == "client.abc_rating")
        )
        == 0
    )


def test_the_run_is_a_function_with_a_result_and_progress(app):
    _sales(app)
    seen = []
    run = rate_clients(False, progress=lambda done, total: seen.append((done, total)))
    assert run.to_dict()["changed"] == 4
    assert run.to_dict()["counts"] == {"A": 1, "B": 1, "C": 3}
    assert seen == [(4, 4)]


def test_the_thresholds_are_settings(app):
    _sales(app)
    settings = report_settings()
    settings.abc_a_pct, settings.abc_b_pct = D("50"), D("45")
    run = rate_clients(False)
    # 8000 is A; 1500 starts at 80 % (< 95): B; 500 starts at 95 %: C
    assert run.counts == {"A": 1, "B": 1, "C": 3}
    settings.abc_a_pct, settings.abc_b_pct = D("85"), D("10")
    rate_clients(False)
    assert _letters()["Mediano"] == "A"


def test_the_office_pins_a_rating_through_the_api_and_the_run_leaves_it(app, runner):
    _sales(app)
    office = factories.make_user("backoffice")
    db.session.commit()
    http = app.test_client()
    token = http.post(
        "/api/v1/auth/token", json={"username": office.username, "password": factories.PASSWORD}
    ).json["token"]
    big = db.session.scalar(sa.select(Client).where(Client.trade_name == "Grande"))
    response = http.patch(
        f"/api/v1/clients/{big.id}",
        json={"abc_rating": "C", "abc_pinned": True},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.json
    assert response.json["abc_pinned"] is True
    assert runner.invoke(args=["abc-rating"]).exit_code == 0
    assert _letters()["Grande"] == "C"
    pinned = db.session.scalar(
        sa.select(AuditEntry.after).where(
            AuditEntry.action == "client.update", AuditEntry.entity_id == str(big.id)
        )
    )
    assert pinned == {"abc_rating": "C", "abc_pinned": True}


def test_the_cli_saves_new_thresholds_with_an_audit_row(app, runner):
    _sales(app)
    result = runner.invoke(args=["abc-rating", "--a", "50", "--b", "45"])
    assert result.exit_code == 0, result.output
    assert "Umbrales: A 50.00 %, B 45.00 %." in result.output
    settings = report_settings()
    assert (settings.abc_a_pct, settings.abc_b_pct) == (D("50.00"), D("45.00"))
    assert db.session.scalar(
        sa.select(AuditEntry.after).where(AuditEntry.action == "reports.abc_thresholds")
    ) == {"abc_a_pct": "50.00", "abc_b_pct": "45.00"}
    refused = runner.invoke(args=["abc-rating", "--a", "90", "--b", "20"])
    assert refused.exit_code != 0 and "A + B como mucho 100" in refused.output
