"""The reports on a 360 px phone: the supervisor's dashboard, a ranking, a client's purchases."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import VIEWPORT

pytestmark = pytest.mark.e2e


def assert_fits(page) -> None:
    """Nothing sticks out sideways at the phone's width."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"], (page.url, width)


def test_the_supervisor_reads_the_dashboard_a_ranking_and_a_purchase_history(
    page, sign_in, errors, artifacts
):
    sign_in("supervisor")
    page.locator("nav.bottomnav a", has_text="Informes").click()
    expect(page).to_have_url(re.compile(r"/reports/$"))
    expect(page.locator("main h1")).to_have_text("Informes")
    chart = page.locator("figure.trend-chart svg").first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] <= VIEWPORT["width"] and box["height"] > 100
    assert page.locator("figure.trend-chart rect.current").count() == 12
    assert_fits(page)
    page.screenshot(path=str(artifacts / "reports-dashboard.png"))

    page.get_by_role("link", name="Rankings").click()
    expect(page).to_have_url(re.compile(r"/reports/ranking$"))
    page.locator("select[name=of]").select_option("products")
    expect(page).to_have_url(re.compile(r"of=products"))
    expect(page.locator("#ranking-report ol.ranking li").first).to_be_visible()
    assert_fits(page)
    page.screenshot(path=str(artifacts / "reports-ranking.png"))

    # the first card with a purchase history (other browser tests add clients that have none)
    base = page.url.split("/reports/")[0]
    page.goto(base + "/clients/")
    links = page.locator("#results ul.list > li a")
    cards = [links.nth(i).get_attribute("href") for i in range(min(10, links.count()))]
    for card in cards:
        page.goto(base + card)
        if page.locator("#compras figure.trend-chart svg").count():
            break
    purchases = page.locator("#compras")
    purchases.scroll_into_view_if_needed()
    expect(purchases.locator("figure.trend-chart svg")).to_be_visible()
    assert_fits(page)
    purchases.screenshot(path=str(artifacts / "reports-purchases.png"))
    errors.assert_none()
