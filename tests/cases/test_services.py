"""Opening and working cases through the services: due dates, history, audit, scope, the
credit note of an accepted return, photos."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.cases import services
from app.cases.models import Case, CaseEvent, CasePhoto
from app.cases.rules import MAX_PHOTO_BYTES, add_working_days
from app.core.types import local_today, utcnow
from app.extensions import db
from app.ledger.models import Document
from tests import factories
from tests.cases.conftest import open_case

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


def audit_actions(case: Case) -> list[str]:
    return db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.entity_type == "case", AuditEntry.entity_id == str(case.id))
        .order_by(AuditEntry.id)
    ).all()


def test_a_new_case_is_open_due_by_its_kinds_working_days_and_audited(app):
    seller = factories.make_user("salesperson")
    client = factories.make_client(salesperson_id=seller.id)
    case = open_case(client, seller, kind="return", subject="Yerba vencida", description="3 kg")
    assert case.state == "open"
    assert case.due_on == add_working_days(local_today(), 5)
    assert [(e.action, e.user_id, e.text) for e in case.events] == [("created", seller.id, "3 kg")]
    assert audit_actions(case) == ["case.create"]


def test_the_office_sets_the_days_per_kind_and_new_cases_follow_them(app):
    services.set_target_days({"claim": "1", "return": "10", "complaint": "0", "question": "4"})
    assert services.target_days() == {"claim": 1, "return": 10, "complaint": 0, "question": 4}
    client = factories.make_client()
    assert open_case(client, kind="complaint").due_on == local_today()
    with pytest.raises(services.CaseError) as refused:
        services.set_target_days({"claim": "-1", "return": "x", "complaint": "99", "question": "2"})
    assert set(refused.value.fields) == {"claim", "return", "complaint"}
    assert services.target_days()["claim"] == 1


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(app):
    client = factories.make_client()
    other = factories.make_client()
    order_of_other = factories.post_document(other)
    with pytest.raises(services.CaseError) as refused:
        services.open_case(
            client,
            {"kind": "gripe", "subject": " ", "document_id": order_of_other.id},
            None,
        )
    assert set(refused.value.fields) == {"kind", "subject", "document_id"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_state_changes_follow_the_transitions_and_leave_history(app):
    office = factories.make_user("backoffice")
    case = open_case(factories.make_client(), office)
    services.change_case(case, {"state": "in_progress", "note": "Llamé al depósito"}, office)
    services.change_case(case, {"state": "closed"}, office)
    with pytest.raises(services.CaseError) as refused:
        services.change_case(case, {"state": "in_progress"}, office)
    assert refused.value.fields["state"] == "Un caso cerrado no puede pasar a en curso."
    with pytest.raises(services.CaseError) as refused:
        services.change_case(case, {"state": "open"}, office)
    assert refused.value.fields == {"note": "Para reabrir un caso cerrado, escribí el motivo."}
    services.change_case(case, {"state": "open", "note": "El cliente volvió a llamar"}, office)
    states = [(e.before, e.after, e.text) for e in case.events if e.action == "state"]
    assert states == [
        ("open", "in_progress", "Llamé al depósito"),
        ("in_progress", "closed", None),
        ("closed", "open", "El cliente volvió a llamar"),
    ]
    assert case.state == "open" and case.closed_at is None
    assert audit_actions(case) == ["case.create", "case.update", "case.update", "case.update"]


def test_only_the_office_and_supervisors_assign_and_move_due_dates(app):
    seller = factories.make_user("salesperson")
    supervisor = factories.make_user("supervisor")
    case = open_case(factories.make_client(salesperson_id=seller.id), seller)
    with pytest.raises(services.CaseError) as refused:
        services.change_case(case, {"owner_id": supervisor.id}, seller)
    assert "owner_id" in refused.value.fields and case.owner_id is None
    later = add_working_days(local_today(), 10)
    services.change_case(case, {"owner_id": supervisor.id, "due_on": later}, supervisor)
    assert (case.owner_id, case.due_on) == (supervisor.id, later)
    owners = [(e.before, e.after) for e in case.events if e.action == "owner"]
    assert owners == [("—", supervisor.full_name)]


def test_an_accepted_return_posts_a_credit_note_once(app):
    office = factories.make_user("backoffice")
    client = factories.make_client()
    case = open_case(client, office, kind="return")
    services.change_case(case, {"state": "resolved", "credit_amount": "1250.50"}, office)
    note = db.session.get(Document, case.credit_note_id)
    assert (note.kind, note.amount, note.sign, note.client_id) == (
        "credit_note",
        Decimal("1250.50"),
        -1,
        client.id,
    )
    assert note.source == "cases" and f"caso {case.id}" in note.notes
    assert [e.after for e in case.events if e.action == "credit_note"] == ["1250.50"]
    with pytest.raises(services.CaseError) as refused:
        services.change_case(case, {"credit_amount": "10"}, office)
    assert "ya tiene" in refused.value.fields["credit_amount"]


def test_a_credit_note_needs_a_return_being_resolved_by_the_office(app):
    office = factories.make_user("backoffice")
    supervisor = factories.make_user("supervisor")
    client = factories.make_client()
    claim = open_case(client, office, kind="claim")
    back = open_case(client, office, kind="return")
    for case, data, who in (
        (claim, {"state": "resolved", "credit_amount": "10"}, office),
        (back, {"state": "in_progress", "credit_amount": "10"}, office),
        (back, {"state": "resolved", "credit_amount": "10"}, supervisor),
        (back, {"state": "resolved", "credit_amount": "abc"}, office),
    ):
        with pytest.raises(services.CaseError) as refused:
            services.change_case(case, data, who)
        assert "credit_amount" in refused.value.fields
    db.session.expire_all()
    assert back.state == "open"
    count = sa.select(sa.func.count()).select_from(Document).where(Document.kind == "credit_note")
    assert db.session.scalar(count) == 0


def test_photos_are_images_by_content_up_to_the_size_and_count_limits(app):
    case = open_case(factories.make_client())
    with pytest.raises(services.CaseError):
        services.add_photo(case, b"<svg/>", None)
    with pytest.raises(services.CaseError):
        services.add_photo(case, JPEG + b"\x00" * MAX_PHOTO_BYTES, None)
    for _n in range(4):
        services.add_photo(case, JPEG, None)
    with pytest.raises(services.CaseError) as refused:
        services.add_photo(case, JPEG, None)
    assert refused.value.fields["photo"] == "Un caso lleva como máximo 4 fotos."
    photos = db.session.scalars(sa.select(CasePhoto).where(CasePhoto.case_id == case.id)).all()
    assert [(p.content_type, p.size) for p in photos] == [("image/jpeg", len(JPEG))] * 4


def test_each_role_sees_the_cases_of_the_clients_in_its_scope(app):
    supervisor = factories.make_user("supervisor")
    seller = factories.make_user("salesperson", supervisor_id=supervisor.id)
    stranger = factories.make_user("salesperson")
    office = factories.make_user("backoffice")
    mine = open_case(factories.make_client(salesperson_id=seller.id), seller)
    theirs = open_case(factories.make_client(salesperson_id=stranger.id), stranger)

    def seen(user):
        return set(db.session.scalars(services.scoped_cases(user)))

    assert seen(seller) == {mine}
    assert seen(supervisor) == {mine}
    assert seen(office) == {mine, theirs}


def test_the_list_puts_overdue_cases_first_and_done_ones_last(app):
    office = factories.make_user("backoffice")
    client = factories.make_client()
    open_case(client, office, subject="Nuevo")
    late = open_case(client, office, subject="Atrasado")
    late.due_on = date(2020, 1, 6)
    done = open_case(client, office, subject="Hecho")
    services.change_case(done, {"state": "resolved"}, office)
    done.due_on = late.due_on
    db.session.flush()
    ordered = db.session.scalars(services.filtered_cases(office, services.CaseFilters())).all()
    assert [c.subject for c in ordered] == ["Atrasado", "Nuevo", "Hecho"]
    filtered = services.filtered_cases(office, services.CaseFilters(state="resolved"))
    assert db.session.scalars(filtered).all() == [done]
    events = sa.select(sa.func.count()).select_from(CaseEvent)
    assert db.session.scalar(events) >= 4


def test_a_change_that_changes_nothing_writes_no_audit_row(app):
    office = factories.make_user("backoffice")
    case = open_case(factories.make_client(), office)
    services.change_case(case, {"state": "open"}, office)
    services.change_case(case, {"note": "Sigue igual"}, office)
    assert audit_actions(case) == ["case.create", "case.comment"]
    assert [e.action for e in case.events] == ["created", "comment"]


def test_cases_of_a_client_in_the_trash_are_for_who_sees_the_trash(app):
    seller = factories.make_user("salesperson")
    office = factories.make_user("backoffice")
    client = factories.make_client(salesperson_id=seller.id)
    case = open_case(client, seller)
    client.deleted_at = utcnow()
    db.session.flush()
    assert db.session.scalars(services.scoped_cases(seller)).all() == []
    assert db.session.scalars(services.scoped_cases(office)).all() == [case]
