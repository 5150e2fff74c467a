"""Notices in force from the database: every kind of target, dates, order, changes and audit."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.clients.reference import Category, Family, Segment
from app.core.types import utcnow
from app.extensions import db
from app.notices import services
from app.notices.models import NoticeSeen
from tests import factories
from tests.notices.conftest import days, make_notice


def make_group(model, **fields):
    """A segment, category or family row."""
    row = model(**fields)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def groups(app):
    """Two of each group, and a client in the first of each (segment at level 3)."""
    g = {
        "type": [factories.make_client_type(), factories.make_client_type()],
        "zone": [factories.make_zone(), factories.make_zone()],
        "family": [make_group(Family, name="Grupo Uno"), make_group(Family, name="Grupo Dos")],
        "segment": [
            make_group(Segment, level=3, code="S3", name="Nivel tres"),
            make_group(Segment, level=1, code="S1", name="Nivel uno"),
        ],
    }
    food = make_group(Category, scheme=1, code="ALI", name="Alimentos")
    dairy = make_group(Category, scheme=1, code="ALI1", name="Lácteos", parent_id=food.id)
    drinks = make_group(Category, scheme=2, code="BEB", name="Bebidas")
    g["category"] = [food, dairy, drinks]
    g["client"] = factories.make_client(
        client_type_id=g["type"][0].id,
        sales_zone_id=g["zone"][0].id,
        family_id=g["family"][0].id,
        segment3_id=g["segment"][0].id,
        category1_id=food.id,
        subcategory1_id=dairy.id,
    )
    g["other"] = factories.make_client()
    return g


def in_force_messages(client, on=None) -> set[str]:
    return {n.message for n in services.notices_in_force(client, on)}


@pytest.mark.parametrize(
    ("kind", "group", "reaching", "missing"),
    [
        ("client_type", "type", 0, 1),
        ("zone", "zone", 0, 1),
        ("family", "family", 0, 1),
        ("segment", "segment", 0, 1),  # the client's segment 3 reaches; a level-1 one does not
        ("category", "category", 0, 2),  # its category reaches; a category it lacks does not
        ("category", "category", 1, 2),  # so does its subcategory
    ],
)
def test_a_group_notice_reaches_the_clients_of_that_group_only(
    groups, kind, group, reaching, missing
):
    make_notice(groups[group][reaching], kind, message="para el grupo")
    make_notice(groups[group][missing], kind, message="para otro grupo")
    assert in_force_messages(groups["client"]) == {"para el grupo"}
    assert in_force_messages(groups["other"]) == set()


def test_segments_of_every_level_and_a_second_category_scheme_reach(groups):
    client = groups["client"]
    client.segment1_id = groups["segment"][1].id
    client.category2_id = groups["category"][2].id
    make_notice(groups["segment"][1], "segment", message="nivel uno")
    make_notice(groups["category"][2], "category", message="bebidas")
    assert in_force_messages(client) == {"nivel uno", "bebidas"}


def test_a_client_notice_is_for_that_client_only(groups):
    make_notice(groups["client"], message="solo este")
    assert in_force_messages(groups["client"]) == {"solo este"}
    assert in_force_messages(groups["other"]) == set()


def test_future_expired_and_deleted_notices_are_not_in_force_and_ends_count(groups):
    client = groups["client"]
    make_notice(client, message="hoy", valid_from=days(0), valid_to=days(0))
    make_notice(client, message="mañana", valid_from=days(1))
    make_notice(client, message="ayer", valid_from=days(-5), valid_to=days(-1))
    make_notice(client, message="borrado").deleted_at = utcnow()
    assert in_force_messages(client) == {"hoy"}
    assert in_force_messages(client, on=days(1)) == {"mañana"}
    assert in_force_messages(client, on=days(-1)) == {"ayer"}


def test_notices_come_important_first_then_the_newest(groups):
    client, now = groups["client"], utcnow()
    make_notice(client, message="info nueva", created_at=now)
    make_notice(groups["zone"][0], "zone", severity="important", message="importante vieja",
                created_at=now - timedelta(days=3))  # fmt: skip
    make_notice(client, severity="warning", message="advertencia", created_at=now)
    make_notice(groups["type"][0], "client_type", severity="important", message="importante nueva",
                created_at=now - timedelta(days=1))  # fmt: skip
    make_notice(client, message="info vieja", created_at=now - timedelta(days=9))
    shown = [n.message for n in services.notices_in_force(client)]
    assert shown == [
        "importante nueva",
        "importante vieja",
        "advertencia",
        "info nueva",
        "info vieja",
    ]


def audit_rows(notice_id: int) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.entity_type == "notice", AuditEntry.entity_id == str(notice_id))
        .order_by(AuditEntry.id)
    ).all()


VALUES = {
    "message": "  Cobrar antes de entregar  ",
    "severity": "important",
    "valid_from": days(0),
    "valid_to": None,
    "target_kind": "zone",
}


def test_create_update_and_delete_write_audit_rows_and_soft_delete(groups):
    author = factories.make_user(role="backoffice")
    values = VALUES | {"target_id": groups["zone"][0].id}
    notice = services.create_notice(values, author)
    assert (notice.message, notice.created_by_id) == ("Cobrar antes de entregar", author.id)
    assert notice.change_seq > 0
    services.update_notice(notice, values | {"valid_to": days(10)}, author)
    services.update_notice(notice, values | {"valid_to": days(10)}, author)  # no change
    services.delete_notice(notice)
    services.delete_notice(notice)  # already down
    rows = audit_rows(notice.id)
    assert [r.action for r in rows] == ["notice.create", "notice.update", "notice.delete"]
    assert rows[0].after["target_kind"] == "zone" and rows[0].after["valid_from"]
    assert rows[1].before == {"valid_to": None}
    assert rows[1].after == {"valid_to": days(10).isoformat()}
    assert notice.is_deleted
    assert services.notices_in_force(groups["client"]) == []


def test_mark_seen_is_recorded_once(groups):
    user, client = factories.make_user(), groups["client"]
    notice = make_notice(client)
    first = services.mark_seen(notice, user, client)
    again = services.mark_seen(notice, user, client)
    assert first is again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NoticeSeen)) == 1
    assert [r.action for r in audit_rows(notice.id)] == ["notice.seen"]
    shown = services.shown_notices(user, client)
    assert shown[0].seen is first and shown[0].seen_text.startswith("Visto por vos el ")
    other_user = factories.make_user()
    assert services.shown_notices(other_user, client)[0].seen is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"message": "   "}, "message", "Escribí el aviso."),
        ({"message": "x" * 501}, "message", "Hasta 500 caracteres."),
        ({"severity": "loud"}, "severity", "Elegí la importancia del aviso."),
        ({"valid_from": None}, "valid_from", "Indicá desde cuándo rige el aviso."),
        ({"valid_to": days(-1)}, "valid_to", "La fecha hasta no puede ser anterior a la fecha "
                                             "desde."),
        ({"target_kind": "planet"}, "target_kind", "Elegí a quién va dirigido el aviso."),
        ({"target_id": None}, "target_id", "Elegí a qué zona de venta va dirigido."),
        ({"target_id": 999999}, "target_id", "Elegí una opción de la lista."),
        ({"target_kind": "client", "target_id": None}, "target_id", "Buscá y elegí el cliente."),
    ],
)  # fmt: skip
def test_a_notice_that_cannot_be_saved_says_why_in_spanish(groups, change, field, message):
    author = factories.make_user(role="backoffice")
    values = VALUES | {"target_id": groups["zone"][0].id} | change
    with pytest.raises(services.NoticeError) as error:
        services.create_notice(values, author)
    assert error.value.fields[field] == message


def test_a_salesperson_scoped_user_may_aim_only_at_clients_in_their_scope(groups):
    supervisor = factories.make_user(role="supervisor")
    seller = factories.make_user(role="salesperson", supervisor_id=supervisor.id)
    groups["client"].salesperson_id = seller.id
    values = VALUES | {"target_kind": "client"}
    ok = services.create_notice(values | {"target_id": groups["client"].id}, supervisor)
    assert ok.target_id == groups["client"].id
    with pytest.raises(services.NoticeError) as error:
        services.create_notice(values | {"target_id": groups["other"].id}, supervisor)
    assert error.value.fields == {"target_id": "Elegí un cliente de tu cartera."}
    # groups need no scope
    services.create_notice(VALUES | {"target_id": groups["zone"][1].id}, supervisor)
