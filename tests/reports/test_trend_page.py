"""The trend page: sales per month beside the year before, for a salesperson's clients or one
product, reached from the rankings (figures of tests/reports/conftest.py)."""

from datetime import UTC, datetime

import pytest

from tests.conftest import Browser


@pytest.fixture
def boss(app, book, frozen_clock):
    """The book's admin signed in, on 31 October 2026."""
    frozen_clock(datetime(2026, 10, 31, 15, 0, tzinfo=UTC))
    browser = Browser(app.test_client())
    assert browser.login(book.admin.username).status_code == 303
    return browser


def test_a_salespersons_clients_beside_the_year_before(book, boss):
    page = boss.get(f"/reports/trend?salesperson_id={book.seller2.id}").get_data(as_text=True)
    page = page.replace("\xa0", " ")
    assert "Últimos 12 meses" in page
    # C: 300 in October 2026, 2,000 in October 2025
    assert "$ 300,00" in page and "El año anterior: $ 2.000,00" in page
    assert "-85 % contra el año anterior" in page
    assert f'<option value="{book.seller2.id}" selected>' in page


def test_one_products_trend_from_the_product_ranking(book, boss):
    ranking = boss.get("/reports/ranking?of=products&from=2026-10-01&to=2026-10-31")
    link = f'href="/reports/trend?product_id={book.p2.id}"'
    assert link in ranking.get_data(as_text=True)
    page = boss.get(f"/reports/trend?product_id={book.p2.id}&months=6").get_data(as_text=True)
    page = page.replace("\xa0", " ")
    assert "Del producto" in page and "Aceite 1,5 l" in page
    assert "Últimos 6 meses" in page
    assert "$ 10.405,00" in page  # 400 on A's invoice and US$ 10 at 1000.50 on B's
    assert "El año anterior: $ 0,00" in page and "contra el año anterior" not in page


def test_a_wrong_product_or_month_count_is_said_and_draws_nothing(boss):
    missing = boss.get("/reports/trend?product_id=999999")
    assert missing.status_code == 422
    assert "Ese producto no existe." in missing.get_data(as_text=True)
    many = boss.get("/reports/trend?months=99")
    assert many.status_code == 422
    body = many.get_data(as_text=True)
    assert "Entre 1 y 36." in body and "<svg viewBox" not in body
