"""Override requests: a blocked order sent to the supervisors, and their answer."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.core.types import utcnow
from app.credit import overrides
from app.credit.models import OverrideRequest, RequestStatus
from app.extensions import db
from app.orders import services as orders
from app.orders.models import OrderStatus
from tests import factories
from tests.credit.approval_setup import band, make_team, order_of

D = Decimal


@pytest.fixture(autouse=True)
def in_request(app):
    """The services build the links their notifications open: they run inside a request."""
    with app.test_request_context():
        yield


@pytest.fixture
def team(app):
    """Limit $ 1.000; the supervisor's band covers up to $ 500 over it."""
    return make_team()


def actions(order_id: int) -> list[str]:
    """The audit actions written for an order, in order."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.entity_type == "order", AuditEntry.entity_id == str(order_id))
            .order_by(AuditEntry.id)
        )
    )


def requests_of(order) -> list[OverrideRequest]:
    """Every request made for an order, oldest first."""
    return list(
        db.session.scalars(
            sa.select(OverrideRequest)
            .where(OverrideRequest.order_id == order.id)
            .order_by(OverrideRequest.id)
        )
    )


def test_a_blocked_order_is_sent_for_approval_with_its_figures(app, team):
    order = order_of(team, 12)  # $ 1.200 against a $ 1.000 limit
    assert order.status == OrderStatus.BLOCKED
    request = overrides.request_override(order, "  Paga siempre a los 35 días  ", team.seller)
    assert order.status == OrderStatus.AWAITING_APPROVAL
    assert request.status == RequestStatus.PENDING
    assert request.reason == "Paga siempre a los 35 días"
    assert (request.amount, request.currency) == (D("1200.00"), "ARS")
    assert request.requested_by_id == team.seller.id
    assert request.expires_at - request.requested_at == timedelta(hours=24)
    (failure,) = request.failures
    assert failure["kind"] == "money"
    assert (failure["limit"], failure["after"], failure["excess"]) == (
        "1000.00",
        "1200.00",
        "200.00",
    )
    assert actions(order.id)[-1] == "override.request"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "override.request"))
    assert entry.before["status"] == "blocked"
    assert entry.after["status"] == "awaiting_approval"
    assert entry.after["request_id"] == request.id
    assert entry.after["failures"] == ["money"]


@pytest.mark.parametrize("reason", ["", "  ", "ok", "x" * 501])
def test_a_request_needs_a_reason(app, team, reason):
    order = order_of(team, 12)
    with pytest.raises(overrides.OverrideError) as refused:
        overrides.request_override(order, reason, team.seller)
    assert set(refused.value.fields) == {"reason"}
    assert order.status == OrderStatus.BLOCKED
    assert requests_of(order) == []


def test_a_failure_of_the_clients_state_cannot_be_authorised(app, team):
    band(role="admin", documents=True, age=True)  # even an unlimited band
    order = order_of(team, 12)
    team.client.state = "delinquent"
    with pytest.raises(overrides.OverrideError) as refused:
        overrides.request_override(order, "Cliente de años", team.seller)
    assert "Cliente moroso" in refused.value.fields["order"]
    assert order.status == OrderStatus.BLOCKED
    assert requests_of(order) == []
    assert "override.request" not in actions(order.id)


def test_an_excess_no_band_covers_is_refused(app, team):
    order = order_of(team, 16)  # $ 600 over: the supervisor covers up to $ 500
    with pytest.raises(overrides.OverrideError) as refused:
        overrides.request_override(order, "Cliente de años", team.seller)
    assert "Ningún supervisor" in refused.value.fields["order"]
    assert order.status == OrderStatus.BLOCKED
    assert requests_of(order) == []


def test_an_order_that_fits_now_is_accepted_without_a_request(app, team):
    order = order_of(team, 12)
    team.client.credit_policy.money_limit = D("1500")  # the office widened the limit
    assert overrides.request_override(order, "Ya pagó", team.seller) is None
    assert order.status == OrderStatus.ACCEPTED
    assert order.credit["allowed"] is True
    assert requests_of(order) == []
    assert actions(order.id)[-1] == "order.accept"


def test_a_second_request_while_one_waits_is_refused(app, team):
    order = order_of(team, 12)
    overrides.request_override(order, "Cliente de años", team.seller)
    with pytest.raises(overrides.OverrideError) as refused:
        overrides.request_override(order, "Otra vez", team.seller)
    assert "Ya hay una autorización" in refused.value.fields["order"]
    assert len(requests_of(order)) == 1


def test_a_covering_supervisor_approves_and_the_approval_is_spent(app, team):
    order = order_of(team, 12)
    request = overrides.request_override(order, "Cliente de años", team.seller)
    overrides.decide_override(request, True, "  Paga a los 35 días ", team.boss)
    assert request.status == RequestStatus.APPROVED
    assert order.status == OrderStatus.APPROVED
    assert request.decided_by_id == team.boss.id
    assert request.comment == "Paga a los 35 días"
    assert request.used_at is not None and request.decided_at is not None
    assert overrides.shown_status(request) == RequestStatus.APPROVED
    assert actions(order.id)[-2:] == ["override.approve", "override.use"]
    use = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "override.use"))
    assert use.after == {"request_id": request.id, "amount": "1200.00"}
    # The approved order counts in the exposure from now on.
    assert order_of(team, 1).status == OrderStatus.BLOCKED


def test_a_supervisor_whose_band_does_not_cover_is_refused_and_nothing_changes(app, team):
    band(role="admin")  # the admins cover it: the request can be made
    factories.make_user("admin")
    order = order_of(team, 16)  # $ 600 over, the supervisor covers $ 500
    request = overrides.request_override(order, "Cliente de años", team.seller)
    with pytest.raises(overrides.OverrideError) as refused:
        overrides.decide_override(request, True, None, team.boss)
    assert "Tu franja no cubre" in refused.value.fields["request"]
    assert request.status == RequestStatus.PENDING and request.decided_by_id is None
    assert order.status == OrderStatus.AWAITING_APPROVAL
    assert "override.approve" not in actions(order.id)
    # Rejecting needs no band: the supervisor reaches the client.
    overrides.decide_override(request, False, "No", team.boss)
    assert request.status == RequestStatus.REJECTED


def test_a_supervisor_of_another_team_is_refused(app, team):
    other = make_team()
    order = order_of(team, 12)
    request = overrides.request_override(order, "Cliente de años", team.seller)
    for answer in (True, False):
        with pytest.raises(overrides.OverrideError) as refused:
            overrides.decide_override(request, answer, None, other.boss)
        assert "no es de tu equipo" in refused.value.fields["request"]
    assert request.status == RequestStatus.PENDING
    assert overrides.get_request(other.boss, request.id) is None
    assert overrides.inbox(other.boss) == []


def test_a_rejection_closes_the_request_and_the_order(app, team):
    order = order_of(team, 12)
    request = overrides.request_override(order, "Cliente de años", team.seller)
    overrides.decide_override(request, False, "Que pague primero", team.boss)
    assert request.status == RequestStatus.REJECTED
    assert request.used_at is None
    assert order.status == OrderStatus.REJECTED
    assert actions(order.id)[-1] == "override.reject"


def test_a_request_is_answered_once(app, team):
    band(role="admin")
    admin = factories.make_user("admin")
    order = order_of(team, 12)
    request = overrides.request_override(order, "Cliente de años", team.seller)
    overrides.decide_override(request, True, None, team.boss)
    for user, answer in ((team.boss, True), (admin, False)):
        with pytest.raises(overrides.OverrideError) as refused:
            overrides.decide_override(request, answer, None, user)
        assert "ya fue respondida" in refused.value.fields["request"]
    assert request.status == RequestStatus.APPROVED
    assert order.status == OrderStatus.APPROVED
    assert actions(order.id).count("override.use") == 1


def test_a_request_expires_and_the_seller_can_ask_again(app, team):
    app.config["OVERRIDE_REQUEST_HOURS"] = 2
    try:
        order = order_of(team, 12)
        request = overrides.request_override(order, "Cliente de años", team.seller)
        assert request.expires_at - request.requested_at == timedelta(hours=2)
        request.expires_at = utcnow() - timedelta(minutes=1)
        db.session.flush()
        assert overrides.shown_status(request) == RequestStatus.EXPIRED
        assert not overrides.is_open(request)
        assert overrides.inbox(team.boss) == []
        assert overrides.decidable_count(team.boss) == 0
        with pytest.raises(overrides.OverrideError) as refused:
            overrides.decide_override(request, True, None, team.boss)
        assert "venció" in refused.value.fields["request"]
        assert order.status == OrderStatus.AWAITING_APPROVAL
        again = overrides.request_override(order, "Sigue siendo buen cliente", team.seller)
    finally:
        app.config.pop("OVERRIDE_REQUEST_HOURS")
    assert again.id != request.id
    assert request.status == RequestStatus.EXPIRED
    assert again.status == RequestStatus.PENDING
    assert [item.request.id for item in overrides.inbox(team.boss)] == [again.id]
    overrides.decide_override(again, True, None, team.boss)
    assert order.status == OrderStatus.APPROVED


def test_the_band_is_checked_against_the_excess_at_approval_time(app, team):
    band(role="admin")
    admin = factories.make_user("admin")
    blocked = order_of(team, 12)  # $ 200 over: the supervisor covers it
    request = overrides.request_override(blocked, "Cliente de años", team.seller)
    (waiting,) = overrides.inbox(team.boss)
    assert waiting.covered is True
    another = order_of(team, 4)  # $ 400 on credit, within the limit: accepted
    assert another.status == OrderStatus.ACCEPTED
    # Now the blocked order would leave the account $ 600 over the limit.
    (waiting,) = overrides.inbox(team.boss)
    assert waiting.covered is False
    assert waiting.decision.failures[0].excess == D("600.00")
    with pytest.raises(overrides.OverrideError) as refused:
        overrides.decide_override(request, True, None, team.boss)
    assert "Supera el límite en $ 600" in refused.value.fields["request"]
    assert request.status == RequestStatus.PENDING
    overrides.decide_override(request, True, "Lo autorizo yo", admin)
    assert request.status == RequestStatus.APPROVED


def test_cancelling_a_waiting_order_cancels_its_request(app, team):
    order = order_of(team, 12)
    request = overrides.request_override(order, "Cliente de años", team.seller)
    orders.cancel_order(order, team.seller, "El cliente se arrepintió")
    assert order.status == OrderStatus.CANCELLED
    assert request.status == RequestStatus.CANCELLED
    assert overrides.inbox(team.boss) == []
    assert "override.cancel" in actions(order.id)
    with pytest.raises(overrides.OverrideError):
        overrides.decide_override(request, True, None, team.boss)


def test_the_inbox_is_oldest_first_and_marks_what_the_user_covers(app, team):
    band(role="admin")
    admin = factories.make_user("admin")
    near = order_of(team, 12)
    first = overrides.request_override(near, "Cliente de años", team.seller)
    far = order_of(team, 17)  # $ 700 over: only the admins cover it
    second = overrides.request_override(far, "Pedido grande", team.seller)
    rows = overrides.inbox(team.boss)
    assert [(w.request.id, w.covered) for w in rows] == [(first.id, True), (second.id, False)]
    assert [(w.request.id, w.covered) for w in overrides.inbox(admin)] == [
        (first.id, True),
        (second.id, True),
    ]
    assert overrides.decidable_count(team.boss) == 1  # the badge counts what she can decide
    assert overrides.decidable_count(admin) == 2
    overrides.decide_override(first, False, None, team.boss)
    assert overrides.decidable_count(team.boss) == 0
    assert overrides.decidable_count(admin) == 1
    assert overrides.answered(team.boss) == [first]


def test_the_sorted_inbox_puts_what_the_user_decides_first_and_names_who_decides_the_rest(
    app, team
):
    band(role="admin")
    admin = factories.make_user("admin", full_name="Alicia Administradora")
    far = overrides.request_override(order_of(team, 17), "Pedido grande", team.seller)
    near = overrides.request_override(order_of(team, 12), "Cliente de años", team.seller)
    inbox = overrides.sorted_inbox(team.boss)
    assert [w.request.id for w in inbox.decidable] == [near.id]
    assert [w.request.id for w in inbox.others] == [far.id]
    assert inbox.others[0].approvers == [admin]
    assert inbox.decidable[0].approvers == []  # not asked: she decides it herself
    both = overrides.sorted_inbox(admin)
    assert [w.request.id for w in both.decidable] == [far.id, near.id]
    assert both.others == []


def test_a_request_that_fits_now_is_decidable_without_a_band(app, team):
    request = overrides.request_override(order_of(team, 12), "Cliente de años", team.seller)
    unbanded = factories.make_user("supervisor")
    team.seller.supervisor_id = unbanded.id  # the seller moved to a supervisor with no band
    db.session.flush()
    assert overrides.decidable_count(unbanded) == 0
    team.client.credit_policy.money_limit += 500  # the office raised the limit: it fits now
    db.session.flush()
    assert overrides.decidable_count(unbanded) == 1
    assert overrides.decidable_count(factories.make_user("salesperson")) == 0
    overrides.decide_override(request, True, None, unbanded)
    assert request.status == RequestStatus.APPROVED


def test_recent_receipts_leave_voided_ones_out(app, team):
    from app.ledger import applications

    invoice = factories.post_document(team.client, amount="900")
    assert invoice.kind == "invoice"
    kept = [factories.post_receipt(team.client, amount=str(10 * n)) for n in range(1, 5)]
    applications.void_document(kept[-1], "Cargado dos veces", None)
    shown = overrides.recent_receipts(team.client)
    assert [r.id for r in shown] == [kept[2].id, kept[1].id, kept[0].id]
