"""One notice for a hand-picked set of clients from the list (or every client of its search):
a client notice each, in one transaction, audited; a large set goes through the job queue; the
phone gets them through the sync feed."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from app.jobs.models import Job
from app.notices import client_sets
from app.notices.models import Notice
from app.notices.services import NoticeError
from tests import factories
from tests.api.test_clients import api  # noqa: F401  (fixture)
from tests.conftest import csrf_from
from tests.notices.conftest import days
from tests.sync.test_feed import sync

VALUES = {
    "message": "Llegó la promo de galletitas 3x2",
    "severity": "info",
    "audience": "sales",
    "valid_from": days(0),
    "valid_to": days(30),
}


def notices_of(client_id: int) -> list[str]:
    return db.session.scalars(
        sa.select(Notice.message).where(
            Notice.target_kind == "client", Notice.target_id == client_id
        )
    ).all()


def actions() -> list[str]:
    return db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def form_data(page: str, **values) -> dict:
    return {
        "csrf_token": csrf_from(page),
        "message": VALUES["message"],
        "severity": "info",
        "audience": "sales",
        "valid_from": days(0).isoformat(),
        "valid_to": "",
    } | values


def test_the_service_makes_a_client_notice_for_each_with_audit_rows(app):
    office = factories.make_user("backoffice")
    clients = [factories.make_client() for _ in range(3)]
    ids = [c.id for c in clients]

    notices = client_sets.create_for_clients(VALUES, office, ids)
    db.session.commit()

    assert sorted(n.target_id for n in notices) == sorted(ids)
    assert all(notices_of(i) == [VALUES["message"]] for i in ids)
    assert actions() == ["notice.create"] * 3 + ["notice.create_set"]
    summary = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "notice.create_set")
    )
    assert summary.after["clients"] == 3 and summary.after["client_ids"] == ids


def test_bad_values_or_no_clients_write_nothing(app):
    office = factories.make_user("backoffice")
    client = factories.make_client()
    with pytest.raises(NoticeError) as refused:
        client_sets.create_for_clients(VALUES | {"message": " "}, office, [client.id])
    assert set(refused.value.fields) == {"message"}
    with pytest.raises(NoticeError) as empty:
        client_sets.create_for_clients(VALUES, office, [])
    assert "client_ids" in empty.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0


def test_the_ids_are_kept_to_the_users_scope(app):
    boss = factories.make_user("supervisor")
    seller = factories.make_user("salesperson", supervisor_id=boss.id)
    team = factories.make_client(salesperson_id=seller.id)
    stranger = factories.make_client(salesperson_id=factories.make_user("salesperson").id)
    picked = client_sets.picked_ids([str(team.id), str(stranger.id), "x", "0", str(team.id)])
    assert picked == [team.id, stranger.id]
    assert client_sets.chosen_ids(boss, picked) == [team.id]


def test_the_list_offers_the_picker_to_the_office_and_supervisors(app, login_as):
    client = factories.make_client(legal_name="Almacén Don José SRL")
    db.session.commit()
    office = login_as("backoffice")
    page = office.get("/clients/?q=Don+Jos").get_data(as_text=True)
    assert 'form="client-pick"' in page and f'value="{client.id}"' in page
    assert "Crear aviso para estos" in page and 'name="all"' in page
    seller = login_as("salesperson")
    assert "Crear aviso para estos" not in seller.get("/clients/").get_data(as_text=True)


def test_hand_picked_clients_get_the_notice_from_the_page(app, login_as):
    picked = [factories.make_client(trade_name=f"Kiosco {n}") for n in range(3)]
    left_out = factories.make_client(trade_name="Kiosco afuera")
    db.session.commit()
    office = login_as("backoffice")
    query = "&".join(f"client_id={c.id}" for c in picked)
    page = office.get(f"/notices/for-clients?{query}").get_data(as_text=True)
    assert "Para 3 clientes" in page and "Kiosco 1" in page and "Kiosco afuera" not in page

    response = office.client.post(
        "/notices/for-clients", data=form_data(page) | {"client_id": [str(c.id) for c in picked]}
    )

    assert response.status_code == 303 and response.location.endswith("/notices/")
    assert "Se creó el aviso para 3 clientes." in office.get(response.location).get_data(
        as_text=True
    )
    assert all(notices_of(c.id) == [VALUES["message"]] for c in picked)
    assert notices_of(left_out.id) == []
    assert actions()[-1] == "notice.create_set"


def test_every_client_of_the_search_gets_it(app, login_as):
    office = login_as("supervisor")
    zone = factories.make_zone(name="Zona Sur")
    mine = {"salesperson_id": office.user.id}
    south = [factories.make_client(sales_zone_id=zone.id, **mine) for _ in range(4)]
    other = factories.make_client(**mine)
    factories.make_client(sales_zone_id=zone.id)  # not in the supervisor's team
    db.session.commit()
    page = office.get(f"/notices/for-clients?all=1&sales_zone_id={zone.id}").get_data(as_text=True)
    assert "Para 4 clientes" in page and "todos los de la búsqueda" in page
    response = office.client.post(
        "/notices/for-clients",
        data=form_data(page) | {"all": "1", "sales_zone_id": str(zone.id)},
    )
    assert response.status_code == 303
    assert all(notices_of(c.id) for c in south) and notices_of(other.id) == []


def test_bad_input_is_shown_on_the_form_and_nothing_is_made(app, login_as):
    client = factories.make_client()
    db.session.commit()
    office = login_as("backoffice")
    page = office.get(f"/notices/for-clients?client_id={client.id}").get_data(as_text=True)
    response = office.client.post(
        "/notices/for-clients",
        data=form_data(page, message="", valid_to=days(-5).isoformat())
        | {"client_id": str(client.id)},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Escribí el aviso." in body and "no puede ser anterior" in body
    nobody = office.client.post("/notices/for-clients", data=form_data(page))
    assert nobody.status_code == 422
    assert "Elegí al menos un cliente de la lista." in nobody.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0


def test_a_large_set_goes_through_the_job_queue(app, login_as, monkeypatch):
    monkeypatch.setattr(client_sets, "DIRECT_MOST", 2)
    clients = [factories.make_client() for _ in range(5)]
    db.session.commit()
    office = login_as("backoffice")
    page = office.get("/notices/for-clients?all=1").get_data(as_text=True)
    assert "segundo plano" in page
    response = office.client.post("/notices/for-clients", data=form_data(page) | {"all": "1"})
    assert response.status_code == 303 and "/jobs/" in response.location
    job = db.session.scalar(sa.select(Job))
    assert job.kind == "notices.for_clients"
    report = office.get(response.location).get_data(as_text=True)
    assert "Se creó el aviso para 5 clientes." in report
    assert all(notices_of(c.id) == [VALUES["message"]] for c in clients)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "notice.create_set"))
    assert entry.actor_id == office.user.id


def test_the_salespersons_phone_syncs_the_notice(app, login_as, api):  # noqa: F811
    seller = api("salesperson")
    mine = factories.make_client(salesperson_id=seller.user.id)
    db.session.commit()
    before = sync(seller)
    office = factories.make_user("backoffice")
    client_sets.create_for_clients(VALUES, office, [mine.id])
    db.session.commit()
    after = sync(seller, before["cursor"])
    (card,) = after["clients"]
    assert card["id"] == mine.id
    assert [n["message"] for n in card["notices"]] == [VALUES["message"]]


def test_salespeople_may_not_write_notices_for_a_set(app, login_as):
    assert login_as("salesperson").get("/notices/for-clients").status_code == 403


# --- the API -----------------------------------------------------------------------------------


def api_body(client_ids, **fields) -> dict:
    return {
        "client_ids": client_ids,
        "message": VALUES["message"],
        "severity": "warning",
        "valid_from": days(0).isoformat(),
        "valid_to": days(7).isoformat(),
    } | fields


def test_the_api_makes_the_notices_once_per_key(api):  # noqa: F811
    office = api("backoffice")
    clients = [factories.make_client() for _ in range(2)]
    db.session.commit()
    body = api_body([c.id for c in clients])

    answer = office.post("/api/v1/notices/for-clients", json=body, key="set-notice-0001")
    again = office.post("/api/v1/notices/for-clients", json=body, key="set-notice-0001")

    assert answer.status_code == 201, answer.json
    assert answer.json["clients"] == 2 and answer.json["job_id"] is None
    assert again.status_code == 201 and again.json == answer.json
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 2
    assert all(notices_of(c.id) == [VALUES["message"]] for c in clients)


def test_the_api_refuses_bad_fields_and_clients_out_of_scope(api):  # noqa: F811
    boss = api("supervisor")
    mine = factories.make_client(salesperson_id=boss.user.id)
    stranger = factories.make_client()
    db.session.commit()
    bad = boss.post(
        "/api/v1/notices/for-clients",
        json=api_body([mine.id], message="", valid_to=days(-3).isoformat()),
    )
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"message", "valid_to"}
    outside = boss.post("/api/v1/notices/for-clients", json=api_body([mine.id, stranger.id]))
    assert outside.status_code == 422
    assert "client_ids" in outside.json["error"]["fields"]
    empty = boss.post("/api/v1/notices/for-clients", json=api_body([]))
    assert empty.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0
    seller = api("salesperson")
    assert seller.post("/api/v1/notices/for-clients", json=api_body([1])).status_code == 403


def test_the_api_hands_a_large_set_to_a_job(api, monkeypatch):  # noqa: F811
    monkeypatch.setattr(client_sets, "DIRECT_MOST", 1)
    office = api("backoffice")
    clients = [factories.make_client() for _ in range(3)]
    db.session.commit()
    answer = office.post("/api/v1/notices/for-clients", json=api_body([c.id for c in clients]))
    assert answer.status_code == 202 and answer.json["job_id"]
    assert answer.json["clients"] == 3
    assert all(notices_of(c.id) == [VALUES["message"]] for c in clients)


def test_the_demo_has_a_notice_sent_to_a_hand_picked_set(app):
    from app.auth.models import User
    from app.clients.models import Client
    from app.demo.commands import load_demo_data
    from app.notices.demo import SET_NOTICE

    load_demo_data(clients=40, seed=3, history=False)
    targets = db.session.scalars(
        sa.select(Notice.target_id).where(Notice.message == SET_NOTICE)
    ).all()
    assert len(targets) == 6
    seller = db.session.scalar(sa.select(User).where(User.username == "vendedor1"))
    owners = db.session.scalars(sa.select(Client.salesperson_id).where(Client.id.in_(targets)))
    assert set(owners) == {seller.id}
    assert "notice.create_set" in actions()
