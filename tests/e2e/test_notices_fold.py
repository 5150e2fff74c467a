"""Notices at 360 px: in full the first time a salesperson opens the client today, then a
one-line chip that opens with a tap; an important one stays open until marked seen; a
collections note is not shown to the salesperson at all."""

import uuid

import pytest
from playwright.sync_api import expect

from app.core.types import local_today
from app.extensions import db
from app.notices.models import Notice
from tests import factories
from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def shop_with_notices(live_app) -> dict:
    tag = uuid.uuid4().hex[:6]
    with live_app.app_context():
        seller = factories.make_user("salesperson", password=PASSWORD, username=f"aviso{tag}")
        shop = factories.make_client(salesperson_id=seller.id, trade_name=f"Almacén Aviso {tag}")
        rows = [
            ("info", "sales", "5 % extra en gaseosas hasta el viernes"),
            ("important", "all", "No entregar sin pago previo"),
            ("warning", "collections", "Cobrar solo en efectivo"),
        ]
        for severity, audience, message in rows:
            db.session.add(
                Notice(message=message, severity=severity, audience=audience,
                       valid_from=local_today(), target_kind="client", target_id=shop.id)
            )  # fmt: skip
        db.session.commit()
        found = {"username": seller.username, "client": shop.id}
        db.session.remove()
    return found


def test_a_notice_reads_in_full_once_a_day_then_folds(page, sign_in, errors, shop_with_notices):
    sign_in(shop_with_notices["username"])
    card = f"/clients/{shop_with_notices['client']}"
    page.goto(card)
    notices = page.locator("section.notices article.notice")
    expect(notices).to_have_count(2)  # the collections note is not for a salesperson
    expect(page.get_by_text("Cobrar solo en efectivo")).to_have_count(0)
    expect(page.locator("article.notice.folded")).to_have_count(0)

    page.goto(f"/orders/new?client_id={shop_with_notices['client']}")
    promo = page.locator("article.notice.info")
    expect(promo).to_have_class("notice info folded")
    box = promo.bounding_box()
    assert box is not None and box["height"] < 60, box  # one line, not ~210 px
    important = page.locator("article.notice.important")
    expect(important).not_to_have_class("folded")  # waits for its "Visto"
    promo.click()
    expect(promo).not_to_have_class("notice info folded")
    expect(promo).to_have_attribute("aria-expanded", "true")

    # once marked seen, the important one folds too on the next page
    page.goto(card)
    page.locator("article.notice.important").get_by_role("button", name="Visto").click()
    expect(page.locator("article.notice.important.seen")).to_have_count(1)
    page.goto(card)
    expect(page.locator("article.notice.folded")).to_have_count(2)
    errors.assert_none()
