"""Case pages: the card's section, a new case, the case page and its forms, the list, the
targets; what the user sees and what the database holds."""

import io
import re

import sqlalchemy as sa

from app.cases import services
from app.cases.models import Case, CaseEvent, CasePhoto
from app.extensions import db
from app.ledger.models import Document
from tests import factories
from tests.cases.conftest import open_case
from tests.conftest import csrf_from

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_the_card_shows_the_clients_cases_and_a_link_to_open_one(seller):
    client = seller.own
    open_case(client, seller.user, subject="Llegó la gaseosa sin frío")
    db.session.commit()
    page = seller.get(f"/clients/{client.id}").get_data(as_text=True)
    section = page[page.index('id="cases"') :]
    assert "Llegó la gaseosa sin frío" in section
    assert f'href="/cases/new?client_id={client.id}"' in section
    assert "Reclamo" in section and "Abierto" in section


def test_a_salesperson_opens_a_case_from_the_form_once(seller):
    client = seller.own
    form = seller.get(f"/cases/new?client_id={client.id}").get_data(as_text=True)
    assert 'name="kind" value="return"' in form
    data = {
        "csrf_token": csrf_from(form),
        "idempotency_key": "case-form-0001",
        "client_id": client.id,
        "kind": "return",
        "subject": "Devuelve 2 cajas de galletitas",
        "description": "Vencidas",
    }
    first = seller.client.post("/cases/new", data=data)
    again = seller.client.post("/cases/new", data=data)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    case = db.session.scalars(sa.select(Case).where(Case.client_id == client.id)).one()
    assert (case.kind, case.subject, case.created_by_id) == (
        "return",
        "Devuelve 2 cajas de galletitas",
        seller.user.id,
    )
    shown = seller.get(first.headers["Location"]).get_data(as_text=True)
    assert "Devuelve 2 cajas de galletitas" in shown and "Caso abierto" in shown


def test_a_refused_case_form_says_why_by_each_field(seller):
    form = seller.get(f"/cases/new?client_id={seller.own.id}").get_data(as_text=True)
    answer = seller.client.post(
        "/cases/new",
        data={"csrf_token": csrf_from(form), "client_id": seller.own.id, "subject": ""},
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert '<div class="field-error" id="kind-error">Elegí el tipo de caso.</div>' in page
    assert '<div class="field-error" id="subject-error">Este campo es obligatorio.</div>' in page
    assert count(Case) == 0


def test_another_salespersons_client_and_case_are_not_found(seller):
    other = factories.make_client(salesperson_id=factories.make_user("salesperson").id)
    case = open_case(other)
    db.session.commit()
    assert seller.get(f"/cases/new?client_id={other.id}").status_code == 404
    assert seller.get(f"/cases/{case.id}").status_code == 404
    listing = seller.get("/cases/").get_data(as_text=True)
    assert "Faltó un bulto" not in listing
    filtered = seller.get(f"/cases/?client_id={other.id}").get_data(as_text=True)
    assert other.display_name not in filtered and "No hay casos con estos filtros." in filtered


def test_comments_state_changes_and_photos_from_the_case_page(seller):
    case = open_case(seller.own, seller.user)
    db.session.commit()
    page = seller.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'accept="image/*" capture="environment"' in page
    token = csrf_from(page)
    seller.client.post(f"/cases/{case.id}/comments", data={"csrf_token": token, "text": "Hola"})
    moved = seller.client.post(
        f"/cases/{case.id}/change",
        data={"csrf_token": token, "state": "waiting_client", "note": "Espera la foto"},
    )
    assert moved.status_code == 303
    sent = seller.client.post(
        f"/cases/{case.id}/photos",
        data={"csrf_token": token, "photo": (io.BytesIO(JPEG), "foto.jpg")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    fake = seller.client.post(
        f"/cases/{case.id}/photos",
        data={"csrf_token": token, "photo": (io.BytesIO(b"<svg/>"), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422
    assert "El archivo no es una foto" in fake.get_data(as_text=True)
    db.session.expire_all()
    photo = db.session.scalars(sa.select(CasePhoto)).one()
    image = seller.get(f"/cases/{case.id}/photos/{photo.id}")
    assert image.mimetype == "image/jpeg" and image.data == JPEG
    shown = seller.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Esperando al cliente" in shown and "Espera la foto" in shown and "Hola" in shown
    assert "Foto agregada" in shown
    actions = db.session.scalars(
        sa.select(CaseEvent.action).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ).all()
    assert actions == ["created", "comment", "state", "photo"]


def test_a_closed_case_cannot_go_back_to_work_and_the_page_says_so(seller):
    case = open_case(seller.own, seller.user)
    services.change_case(case, {"state": "closed"}, seller.user)
    db.session.commit()
    token = csrf_from(seller.get(f"/cases/{case.id}").get_data(as_text=True))
    answer = seller.client.post(
        f"/cases/{case.id}/change", data={"csrf_token": token, "state": "open"}
    )
    assert answer.status_code == 422
    assert "Para reabrir un caso cerrado, escribí el motivo." in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).state == "closed"


def test_the_office_accepts_a_return_with_a_credit_note(office):
    client = factories.make_client()
    case = open_case(client, kind="return", subject="Devolución de aceite")
    db.session.commit()
    page = office.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'name="credit_amount"' in page and 'name="owner_id"' in page
    answer = office.client.post(
        f"/cases/{case.id}/change",
        data={
            "csrf_token": csrf_from(page),
            "state": "resolved",
            "credit_amount": "1.500,00",
            "owner_id": office.user.id,
            "due_on": case.due_on.isoformat(),
        },
    )
    assert answer.status_code == 303
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    note = db.session.get(Document, case.credit_note_id)
    assert (case.state, case.owner_id, str(note.amount)) == ("resolved", office.user.id, "1500.00")
    shown = office.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Nota de crédito emitida" in shown and "Ver comprobante" in shown


def test_the_list_filters_and_shows_overdue_cases_first(office):
    client = factories.make_client()
    late = open_case(client, subject="Reclamo atrasado")
    late.due_on = late.due_on.replace(year=2020)
    open_case(client, kind="question", subject="Consulta de precios")
    db.session.commit()
    page = office.get("/cases/").get_data(as_text=True)
    assert page.index("Reclamo atrasado") < page.index("Consulta de precios")
    assert re.search(r"Vencido \d\d/\d\d/2020", page)
    only = office.get("/cases/?kind=question", headers={"HX-Request": "true"})
    text = only.get_data(as_text=True)
    assert "<html" not in text and "Consulta de precios" in text and "atrasado" not in text
    unassigned = office.get(f"/cases/?owner=none&client_id={client.id}").get_data(as_text=True)
    assert "2 casos" in unassigned


def test_the_office_sets_the_target_days(office, seller):
    page = office.get("/cases/targets").get_data(as_text=True)
    assert 'name="claim" inputmode="numeric" value="3"' in page
    answer = office.client.post(
        "/cases/targets",
        data={"csrf_token": csrf_from(page), "claim": "4", "return": "x", "complaint": "2",
              "question": "2"},
    )  # fmt: skip
    assert answer.status_code == 422 and "Entre 0 y 60 días hábiles." in answer.get_data(
        as_text=True
    )
    assert services.target_days()["claim"] == 3
    office.client.post(
        "/cases/targets",
        data={"csrf_token": csrf_from(page), "claim": "4", "return": "5", "complaint": "2",
              "question": "2"},
    )  # fmt: skip
    assert services.target_days()["claim"] == 4
    assert seller.get("/cases/targets").status_code == 403


def test_a_case_can_be_about_one_of_the_clients_invoices(seller):
    client = seller.own
    invoice = factories.post_document(client, "invoice", "5000.00")
    db.session.commit()
    form = seller.get(f"/cases/new?client_id={client.id}").get_data(as_text=True)
    assert f'<option value="{invoice.id}"' in form and "Comprobante (opcional)" in form
    answer = seller.client.post(
        "/cases/new",
        data={"csrf_token": csrf_from(form), "client_id": client.id, "kind": "claim",
              "subject": "Factura con precio viejo", "document_id": invoice.id},
    )  # fmt: skip
    assert answer.status_code == 303
    case = db.session.scalars(sa.select(Case).where(Case.client_id == client.id)).one()
    assert case.document_id == invoice.id
    page = seller.get(answer.headers["Location"]).get_data(as_text=True)
    assert f'href="/ledger/documents/{invoice.id}"' in page
