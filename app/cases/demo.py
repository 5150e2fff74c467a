"""Demo cases: a dozen claims, returns, complaints and questions over vendedor1's clients and
a few others, in every state, one overdue and one with a long history of comments."""

import random
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.cases import services
from app.cases.models import Case, CaseEvent
from app.cases.rules import CaseKind, CaseState, add_working_days
from app.clients.models import Client
from app.core.types import local_today, utcnow
from app.extensions import db


@dataclass(frozen=True)
class DemoCase:
    """A case to write: what it is about, where it stands, and how many days ago it began."""

    kind: CaseKind
    subject: str
    description: str
    state: CaseState
    age: int  # days since it was opened
    comments: tuple[str, ...] = ()


DEMO_CASES = [
    DemoCase(CaseKind.CLAIM, "Faltaron 2 cajas de gaseosa cola 2,25 L",
             "El remito dice 10 cajas y llegaron 8. El chofer firmó igual.",
             CaseState.OPEN, 9,
             ("Llamé al depósito: revisan la carga del camión 3.",
              "El depósito confirma que salieron 10 cajas; pedimos foto del remito firmado.",
              "El cliente manda la foto mañana.",
              "Revisar con el chofer el jueves.")),
    DemoCase(CaseKind.RETURN, "Devolución de yogur vencido (12 unidades)",
             "Llegó con fecha de ayer. El cliente lo separó en la heladera.",
             CaseState.IN_PROGRESS, 2, ("Retira el camión del martes.",)),
    DemoCase(CaseKind.COMPLAINT, "El repartidor dejó la mercadería en la vereda",
             "No esperó a que abrieran la persiana.", CaseState.WAITING_CLIENT, 3),
    DemoCase(CaseKind.QUESTION, "¿Tienen la galletita de agua en caja de 24?",
             "Pregunta por precio mayorista.", CaseState.RESOLVED, 6,
             ("Sí, código 1021; se la ofrecí en la visita.",)),
    DemoCase(CaseKind.CLAIM, "Factura con precio de lista viejo",
             "Le facturaron el aceite a precio de la lista anterior.", CaseState.CLOSED, 20,
             ("Se emitió la nota de crédito por la diferencia.",)),
    DemoCase(CaseKind.RETURN, "Devuelve 3 packs de agua con el envase roto",
             "", CaseState.OPEN, 0),
    DemoCase(CaseKind.QUESTION, "Quiere pasar a pagar con transferencia",
             "Pide el CBU de la empresa.", CaseState.OPEN, 1),
    DemoCase(CaseKind.COMPLAINT, "Le cobraron dos veces la misma factura",
             "Muestra dos recibos por la factura del mes pasado.", CaseState.IN_PROGRESS, 4),
    DemoCase(CaseKind.CLAIM, "Llegó vino tinto en lugar de blanco",
             "Pidió 6 cajas de blanco.", CaseState.RESOLVED, 8),
    DemoCase(CaseKind.QUESTION, "¿Cuándo llega la promo de verano?", "", CaseState.CLOSED, 30),
    DemoCase(CaseKind.RETURN, "Devolución de fideos con gorgojo",
             "Dos paquetes abiertos en el local.", CaseState.WAITING_CLIENT, 5),
    DemoCase(CaseKind.COMPLAINT, "El vendedor no pasó la semana pasada",
             "Se quedó sin mercadería el viernes.", CaseState.OPEN, 1),
]  # fmt: skip

# The path each final state is reached by.
PATHS = {
    CaseState.OPEN: (),
    CaseState.IN_PROGRESS: (CaseState.IN_PROGRESS,),
    CaseState.WAITING_CLIENT: (CaseState.IN_PROGRESS, CaseState.WAITING_CLIENT),
    CaseState.RESOLVED: (CaseState.IN_PROGRESS, CaseState.RESOLVED),
    CaseState.CLOSED: (CaseState.IN_PROGRESS, CaseState.RESOLVED, CaseState.CLOSED),
}


def add_demo_cases(rng: random.Random) -> list[Case]:
    """Write the demo cases over the demo clients and users that exist; return them."""
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    seller = users.get("vendedor1")
    office = users.get("oficina") or users.get("admin")
    supervisor = users.get("supervisor")
    clients = _clients(seller)
    if not clients:
        return []
    chosen = rng.sample(clients, min(len(clients), len(DEMO_CASES)))
    cases = []
    for index, (client, demo) in enumerate(zip(chosen, DEMO_CASES, strict=False)):
        opener = client.salesperson or seller or office
        data = {"kind": demo.kind.value, "subject": demo.subject, "description": demo.description}
        case = services.open_case(client, data, opener)
        worker = supervisor if index % 3 == 0 else office
        for state in PATHS[demo.state]:
            services.change_case(case, {"state": state.value}, worker)
        if worker is not None and demo.state != CaseState.OPEN:
            services.change_case(case, {"owner_id": worker.id}, worker)
        for text in demo.comments:
            services.add_comment(case, text, rng.choice([u for u in (opener, worker) if u]))
        _age(case, demo.age, rng)
        cases.append(case)
    db.session.flush()
    return cases


def _clients(seller: User | None) -> list[Client]:
    """Live clients, the salesperson's first (so vendedor1 sees cases on his cards)."""
    query = sa.select(Client).where(Client.deleted_at.is_(None)).order_by(Client.id)
    own = []
    if seller is not None:
        own = db.session.scalars(query.where(Client.salesperson_id == seller.id).limit(40)).all()
    others = db.session.scalars(query.limit(60)).all()
    return list(own[:8]) + [c for c in others if c not in own][:8]


def _age(case: Case, days: int, rng: random.Random) -> None:
    """Move the case (and its history, in order) back to when it was opened: the first case
    is well past its due date, so one of them is overdue."""
    start = utcnow() - timedelta(days=days, minutes=rng.randint(30, 600))
    case.created_at = start
    events = db.session.scalars(
        sa.select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
    ).all()
    step = timedelta(days=days) / max(len(events), 1)
    for n, event in enumerate(events):
        event.at = start + step * n
    case.updated_at = events[-1].at if events else start
    opened = local_today() - timedelta(days=days)
    target = services.target_days()[case.kind]
    case.due_on = add_working_days(opened, target)
    if case.closed_at is not None:
        case.closed_at = case.updated_at
