"""The demo-data command: realistic, reproducible, only into an empty database."""

import random

import sqlalchemy as sa
from stdnum.ar import cuit

from app.audit.models import AuditEntry
from app.auth.models import Role, User
from app.clients.models import Address, Client, ClientNote, Zone
from app.demo.clients import DOOR_PROSPECTS, make_client
from app.demo.reference import DEMO_PASSWORD
from app.extensions import db
from tests.conftest import Browser


def test_demo_data_creates_the_demo_users_and_clients(app, runner):
    result = runner.invoke(args=["demo-data", "--clients", "120", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "120 clientes" in result.output

    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    expected = {
        "admin",
        "supervisor",
        "vendedor1",
        "vendedor2",
        "vendedor3",
        "cobrador1",
        "cobrador2",
    }
    assert expected <= set(users)
    assert users["vendedor1"].role == Role.SALESPERSON
    assert users["cobrador2"].supervisor_id == users["supervisor"].id

    clients = db.session.scalars(sa.select(Client).order_by(Client.id)).all()
    clients, prospects = clients[:120], clients[120:]
    assert len(prospects) == len(DOOR_PROSPECTS)
    assert all(cuit.is_valid(c.tax_id) for c in clients)
    assert all(c.salesperson_id and c.collector_id and c.sales_zone_id for c in clients)
    assert len({c.code for c in clients}) == 120
    assert len({c.change_seq for c in clients}) == 120
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Zone)) >= 8
    provinces = {c.province for c in clients}
    assert {"Buenos Aires", "Córdoba"} <= provinces

    assert Browser(app.test_client()).login("vendedor1", DEMO_PASSWORD).status_code == 303


def test_demo_data_has_prospects_vendedor1_registered_at_the_door(app, runner):
    assert runner.invoke(args=["demo-data", "--clients", "20", "--seed", "4"]).exit_code == 0
    seller = db.session.scalar(sa.select(User).where(User.username == "vendedor1"))
    prospects = db.session.scalars(sa.select(Client).where(Client.id > 20)).all()
    assert [p.trade_name for p in prospects] == [shop[0] for shop in DOOR_PROSPECTS]
    assert {(p.state, p.salesperson_id, p.collector_id) for p in prospects} == {
        ("potential", seller.id, None)
    }
    assert all(cuit.is_valid(p.tax_id) for p in prospects)
    located = db.session.scalars(
        sa.select(Address).where(
            Address.client_id.in_([p.id for p in prospects]), Address.latitude.is_not(None)
        )
    ).all()
    assert len(located) == 2 and {a.kind for a in located} == {"fiscal"}
    notes = db.session.scalars(
        sa.select(ClientNote).where(ClientNote.client_id.in_([p.id for p in prospects]))
    ).all()
    assert len(notes) == 2 and {n.author_id for n in notes} == {seller.id}
    created = db.session.scalars(
        sa.select(AuditEntry.entity_id).where(AuditEntry.action == "client.create")
    ).all()
    assert sorted(created) == sorted(str(p.id) for p in prospects)


def test_demo_data_is_reproducible_for_a_seed():
    refs = {
        "types": dict.fromkeys(["KIO", "MIN", "MAY", "SUP", "CON"], 1),
        "lists": {"MAY": 1, "MIN": 2},
    }
    zone = {
        "id": 1,
        "province": "Córdoba",
        "area": "0351",
        "cities": [("Córdoba", "5000")],
        "salesperson_id": 1,
        "collector_id": 2,
    }
    first = [make_client(random.Random(5), n, zone, refs) for n in range(1, 20)]
    again = [make_client(random.Random(5), n, zone, refs) for n in range(1, 20)]
    other = [make_client(random.Random(6), n, zone, refs) for n in range(1, 20)]
    assert first == again
    assert first != other


def test_demo_data_refuses_a_database_with_data(app, runner):
    assert runner.invoke(args=["demo-data", "--clients", "5"]).exit_code == 0
    result = runner.invoke(args=["demo-data", "--clients", "5"])
    assert result.exit_code == 1
    assert "ya tiene datos" in result.output
    skipped = runner.invoke(args=["demo-data", "--clients", "5", "--if-empty"])
    assert skipped.exit_code == 0
    clients = db.session.scalar(sa.select(sa.func.count()).select_from(Client))
    assert clients == 5 + len(DOOR_PROSPECTS)


def test_create_user_command(app, runner):
    result = runner.invoke(
        args=["create-user", "ana", "--full-name", "Ana Pérez", "--password", "clave-larga-1"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User.role).where(User.username == "ana")) == "admin"
    short = runner.invoke(args=["create-user", "beto", "--full-name", "B", "--password", "corta"])
    assert short.exit_code == 1
    assert "al menos 8 caracteres" in short.output


def test_demo_data_has_a_supermarket_chain_and_no_other_shared_cuit(app, runner):
    assert runner.invoke(args=["demo-data", "--clients", "60", "--seed", "3"]).exit_code == 0
    clients = db.session.scalars(sa.select(Client).order_by(Client.id)).all()
    main, *branches = clients[:3]
    assert main.branch_of_id is None
    assert [b.branch_of_id for b in branches] == [main.id, main.id]
    assert {c.tax_id for c in clients[:3]} == {main.tax_id}
    assert len({c.tax_id for c in clients[3:]} | {main.tax_id}) == len(clients) - 2
