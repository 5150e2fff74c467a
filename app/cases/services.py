"""Opening and working cases: every change and comment lands in the case's history and the
audit log; a return the office accepts can post a credit note. The request commits."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.models import User
from app.auth.permissions import can
from app.cases.models import Case, CaseEvent, CasePhoto, CaseTarget
from app.cases.rules import (
    DEFAULT_TARGET_DAYS,
    DONE_STATES,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    MAX_SUBJECT,
    MAX_TARGET_DAYS,
    MAX_TEXT,
    CaseKind,
    CaseState,
    add_working_days,
    can_move,
    image_type,
    is_overdue,
    needs_reason,
)
from app.clients.models import Client
from app.clients.services import scoped_clients, sees_trash
from app.core.types import local_today, utcnow
from app.extensions import db
from app.ledger.models import Document, DocumentKind, DocumentState
from app.ledger.parsing import allowed_kinds, parse_amount
from app.ledger.posting import post_document
from app.ledger.services import LedgerError, document_title
from app.orders.models import Order

KIND_LABELS = {
    CaseKind.CLAIM: _l("Reclamo"),
    CaseKind.RETURN: _l("Devolución"),
    CaseKind.COMPLAINT: _l("Queja"),
    CaseKind.QUESTION: _l("Consulta"),
}
STATE_LABELS = {
    CaseState.OPEN: _l("Abierto"),
    CaseState.IN_PROGRESS: _l("En curso"),
    CaseState.WAITING_CLIENT: _l("Esperando al cliente"),
    CaseState.RESOLVED: _l("Resuelto"),
    CaseState.CLOSED: _l("Cerrado"),
}
EVENT_LABELS = {
    "created": _l("Caso abierto"),
    "comment": _l("Comentario"),
    "state": _l("Cambio de estado"),
    "owner": _l("Cambio de responsable"),
    "due_on": _l("Cambio de vencimiento"),
    "photo": _l("Foto agregada"),
    "credit_note": _l("Nota de crédito emitida"),
}
PAGE_SIZE = 30


class CaseError(ValueError):
    """A case change refused, with a Spanish message per field."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


# --- targets ---------------------------------------------------------------------------------


def target_days() -> dict[str, int]:
    """Working days to answer each kind: the back office's, else the defaults."""
    stored = {row.kind: row.days for row in db.session.scalars(sa.select(CaseTarget))}
    return {kind.value: stored.get(kind.value, days) for kind, days in DEFAULT_TARGET_DAYS.items()}


def set_target_days(values: dict[str, object]) -> dict[str, int]:
    """Set the working days of each kind (0 to MAX_TARGET_DAYS); audited."""
    errors: dict[str, str] = {}
    parsed: dict[str, int] = {}
    for kind in CaseKind:
        raw = str(values.get(kind.value, "")).strip()
        if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_TARGET_DAYS:
            errors[kind.value] = _("Entre 0 y %(max)d días hábiles.", max=MAX_TARGET_DAYS)
        else:
            parsed[kind.value] = int(raw)
    if errors:
        raise CaseError(errors)
    before = target_days()
    for kind, days in parsed.items():
        row = db.session.get(CaseTarget, kind) or CaseTarget(kind=kind)
        row.days = days
        db.session.add(row)
    db.session.flush()
    audit.record("case.targets", "case_targets", "all", before, parsed)
    return parsed


# --- reading ---------------------------------------------------------------------------------


def scoped_cases(user: User) -> sa.Select:
    """Cases of the clients in the user's scope (SCOPES), as the client data itself: those of
    a client in the trash only for whoever sees the trash."""
    reach = scoped_clients(user, include_deleted=sees_trash(user)).with_only_columns(Client.id)
    return sa.select(Case).where(Case.client_id.in_(reach))


def visible_case(user: User, case_id: int) -> Case:
    """The case if its client is in the user's scope, else 404."""
    case = db.session.scalar(scoped_cases(user).where(Case.id == case_id))
    if case is None:
        abort(404)
    return case


@dataclass
class CaseFilters:
    """What a case list is narrowed to; None is no filter."""

    state: str | None = None
    kind: str | None = None
    owner_id: int | None = None
    client_id: int | None = None
    unassigned: bool = False
    open_only: bool = False


def filtered_cases(user: User, filters: CaseFilters, today: date | None = None) -> sa.Select:
    """The user's cases, filtered, overdue first, then by due date, then newest."""
    today = today or local_today()
    query = scoped_cases(user)
    if filters.state:
        query = query.where(Case.state == filters.state)
    elif filters.open_only:
        query = query.where(Case.state.not_in([s.value for s in DONE_STATES]))
    if filters.kind:
        query = query.where(Case.kind == filters.kind)
    if filters.unassigned:
        query = query.where(Case.owner_id.is_(None))
    elif filters.owner_id:
        query = query.where(Case.owner_id == filters.owner_id)
    if filters.client_id:
        query = query.where(Case.client_id == filters.client_id)
    overdue = sa.and_(
        Case.due_on.is_not(None),
        Case.due_on < today,
        Case.state.not_in([s.value for s in DONE_STATES]),
    )
    done = Case.state.in_([s.value for s in DONE_STATES])
    return query.order_by(
        sa.case((overdue, 0), else_=1),
        sa.case((done, 1), else_=0),
        Case.due_on.is_(None),
        Case.due_on,
        Case.id.desc(),
    )


def scoped_client(user: User, client_id: int | None) -> Client | None:
    """A client in the user's scope to filter the list by, else None (no 404: a filter)."""
    if client_id is None:
        return None
    query = scoped_clients(user, include_deleted=sees_trash(user)).where(Client.id == client_id)
    return db.session.scalar(query)


def client_cases(user: User, client: Client, limit: int = 5) -> list[Case]:
    """A client's latest cases for the card, the ones still open first."""
    query = filtered_cases(user, CaseFilters(client_id=client.id)).limit(limit)
    return list(db.session.scalars(query))


def overdue(case: Case, today: date | None = None) -> bool:
    """The case is past its due date and still being worked on."""
    return is_overdue(case.state, case.due_on, today or local_today())


def case_references(client: Client, most: int = 10) -> dict[str, list[tuple[int, str]]]:
    """The client's latest orders and invoices or debit notes a new case may be about."""
    orders = db.session.scalars(
        sa.select(Order).where(Order.client_id == client.id).order_by(Order.id.desc()).limit(most)
    ).all()
    documents = db.session.scalars(
        sa.select(Document)
        .where(
            Document.client_id == client.id,
            Document.kind.in_([DocumentKind.INVOICE, DocumentKind.DEBIT_NOTE]),
            Document.state != DocumentState.VOID,
        )
        .order_by(Document.date.desc(), Document.id.desc())
        .limit(most)
    ).all()
    return {
        "orders": [
            (o.id, _("Pedido %(id)d del %(date)s", id=o.id, date=o.date.strftime("%d/%m/%Y")))
            for o in orders
        ],
        "documents": [
            (d.id, f"{document_title(d)} · {d.date.strftime('%d/%m/%Y')}") for d in documents
        ],
    }


def assignable_users() -> list[User]:
    """Who may own a case: active back office, supervisors and admins."""
    roles = ("admin", "backoffice", "supervisor")
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.active.is_(True), User.role.in_(roles))
            .order_by(User.full_name)
        )
    )


# --- writing ---------------------------------------------------------------------------------


def _text(data: dict, name: str, most: int, errors: dict, required: bool = False) -> str:
    """A trimmed text field, checked for presence and length."""
    value = data.get(name)
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        errors[name] = _("Este campo es obligatorio.")
    elif len(value) > most:
        errors[name] = _("Como máximo %(max)d caracteres.", max=most)
    return value


def _own_row(model: type, row_id: object, client: Client, name: str, errors: dict):
    """An order or document of this client named by id, or a field error."""
    if row_id in (None, ""):
        return None
    try:
        row = db.session.get(model, int(row_id))
    except (TypeError, ValueError):
        row = None
    if row is None or row.client_id != client.id:
        errors[name] = _("No existe para este cliente.")
        return None
    return row


def _event(case: Case, user: User | None, action: str, before=None, after=None, text=None):
    """Add a line to the case's history."""
    db.session.add(
        CaseEvent(
            case=case,
            user_id=user.id if user else None,
            action=action,
            before=None if before is None else str(before),
            after=None if after is None else str(after),
            text=text,
            at=utcnow(),
        )
    )


def audit_view(case: Case) -> dict:
    """What the audit log keeps of a case."""
    return {
        "client_id": case.client_id,
        "kind": case.kind,
        "subject": case.subject,
        "state": case.state,
        "owner_id": case.owner_id,
        "due_on": case.due_on.isoformat() if case.due_on else None,
        "credit_note_id": case.credit_note_id,
    }


def open_case(client: Client, data: dict, user: User | None) -> Case:
    """Open a case on a client; its due date follows the kind's target in working days."""
    errors: dict[str, str] = {}
    kind = data.get("kind")
    if kind not in {k.value for k in CaseKind}:
        errors["kind"] = _("Elegí el tipo de caso.")
    subject = _text(data, "subject", MAX_SUBJECT, errors, required=True)
    description = _text(data, "description", MAX_TEXT, errors)
    order = _own_row(Order, data.get("order_id"), client, "order_id", errors)
    document = _own_row(Document, data.get("document_id"), client, "document_id", errors)
    if client.deleted_at is not None:
        errors["client_id"] = _("El cliente está en la papelera.")
    if errors:
        raise CaseError(errors)
    today = local_today()
    case = Case(
        client_id=client.id,
        kind=kind,
        subject=subject,
        description=description,
        state=CaseState.OPEN,
        due_on=add_working_days(today, target_days()[kind]),
        order_id=order.id if order else None,
        document_id=document.id if document else None,
        created_by_id=user.id if user else None,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    db.session.add(case)
    db.session.flush()
    _event(case, user, "created", after=case.state, text=description or None)
    audit.record("case.create", "case", case.id, None, audit_view(case))
    return case


def add_comment(case: Case, text: object, user: User | None) -> CaseEvent:
    """Add a comment to the case's history."""
    errors: dict[str, str] = {}
    body = _text({"text": text}, "text", MAX_TEXT, errors, required=True)
    if errors:
        raise CaseError(errors)
    case.updated_at = utcnow()
    event = CaseEvent(case=case, user_id=user.id if user else None, action="comment", text=body)
    db.session.add(event)
    db.session.flush()
    audit.record("case.comment", "case", case.id, None, {"comment": body[:200]})
    return event


def change_case(case: Case, data: dict, user: User) -> Case:
    """Change a case's state, owner or due date, with an optional note; all or nothing.

    A return resolved with `credit_amount` posts a credit note for that amount (the back
    office only). Reopening a closed case needs a `note` saying why.
    """
    errors: dict[str, str] = {}
    note = _text(data, "note", MAX_TEXT, errors)
    state = data.get("state") or None
    if state is not None and state != case.state:
        if state not in {s.value for s in CaseState}:
            errors["state"] = _("Estado desconocido.")
        elif not can_move(case.state, state):
            errors["state"] = _(
                "Un caso %(now)s no puede pasar a %(wanted)s.",
                now=str(STATE_LABELS[CaseState(case.state)]).lower(),
                wanted=str(STATE_LABELS[CaseState(state)]).lower(),
            )
        elif needs_reason(case.state, state) and not note:
            errors["note"] = _("Para reabrir un caso cerrado, escribí el motivo.")
    owner = _owner(data, case, user, errors)
    due_on = _due_on(data, case, user, errors)
    credit = _credit_amount(data, case, state, user, errors)
    if errors:
        raise CaseError(errors)
    before = audit_view(case)
    if state is not None and state != case.state:
        _event(case, user, "state", case.state, state, note or None)
        case.state = state
        case.closed_at = utcnow() if state == CaseState.CLOSED else None
        note = None
    if owner is not False and (owner.id if owner else None) != case.owner_id:
        _event(case, user, "owner", _name(case.owner), _name(owner))
        case.owner = owner
    if due_on is not False and due_on != case.due_on:
        _event(case, user, "due_on", case.due_on, due_on)
        case.due_on = due_on
    if credit is not None:
        _post_credit_note(case, credit, user)
    if note:
        _event(case, user, "comment", text=note)
        case.updated_at = utcnow()
        audit.record("case.comment", "case", case.id, None, {"comment": note[:200]})
    after = audit_view(case)
    if after != before:
        case.updated_at = utcnow()
        audit.record("case.update", "case", case.id, before, after)
    db.session.flush()
    return case


def _name(user: User | None) -> str:
    """A user's name in the history (64 characters at most), or a dash."""
    return user.full_name[:64] if user else "—"


def _owner(data: dict, case: Case, user: User, errors: dict):
    """The new owner (None: unassigned), or False when the data does not change it."""
    if "owner_id" not in data:
        return False
    raw = data.get("owner_id")
    if raw in (None, ""):
        owner = None
    else:
        try:
            owner = db.session.get(User, int(raw))
        except (TypeError, ValueError):
            owner = None
        if owner is None or not owner.active:
            errors["owner_id"] = _("No existe.")
            return False
    if (owner.id if owner else None) != case.owner_id and not can(user, "cases.assign"):
        errors["owner_id"] = _("Solo el back office o un supervisor asigna casos.")
        return False
    return owner


def _due_on(data: dict, case: Case, user: User, errors: dict):
    """The new due date, or False when the data does not change it."""
    if "due_on" not in data:
        return False
    value = data.get("due_on")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()) if value.strip() else None
        except ValueError:
            errors["due_on"] = _("Fecha inválida.")
            return False
    if value is None:
        errors["due_on"] = _("Este campo es obligatorio.")
        return False
    if value != case.due_on and not can(user, "cases.assign"):
        errors["due_on"] = _("Solo el back office o un supervisor cambia el vencimiento.")
        return False
    return value


def _credit_amount(data: dict, case: Case, state: str | None, user: User, errors: dict):
    """The credit note's amount to post with this change, if any (checked, not posted)."""
    raw = data.get("credit_amount")
    if raw in (None, ""):
        return None
    if case.kind != CaseKind.RETURN:
        errors["credit_amount"] = _("Solo una devolución genera una nota de crédito.")
    elif not can(user, "ledger.edit"):
        errors["credit_amount"] = _("Solo el back office emite notas de crédito.")
    elif case.credit_note_id is not None:
        errors["credit_amount"] = _("Esta devolución ya tiene su nota de crédito.")
    elif (state or case.state) != CaseState.RESOLVED:
        errors["credit_amount"] = _("La nota de crédito se emite al aceptar la devolución.")
    elif DocumentKind.CREDIT_NOTE not in allowed_kinds(case.client):
        errors["credit_amount"] = _("El tipo de cliente no admite notas de crédito.")
    else:
        return parse_amount(raw, "credit_amount", errors)
    return None


def _post_credit_note(case: Case, amount: Decimal, user: User) -> Document:
    """Post the accepted return's credit note to the client's account."""
    data = {
        "kind": DocumentKind.CREDIT_NOTE.value,
        "amount": str(amount),
        "notes": _(
            "Devolución aceptada (caso %(id)d): %(subject)s", id=case.id, subject=case.subject
        )[:2000],
    }
    try:
        document = post_document(case.client, data, user, source="cases")
    except LedgerError as exc:
        renamed = {"amount": "credit_amount", "kind": "credit_amount", "client_id": "credit_amount"}
        raise CaseError({renamed.get(k, k): v for k, v in exc.fields.items()}) from exc
    case.credit_note_id = document.id
    _event(case, user, "credit_note", after=f"{document.amount}", text=None)
    return document


def add_photo(case: Case, data: bytes, user: User | None) -> CasePhoto:
    """Keep a photo of the case: at most MAX_PHOTOS, MAX_PHOTO_BYTES each, an image by content."""
    if not data:
        raise CaseError({"photo": _("Elegí o sacá una foto.")})
    if len(data) > MAX_PHOTO_BYTES:
        raise CaseError(
            {"photo": _("La foto pesa más de %(mb)d MB.", mb=MAX_PHOTO_BYTES // (1024 * 1024))}
        )
    mimetype = image_type(data)
    if mimetype is None:
        raise CaseError({"photo": _("El archivo no es una foto (JPEG, PNG, GIF o WebP).")})
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(CasePhoto).where(CasePhoto.case_id == case.id)
    )
    if count >= MAX_PHOTOS:
        raise CaseError({"photo": _("Un caso lleva como máximo %(n)d fotos.", n=MAX_PHOTOS)})
    photo = CasePhoto(
        case=case,
        content_type=mimetype,
        size=len(data),
        data=data,
        created_by_id=user.id if user else None,
        created_at=utcnow(),
    )
    db.session.add(photo)
    case.updated_at = utcnow()
    db.session.flush()
    _event(case, user, "photo", after=str(photo.id))
    audit.record("case.photo", "case", case.id, None, {"photo_id": photo.id, "size": len(data)})
    return photo


def case_photo(case: Case, photo_id: int) -> CasePhoto:
    """One of the case's photos, else 404."""
    photo = db.session.get(CasePhoto, photo_id)
    if photo is None or photo.case_id != case.id:
        abort(404)
    return photo
