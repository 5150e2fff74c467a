"""Notice pages: the card's bands and "Visto", the form, the list, permissions and deleting."""

import re

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from app.notices.models import Notice, NoticeSeen
from tests import factories
from tests.conftest import csrf_from
from tests.notices.conftest import days, make_notice

HTMX = {"HX-Request": "true"}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def actions() -> list[str]:
    return db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.entity_type == "notice")
        .order_by(AuditEntry.id)
    ).all()


# --- the card ----------------------------------------------------------------------------------


def test_the_card_shows_an_important_notice_first_for_the_salesperson(seller):
    client = seller.own
    make_notice(client, message="Cobrar antes de vender", severity="important")
    zone = factories.make_zone(name="Zona Norte")
    client.sales_zone_id = zone.id
    make_notice(zone, "zone", message="Corte de calle: entregar por la mañana", severity="warning")
    make_notice(client, message="Promo que ya venció", valid_to=days(-1))
    db.session.commit()
    page = seller.get(f"/clients/{client.id}").get_data(as_text=True)
    main = page[page.index('<main id="main">') :]
    important = main.index("Cobrar antes de vender")
    assert important < main.index("Corte de calle") < main.index("<h1>")
    assert 'class="notice important"' in main and 'role="alert"' in main
    assert "Zona de venta: " in main  # why a group notice applies
    assert "Promo que ya venció" not in main
    assert main.count(">Visto</button>") == 2
    assert "Nuevo aviso" not in main  # salespeople do not write notices


def test_visto_records_once_and_shows_when(seller):
    client = seller.own
    notice = make_notice(client, message="Pide factura A", severity="warning")
    db.session.commit()
    card = seller.get(f"/clients/{client.id}").get_data(as_text=True)
    token = csrf_from(card)
    for key in ("clave-visto-0001", "clave-visto-0002"):
        response = seller.client.post(
            f"/notices/{notice.id}/seen",
            data={"csrf_token": token, "client_id": client.id, "idempotency_key": key},
            headers=HTMX,
        )
        assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment
    assert re.search(r"Visto por vos el \d\d/\d\d/\d{4} \d\d:\d\d", fragment)
    assert 'class="notice warning seen"' in fragment and ">Visto</button>" not in fragment
    assert count(NoticeSeen) == 1
    mark = db.session.scalar(sa.select(NoticeSeen))
    assert (mark.notice_id, mark.user_id, mark.client_id) == (notice.id, seller.user.id, client.id)
    assert actions() == ["notice.seen"]
    card = seller.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Pide factura A" in card and 'class="notice warning seen"' in card  # compact


def test_visto_without_htmx_goes_back_to_the_card(seller):
    notice = make_notice(seller.own)
    db.session.commit()
    token = csrf_from(seller.get(f"/clients/{seller.own.id}").get_data(as_text=True))
    response = seller.client.post(
        f"/notices/{notice.id}/seen", data={"csrf_token": token, "client_id": seller.own.id}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/clients/{seller.own.id}")


def test_visto_for_a_notice_of_another_client_or_out_of_scope_is_404(seller):
    stranger = factories.make_client()
    theirs = make_notice(stranger)
    mine = make_notice(seller.own)
    db.session.commit()
    token = csrf_from(seller.get(f"/clients/{seller.own.id}").get_data(as_text=True))
    for notice_id, client_id in ((theirs.id, seller.own.id), (mine.id, stranger.id),
                                 (theirs.id, stranger.id), (mine.id, "x")):  # fmt: skip
        response = seller.client.post(
            f"/notices/{notice_id}/seen", data={"csrf_token": token, "client_id": client_id}
        )
        assert response.status_code == 404
    assert count(NoticeSeen) == 0


def test_the_office_gets_a_new_notice_link_on_the_card(office):
    client = factories.make_client()
    db.session.commit()
    page = office.get(f"/clients/{client.id}").get_data(as_text=True)
    assert f'href="/notices/new?client_id={client.id}"' in page


# --- the form ----------------------------------------------------------------------------------


def post_form(browser, path: str, **fields):
    """POST the notice form with the page's token."""
    token = csrf_from(browser.get(path).get_data(as_text=True))
    return browser.client.post(path, data={"csrf_token": token, **fields})


FORM = {"message": "Corte de calle", "severity": "warning", "valid_from": "2026-11-23"}


def test_an_empty_message_without_target_is_refused_with_spanish_messages(office):
    response = post_form(office, "/notices/new", message="  ", severity="info", valid_from="",
                         target_kind="zone", target_id="")  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Escribí el aviso." in page
    assert "Indicá desde cuándo rige el aviso." in page
    assert "Elegí a qué zona de venta va dirigido." in page
    assert count(Notice) == 0 and actions() == []


def test_an_end_before_the_start_and_a_bad_date_are_refused(office):
    zone = factories.make_zone()
    db.session.commit()
    response = post_form(office, "/notices/new", **FORM, valid_to="2026-11-01",
                         target_kind="zone", target_id=str(zone.id))  # fmt: skip
    assert response.status_code == 422
    assert "La fecha hasta no puede ser anterior a la fecha desde." in response.get_data(
        as_text=True
    )
    response = post_form(office, "/notices/new", **(FORM | {"valid_from": "23/11/2026"}),
                         target_kind="zone", target_id=str(zone.id))  # fmt: skip
    assert response.status_code == 422
    assert "Fecha inválida." in response.get_data(as_text=True)
    assert count(Notice) == 0


def test_a_client_notice_without_a_client_is_refused(office):
    response = post_form(office, "/notices/new", **FORM, target_kind="client")
    assert response.status_code == 422
    assert "Buscá y elegí el cliente." in response.get_data(as_text=True)
    assert count(Notice) == 0


def test_the_office_writes_a_zone_notice(office):
    zone = factories.make_zone(name="Zona Norte")
    db.session.commit()
    response = post_form(office, "/notices/new", **FORM, valid_to="2026-12-05",
                         target_kind="zone", target_id=str(zone.id))  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/notices/")
    notice = db.session.scalar(sa.select(Notice))
    assert (notice.target_kind, notice.target_id, notice.severity) == ("zone", zone.id, "warning")
    assert notice.created_by_id == office.user.id
    assert actions() == ["notice.create"]


def test_a_notice_started_from_the_card_is_for_that_client_and_goes_back_to_it(office):
    client = factories.make_client(trade_name="Almacén Don José")
    db.session.commit()
    form = office.get(f"/notices/new?client_id={client.id}").get_data(as_text=True)
    assert re.search(rf'value="{client.id}" checked', form) and "Almacén Don José" in form
    assert 'name="back" value="card"' in form
    response = office.client.post(
        "/notices/new",
        data={"csrf_token": csrf_from(form), **FORM, "target_kind": "client",
              "target_id": str(client.id), "back": "card"},
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/clients/{client.id}")
    card = office.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Corte de calle" in card


def test_the_target_picker_follows_the_kind(office):
    zone = factories.make_zone(name="Zona Oeste")
    factories.make_client(trade_name="Kiosco La Esquina")
    db.session.commit()
    picker = office.get("/notices/targets?kind=zone", headers=HTMX).get_data(as_text=True)
    assert '<select id="target_id" name="target_id"' in picker and "Zona Oeste" in picker
    assert f'value="{zone.id}"' in picker and "<html" not in picker
    picker = office.get("/notices/targets?target_kind=client", headers=HTMX).get_data(as_text=True)
    assert 'type="search"' in picker and "/notices/targets/clients" in picker
    found = office.get("/notices/targets/clients?q=esquina", headers=HTMX).get_data(as_text=True)
    assert "Kiosco La Esquina" in found and 'type="radio" name="target_id"' in found
    nothing = office.get("/notices/targets/clients?q=zzzz", headers=HTMX).get_data(as_text=True)
    assert "Ningún cliente de tu cartera coincide" in nothing


def test_editing_changes_the_notice_and_audits_only_the_change(office):
    zone = factories.make_zone()
    notice = make_notice(zone, "zone", message="Antes", valid_from=days(0))
    db.session.commit()
    path = f"/notices/{notice.id}/edit"
    page = office.get(path).get_data(as_text=True)
    assert "Antes" in page and f'value="{zone.id}" selected' in page
    response = post_form(office, path, message="Después", severity="info",
                         valid_from=days(0).isoformat(), target_kind="zone",
                         target_id=str(zone.id))  # fmt: skip
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Notice, notice.id).message == "Después"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "notice.update"))
    assert (entry.before, entry.after) == ({"message": "Antes"}, {"message": "Después"})


def test_deleting_hides_the_notice_everywhere(office):
    client = factories.make_client()
    notice = make_notice(client, message="Se va")
    db.session.commit()
    token = csrf_from(office.get(f"/notices/{notice.id}/edit").get_data(as_text=True))
    response = office.client.post(f"/notices/{notice.id}/delete", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Notice, notice.id).deleted_at is not None
    assert "Se va" not in office.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Se va" not in office.get("/notices/").get_data(as_text=True)
    assert office.get(f"/notices/{notice.id}/edit").status_code == 404
    assert actions() == ["notice.delete"]


# --- the list ----------------------------------------------------------------------------------


def test_the_list_filters_by_period_severity_and_words(office):
    zone = factories.make_zone()
    make_notice(zone, "zone", message="Vigente importante", severity="important")
    make_notice(zone, "zone", message="Programado", valid_from=days(3))
    make_notice(zone, "zone", message="Vencido", valid_from=days(-9), valid_to=days(-2))
    db.session.commit()

    def listed(query: str) -> set[str]:
        page = office.get(f"/notices/?{query}", headers=HTMX).get_data(as_text=True)
        assert "<html" not in page
        return {m for m in ("Vigente importante", "Programado", "Vencido") if m in page}

    assert listed("") == {"Vigente importante", "Programado", "Vencido"}
    assert listed("when=current") == {"Vigente importante"}
    assert listed("when=future") == {"Programado"}
    assert listed("when=past") == {"Vencido"}
    assert listed("severity=important") == {"Vigente importante"}
    assert listed("q=PROGRAM") == {"Programado"}
    assert listed("page=999999999999999999999") == set()


# --- who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["salesperson", "collector"])
def test_salespeople_and_collectors_read_notices_but_do_not_manage_them(login_as, role):
    browser = login_as(role)
    assert browser.get("/notices/").status_code == 403
    assert browser.get("/notices/new").status_code == 403
    token = csrf_from(browser.get("/account").get_data(as_text=True))
    response = browser.client.post("/notices/new", data={"csrf_token": token, **FORM})
    assert response.status_code == 403
    assert count(Notice) == 0


def test_a_supervisor_writes_for_groups_and_for_the_team_clients_only(login_as):
    supervisor = login_as("supervisor")
    seller = factories.make_user(role="salesperson", supervisor_id=supervisor.user.id)
    team_client = factories.make_client(salesperson_id=seller.id, trade_name="Del equipo")
    stranger = factories.make_client(trade_name="Ajeno")
    zone = factories.make_zone()
    theirs = make_notice(stranger, message="Aviso ajeno")
    db.session.commit()
    response = post_form(supervisor, "/notices/new", **FORM, target_kind="zone",
                         target_id=str(zone.id))  # fmt: skip
    assert response.status_code == 303
    response = post_form(supervisor, "/notices/new", **FORM, target_kind="client",
                         target_id=str(team_client.id))  # fmt: skip
    assert response.status_code == 303
    response = post_form(supervisor, "/notices/new", **FORM, target_kind="client",
                         target_id=str(stranger.id))  # fmt: skip
    assert response.status_code == 422
    assert "Elegí un cliente de tu cartera." in response.get_data(as_text=True)
    found = supervisor.get("/notices/targets/clients?q=del", headers=HTMX).get_data(as_text=True)
    assert "Del equipo" in found
    found = supervisor.get("/notices/targets/clients?q=ajeno", headers=HTMX).get_data(as_text=True)
    assert "Ajeno" not in found
    assert "Aviso ajeno" not in supervisor.get("/notices/").get_data(as_text=True)
    assert supervisor.get(f"/notices/{theirs.id}/edit").status_code == 404
    assert count(Notice) == 3
