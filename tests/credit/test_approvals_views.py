"""The approvals inbox on the phone: each request with its figures, answered in one tap."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.core.types import local_today, utcnow
from app.credit import overrides
from app.credit.models import OverrideRequest, RequestStatus
from app.extensions import db
from app.orders.models import Order, OrderStatus
from tests import factories
from tests.conftest import Browser, csrf_from
from tests.credit.approval_setup import band, make_team, order_of

HTMX = {"HX-Request": "true"}


def signed_in(app, user) -> Browser:
    """A browser signed in as this user."""
    db.session.commit()
    browser = Browser(app.test_client())
    assert browser.login(user.username).status_code == 303
    return browser


def ask(app, team, units: int, reason: str = "Cliente de años") -> int:
    """The seller's order of `units` x $ 100, sent for approval; returns the request's id."""
    order = order_of(team, units)
    with app.test_request_context():
        request = overrides.request_override(order, reason, team.seller)
    db.session.commit()
    return request.id


def card(html: str, request_id: int) -> str:
    """One request's card on the page."""
    match = re.search(rf'<article[^>]*id="request-{request_id}".*?</article>', html, re.S)
    assert match, f"no card for request {request_id}"
    return match.group(0)


def text(html: str) -> str:
    """The page's words, without tags and with single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ")


def stored(request_id: int) -> OverrideRequest:
    """The request as the database holds it now."""
    db.session.expire_all()
    return db.session.get(OverrideRequest, request_id)


@pytest.fixture
def team(app):
    """Limit $ 1.500 and $ 600 owed (40 days overdue; a $ 300 receipt paid at 35 days)."""
    team = make_team(limit="1500")
    today = local_today()
    factories.post_document(team.client, amount="900", date=today - timedelta(days=40))
    factories.post_receipt(
        team.client, amount="300", date=today - timedelta(days=5), apply_oldest=True
    )
    db.session.commit()
    return team


def answer(browser: Browser, request_id: int, headers=None, **data):
    """Tap a button on the request's card."""
    page = browser.get("/credit/approvals").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "idempotency_key": f"key-{utcnow().timestamp()}"}
    return browser.client.post(
        f"/credit/approvals/{request_id}", data=form | data, headers=headers or {}
    )


def test_the_inbox_shows_the_request_with_its_figures_and_payment_behaviour(app, team):
    other = make_team()
    mine = ask(app, team, 12)  # $ 600 owed + $ 1.200 = $ 1.800: $ 300 over
    theirs = ask(app, other, 12)
    page = signed_in(app, team.boss).get("/credit/approvals").get_data(as_text=True)
    shown = text(card(page, mine))
    assert team.client.trade_name in shown
    assert f'href="/clients/{team.client.id}"' in card(page, mine)
    assert "$ 1.200,00" in shown
    assert "Cliente de años" in shown
    assert team.seller.full_name in shown
    assert re.search(r"Vence en 2[34] h \d\d min", shown)
    assert "Supera el límite en $ 300 (límite $ 1.500)" in shown
    for label, figure in [
        ("Límite", "$ 1.500,00"),
        ("Actual", "$ 600,00"),
        ("Con el pedido", "$ 1.800,00"),
        ("Exceso", "$ 300,00"),
    ]:
        assert f"{label} {figure}" in shown
    assert "Comportamiento de pago" in shown
    assert "Saldo $ 600,00" in shown
    assert "Vencido $ 600,00" in shown
    assert "hace 40 días" in shown
    assert "Paga en promedio a 35 días" in shown
    assert "$ 300,00" in shown.split("Últimos recibos")[1]
    assert "12 × Galletitas" in shown
    assert "Aprobar" in shown and "Rechazar" in shown
    assert "Fuera de tu franja" not in shown
    assert f'id="request-{theirs}"' not in page
    assert other.client.trade_name not in page
    badge = re.search(r'id="approvals-badge" data-count="(\d+)"', page)
    assert badge and badge.group(1) == "1"


def folded(html: str) -> str:
    """The folded section of the requests someone else decides."""
    match = re.search(r'<details class="card approvals-others">.*?</details>', html, re.S)
    assert match, "no folded section"
    return match.group(0)


def test_only_what_the_supervisor_can_decide_is_asked_and_counted(app, team):
    band(role="admin")
    admin = factories.make_user("admin", full_name="Alicia Administradora")
    far = ask(app, team, 16, "Pedido grande")  # $ 700 over: only the admins cover it
    near = ask(app, team, 12)  # $ 300 over: within the supervisor's $ 500, asked later
    page = signed_in(app, team.boss).get("/credit/approvals").get_data(as_text=True)
    badge = re.search(r'id="approvals-badge" data-count="(\d+)"', page)
    assert badge and badge.group(1) == "1"
    assert re.search(r'<h1>Aprobaciones <span class="heading-count">1</span></h1>', page)
    assert "1 pedido espera tu respuesta." in text(page)
    # The one she can decide: a card with its buttons before what it exceeds.
    mine = card(page, near)
    assert mine.index('value="approve"') < mine.index("Supera el límite en $ 300")
    assert 'value="reject"' in mine
    assert page.index(f'id="request-{near}"') < page.index("approvals-others")
    # The other one: folded, a short row naming who decides it, no buttons, nothing dimmed.
    assert len(re.findall(r"<article[^>]*class=\"card approval", page)) == 1
    other = folded(page)
    assert "Fuera de tu franja (1)" in other
    row = re.search(rf'<li class="other-request" id="request-{far}">.*?</li>', other, re.S)
    assert row, "no row for the request out of the band"
    shown = text(row.group(0))
    assert team.client.trade_name in shown and "$ 1.600,00" in shown
    assert "Supera el límite en $ 700 (límite $ 1.500)" in shown
    assert team.seller.full_name in shown
    assert f"Lo decide {admin.full_name}." in shown
    assert 'name="decision"' not in other and "<form" not in other
    assert "out-of-band" not in page
    # The admin's band covers both: two cards, nothing folded, and the badge says 2.
    page = signed_in(app, admin).get("/credit/approvals").get_data(as_text=True)
    assert re.search(r'id="approvals-badge" data-count="2"', page)
    assert [int(n) for n in re.findall(r'<article[^>]*id="request-(\d+)"', page)] == [far, near]
    assert "approvals-others" not in page


def test_when_nobody_covers_a_request_the_row_says_to_ask_the_office(app, team):
    far = ask(app, team, 12)  # $ 300 over: the supervisor covers it...
    team.client.credit_policy.money_limit -= 300  # ...until the office cuts the limit
    db.session.commit()
    page = signed_in(app, team.boss).get("/credit/approvals").get_data(as_text=True)
    assert re.search(r'id="approvals-badge" data-count="0"[^>]*hidden', page)
    assert "No hay pedidos esperando tu aprobación." in page
    other = text(folded(page))
    assert f"{team.client.trade_name}" in other
    assert "Ningún supervisor tiene una franja que cubra este exceso." in other
    assert f'id="request-{far}"' in page


def test_times_on_the_page_are_dd_mm_yyyy_on_the_24_hour_clock(app, team):
    request_id = ask(app, team, 12)
    row = stored(request_id)
    # 17:05 UTC is 14:05 in Buenos Aires: a 12-hour clock would say 2:05 p. m.
    row.requested_at = row.requested_at.replace(hour=17, minute=5)
    db.session.commit()
    shown = text(
        card(signed_in(app, team.boss).get("/credit/approvals").get_data(as_text=True), request_id)
    )
    day = row.requested_at.astimezone(ZoneInfo("America/Argentina/Buenos_Aires"))
    assert f"{team.seller.full_name}, {day:%d/%m/%Y} 14:05" in shown
    assert "p. m." not in shown and "p.m." not in shown


def test_an_empty_inbox_says_so_and_keeps_the_push_panel(app, team):
    page = signed_in(app, team.boss).get("/credit/approvals").get_data(as_text=True)
    assert "No hay pedidos esperando tu aprobación." in page
    assert "Activar notificaciones" in page
    assert re.search(r'id="approvals-badge"[^>]*hidden', page)


def test_approving_with_htmx_swaps_the_card_for_a_confirmation(app, team):
    request_id = ask(app, team, 12)
    boss = signed_in(app, team.boss)
    response = answer(boss, request_id, HTMX, decision="approve", comment="Paga a los 35 días")
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert "<html" not in body
    assert "Aprobado ✓" in body and f'id="request-{request_id}"' in body
    assert re.search(r'id="approvals-badge" data-count="0" hx-swap-oob="true" hidden', body)
    row = stored(request_id)
    assert row.status == RequestStatus.APPROVED and row.comment == "Paga a los 35 días"
    assert row.decided_by_id == team.boss.id and row.used_at is not None
    assert db.session.get(Order, row.order_id).status == OrderStatus.APPROVED
    page = boss.get("/credit/approvals").get_data(as_text=True)
    assert f'id="request-{request_id}"' not in page
    answered = page.split("Respondidas")[1]
    assert team.client.trade_name in answered and "Aprobado" in answered


def test_rejecting_with_htmx_needs_no_comment(app, team):
    request_id = ask(app, team, 12)
    response = answer(signed_in(app, team.boss), request_id, HTMX, decision="reject")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "Rechazado" in body
    row = stored(request_id)
    assert row.status == RequestStatus.REJECTED and row.comment is None
    assert db.session.get(Order, row.order_id).status == OrderStatus.REJECTED


def test_without_htmx_the_answer_goes_back_to_the_inbox(app, team):
    request_id = ask(app, team, 12)
    boss = signed_in(app, team.boss)
    response = answer(boss, request_id, decision="approve")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/credit/approvals")
    assert "Pedido aprobado." in boss.get("/credit/approvals").get_data(as_text=True)
    assert stored(request_id).status == RequestStatus.APPROVED


def test_an_expired_request_is_refused_with_its_message_on_the_card(app, team):
    request_id = ask(app, team, 12)
    boss = signed_in(app, team.boss)
    page = boss.get("/credit/approvals").get_data(as_text=True)
    assert f'id="request-{request_id}"' in page
    row = stored(request_id)
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    form = {"csrf_token": csrf_from(page), "decision": "approve"}
    response = boss.client.post(f"/credit/approvals/{request_id}", data=form, headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in body
    assert f'id="request-{request_id}"' in body
    assert "Esta solicitud venció: el vendedor debe pedirla de nuevo." in body
    assert 'name="decision"' not in body  # no buttons on a request out of time
    assert stored(request_id).status == RequestStatus.PENDING
    # Without htmx, the page says it too, though the request has left the list.
    response = boss.client.post(f"/credit/approvals/{request_id}", data=form)
    assert response.status_code == 422
    assert "Esta solicitud venció" in response.get_data(as_text=True)


def test_a_bad_decision_is_refused_on_the_card(app, team):
    request_id = ask(app, team, 12)
    response = answer(signed_in(app, team.boss), request_id, HTMX, decision="maybe")
    assert response.status_code == 422
    assert "Elegí aprobar o rechazar." in response.get_data(as_text=True)
    assert stored(request_id).status == RequestStatus.PENDING


def test_the_band_that_no_longer_covers_is_said_on_the_card(app, team):
    band(role="admin")
    factories.make_user("admin")
    request_id = ask(app, team, 12)  # $ 300 over
    boss = signed_in(app, team.boss)
    page = boss.get("/credit/approvals").get_data(as_text=True)
    team.client.credit_policy.money_limit -= 300  # the office cut the limit: $ 600 over now
    db.session.commit()
    form = {"csrf_token": csrf_from(page), "decision": "approve"}
    response = boss.client.post(f"/credit/approvals/{request_id}", data=form, headers=HTMX)
    body = text(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Tu franja no cubre este exceso: Supera el límite en $ 600" in body
    assert "Fuera de tu franja" in body
    assert stored(request_id).status == RequestStatus.PENDING


@pytest.mark.parametrize("role", ["salesperson", "collector", "backoffice"])
def test_only_approvers_see_the_inbox_or_answer(app, team, role):
    request_id = ask(app, team, 12)
    user = factories.make_user(role)
    browser = signed_in(app, user)
    assert browser.get("/credit/approvals").status_code == 403
    token = csrf_from(browser.get("/account").get_data(as_text=True))
    response = browser.client.post(
        f"/credit/approvals/{request_id}", data={"csrf_token": token, "decision": "approve"}
    )
    assert response.status_code == 403
    assert "Aprobaciones" not in browser.get("/account").get_data(as_text=True)
    assert stored(request_id).status == RequestStatus.PENDING


def test_a_supervisor_of_another_team_gets_404(app, team):
    request_id = ask(app, team, 12)
    other = make_team()
    browser = signed_in(app, other.boss)
    token = csrf_from(browser.get("/account").get_data(as_text=True))
    for target in (request_id, 999_999):
        response = browser.client.post(
            f"/credit/approvals/{target}", data={"csrf_token": token, "decision": "approve"}
        )
        assert response.status_code == 404
    assert stored(request_id).status == RequestStatus.PENDING


def test_signed_out_goes_to_the_sign_in_page(client):
    response = client.get("/credit/approvals")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/credit/approvals"


def test_the_badge_counts_with_one_query(app, team):
    ask(app, team, 12)
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    boss = signed_in(app, team.boss)
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = boss.get("/account").get_data(as_text=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert re.search(r'id="approvals-badge" data-count="1"', page)
    assert sum("override_requests" in s for s in statements) == 1
