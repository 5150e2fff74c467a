"""Operations on client notices; each change writes its audit row, the request commits."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.models import User
from app.clients.models import Client
from app.clients.reference import Category, ClientType, Family, Segment, Zone
from app.clients.services import scoped_clients, search_clients
from app.core.types import local_today, utcnow
from app.extensions import db
from app.notices import rules
from app.notices.models import Notice, NoticeSeen
from app.notices.rules import (
    MAX_MESSAGE,
    Audience,
    ClientGroups,
    Period,
    Severity,
    TargetKind,
)

PAGE_SIZE = 25
CLIENT_RESULTS = 8
FIELDS = (
    "message", "severity", "audience", "valid_from", "valid_to", "target_kind", "target_id",
)  # fmt: skip

SEVERITY_LABELS = {
    Severity.IMPORTANT: _l("Importante"),
    Severity.WARNING: _l("Advertencia"),
    Severity.INFO: _l("Información"),
}
AUDIENCE_LABELS = {
    Audience.ALL: _l("Todos"),
    Audience.SALES: _l("Ventas (vendedores)"),
    Audience.COLLECTIONS: _l("Cobranzas (cobradores)"),
}
TARGET_LABELS = {
    TargetKind.CLIENT: _l("Un cliente"),
    TargetKind.CLIENT_TYPE: _l("Tipo de cliente"),
    TargetKind.ZONE: _l("Zona de venta"),
    TargetKind.FAMILY: _l("Familia"),
    TargetKind.SEGMENT: _l("Segmento"),
    TargetKind.CATEGORY: _l("Categoría"),
}
PERIOD_LABELS = {
    Period.CURRENT: _l("Vigente"),
    Period.FUTURE: _l("Programado"),
    Period.PAST: _l("Vencido"),
}
# The table each group kind points to (a single client is looked up in the user's scope).
GROUP_MODELS: dict[str, type] = {
    TargetKind.CLIENT_TYPE: ClientType,
    TargetKind.ZONE: Zone,
    TargetKind.FAMILY: Family,
    TargetKind.SEGMENT: Segment,
    TargetKind.CATEGORY: Category,
}


class NoticeError(ValueError):
    """A notice that cannot be saved; carries field -> Spanish message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


@dataclass(frozen=True)
class ShownNotice:
    """A notice on a client's card, with when the current user marked it seen (if they did)."""

    notice: Notice
    seen: NoticeSeen | None

    @property
    def severity_label(self) -> str:
        """ "Importante", "Advertencia" or "Información"."""
        return str(SEVERITY_LABELS.get(self.notice.severity, self.notice.severity))

    @property
    def reach(self) -> str | None:
        """The group the notice is for ("Zona de venta: Z01 · Centro"); None for the client."""
        if self.notice.target_kind == TargetKind.CLIENT:
            return None
        return target_label(self.notice)

    @property
    def seen_text(self) -> str | None:
        """ "Visto por vos el 23/11/2026 14:05", in the company's time zone."""
        if self.seen is None:
            return None
        when = format_datetime(self.seen.seen_at, "dd/MM/yyyy HH:mm")
        return _("Visto por vos el %(when)s", when=when)


# --- reading ---------------------------------------------------------------------------------


def groups_of(client: Client) -> ClientGroups:
    """The client and its groups, as notices target them."""
    segments = (client.segment1_id, client.segment2_id, client.segment3_id, client.segment4_id)
    categories = (
        client.category1_id,
        client.subcategory1_id,
        client.category2_id,
        client.subcategory2_id,
    )
    return ClientGroups(
        client_id=client.id,
        client_type_id=client.client_type_id,
        sales_zone_id=client.sales_zone_id,
        family_id=client.family_id,
        segment_ids=frozenset(i for i in segments if i is not None),
        category_ids=frozenset(i for i in categories if i is not None),
    )


def _aimed(client: Client, on: date, role: str | None = None) -> tuple[sa.Select, ClientGroups]:
    """The live, unexpired notices aimed at the client or one of its groups (and, given a
    role, at that role's audiences), and its groups."""
    groups = groups_of(client)
    aimed = [
        sa.and_(Notice.target_kind == kind.value, Notice.target_id.in_(sorted(ids)))
        for kind, ids in groups.targets().items()
    ]
    query = sa.select(Notice).where(
        Notice.deleted_at.is_(None),
        Notice.valid_from <= on,
        sa.or_(Notice.valid_to.is_(None), Notice.valid_to >= on),
        sa.or_(*aimed),
        Notice.audience.in_([a.value for a in rules.audiences_for(role)]),
    )
    return query, groups


def notices_in_force(
    client: Client, on: date | None = None, role: str | None = None
) -> list[Notice]:
    """The notices in force for the client on a day (today), important first, then newest;
    given a role, only those for its audiences.

    One query fetches the live, unexpired notices aimed at the client or one of its groups;
    the pure rule keeps those already started and orders them.
    """
    on = on or local_today()
    query, groups = _aimed(client, on, role)
    return rules.in_force(db.session.scalars(query), groups, on)


def shown_notices(user: User, client: Client, on: date | None = None) -> list[ShownNotice]:
    """The notices in force for the client that speak to the user's role, each with the user's
    seen mark (one query)."""
    on = on or local_today()
    query, groups = _aimed(client, on, user.role)
    rows = db.session.execute(
        query.add_columns(NoticeSeen).outerjoin(
            NoticeSeen,
            sa.and_(
                NoticeSeen.notice_id == Notice.id,
                NoticeSeen.user_id == user.id,
                NoticeSeen.client_id == client.id,
                NoticeSeen.deleted_at.is_(None),
            ),
        )
    ).all()
    seen = {notice.id: mark for notice, mark in rows if mark is not None}
    notices = rules.in_force([notice for notice, _mark in rows], groups, on)
    return [ShownNotice(notice, seen.get(notice.id)) for notice in notices]


def visible_notices(user: User) -> sa.Select:
    """Live notices the user may manage: every group notice, and those for clients in scope."""
    in_scope = scoped_clients(user).with_only_columns(Client.id)
    return sa.select(Notice).where(
        Notice.deleted_at.is_(None),
        sa.or_(Notice.target_kind != TargetKind.CLIENT, Notice.target_id.in_(in_scope)),
    )


def get_notice(user: User, notice_id: int) -> Notice | None:
    """A live notice the user may manage, or None."""
    return db.session.scalar(visible_notices(user).where(Notice.id == notice_id))


def filter_notices(
    query: sa.Select, when: str = "", severity: str = "", text: str = ""
) -> sa.Select:
    """The list's filters: in force, programmed or expired today; a severity; words."""
    today = local_today()
    if when == Period.CURRENT:
        query = query.where(
            Notice.valid_from <= today, sa.or_(Notice.valid_to.is_(None), Notice.valid_to >= today)
        )
    elif when == Period.FUTURE:
        query = query.where(Notice.valid_from > today)
    elif when == Period.PAST:
        query = query.where(Notice.valid_to < today)
    if severity in SEVERITY_LABELS:
        query = query.where(Notice.severity == severity)
    for word in text.split()[:8]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Notice.message.ilike(f"%{escaped}%", escape="\\"))
    return query.order_by(Notice.created_at.desc(), Notice.id.desc())


def period_of(notice: Notice, on: date | None = None) -> Period:
    """Whether the notice is in force, programmed or expired (today)."""
    return rules.period(notice.valid_from, notice.valid_to, on or local_today())


def target_row(kind: str, target_id: int | None):
    """The client or group row a notice points to (None if it does not exist); a group from
    the reference cache (every notice shown with a credit decision names its target)."""
    model = Client if kind == TargetKind.CLIENT else GROUP_MODELS.get(kind)
    if model is None or target_id is None:
        return None
    return db.session.get(model, target_id, execution_options={"reference_cache": True})


def row_label(row) -> str:
    """How a target row reads in a select or a list."""
    if isinstance(row, Client):
        return f"{row.display_name} ({row.code})"
    if isinstance(row, Zone):
        return f"{row.code} · {row.name}"
    if isinstance(row, Segment):
        return _("Nivel %(level)d · %(name)s", level=row.level, name=row.name)
    if isinstance(row, Category) and row.parent is not None:
        return f"{row.parent.name} › {row.name}"
    return row.name


def target_label(notice: Notice) -> str:
    """Who a notice is for, in words: "Zona de venta: Z01 · Centro"."""
    row = target_row(notice.target_kind, notice.target_id)
    kind = TARGET_LABELS.get(notice.target_kind, notice.target_kind)
    if notice.target_kind == TargetKind.CLIENT:
        kind = _("Cliente")
    return f"{kind}: {row_label(row) if row is not None else '—'}"


def group_choices(kind: str, keep: int | None = None) -> list:
    """The live rows of a group kind, for the target select; a row already chosen stays."""
    model = GROUP_MODELS.get(kind)
    if model is None:
        return []
    query = sa.select(model).where(model.deleted_at.is_(None))
    rows = db.session.scalars(query).all()
    if keep is not None and keep not in {r.id for r in rows}:
        kept = db.session.get(model, keep)
        rows += [kept] if kept is not None else []
    return sorted(rows, key=row_label)


def client_choices(user: User, text: str) -> list[Client]:
    """Clients in the user's scope matching the words typed (a few, by name)."""
    if not text.strip():
        return []
    query = search_clients(scoped_clients(user), text)
    name = sa.func.coalesce(Client.trade_name, Client.legal_name)
    return db.session.scalars(query.order_by(name, Client.id).limit(CLIENT_RESULTS)).all()


def scoped_client(user: User, client_id: int | None) -> Client | None:
    """A live client in the user's scope, or None."""
    if client_id is None:
        return None
    return db.session.scalar(scoped_clients(user).where(Client.id == client_id))


# --- changing --------------------------------------------------------------------------------


def audit_view(notice: Notice) -> dict:
    """The notice's fields as the audit log keeps them."""
    values = {field: getattr(notice, field) for field in FIELDS}
    for field in ("valid_from", "valid_to"):
        values[field] = values[field].isoformat() if values[field] else None
    return values


def problems(values: dict, user: User, notice: Notice | None = None) -> dict[str, str]:
    """What is wrong with a notice's values, field -> Spanish message (empty: nothing)."""
    errors: dict[str, str] = {}
    message = (values.get("message") or "").strip()
    if not message:
        errors["message"] = _("Escribí el aviso.")
    elif len(message) > MAX_MESSAGE:
        errors["message"] = _("Hasta %(max)d caracteres.", max=MAX_MESSAGE)
    if values.get("severity") not in SEVERITY_LABELS:
        errors["severity"] = _("Elegí la importancia del aviso.")
    if values.get("audience", Audience.ALL) not in AUDIENCE_LABELS:
        errors["audience"] = _("Elegí a quiénes de la empresa les habla el aviso.")
    valid_from, valid_to = values.get("valid_from"), values.get("valid_to")
    if not isinstance(valid_from, date):
        errors["valid_from"] = _("Indicá desde cuándo rige el aviso.")
    elif isinstance(valid_to, date) and valid_to < valid_from:
        errors["valid_to"] = _("La fecha hasta no puede ser anterior a la fecha desde.")
    kind = values.get("target_kind")
    if kind not in TARGET_LABELS:
        errors["target_kind"] = _("Elegí a quién va dirigido el aviso.")
    elif problem := _target_error(kind, values.get("target_id"), user, notice):
        errors["target_id"] = problem
    return errors


def _checked(values: dict, user: User, notice: Notice | None) -> dict:
    """The values to store; raise NoticeError when something is wrong."""
    errors = problems(values, user, notice)
    if errors:
        raise NoticeError(errors)
    return {field: values.get(field) for field in FIELDS} | {
        "message": values["message"].strip(),
        "audience": values.get("audience") or Audience.ALL.value,
    }


def _target_error(
    kind: str, target_id: int | None, user: User, notice: Notice | None
) -> str | None:
    """Why this target cannot be chosen, or None when it can."""
    keeps = notice is not None and (notice.target_kind, notice.target_id) == (kind, target_id)
    if kind == TargetKind.CLIENT:
        if target_id is None:
            return _("Buscá y elegí el cliente.")
        if not keeps and scoped_client(user, target_id) is None:
            return _("Elegí un cliente de tu cartera.")
        return None
    if target_id is None:
        return _("Elegí a qué %(group)s va dirigido.", group=str(TARGET_LABELS[kind]).lower())
    row = db.session.get(GROUP_MODELS[kind], target_id)
    if row is None or (row.is_deleted and not keeps):
        return _("Elegí una opción de la lista.")
    return None


def create_notice(values: dict, user: User) -> Notice:
    """Add a notice and write the audit row."""
    notice = Notice(**_checked(values, user, None), created_by_id=user.id)
    db.session.add(notice)
    db.session.flush()
    audit.record("notice.create", "notice", notice.id, None, audit_view(notice))
    return notice


def update_notice(notice: Notice, values: dict, user: User) -> Notice:
    """Change a notice; an edit that changes nothing writes nothing."""
    checked = _checked(values, user, notice)
    before = audit_view(notice)
    for field, value in checked.items():
        setattr(notice, field, value)
    after = audit_view(notice)
    if after != before:
        db.session.flush()
        audit.record("notice.update", "notice", notice.id, before, after)
    return notice


def delete_notice(notice: Notice) -> None:
    """Take a notice down: a soft delete phones see as a tombstone."""
    if notice.is_deleted:
        return
    notice.deleted_at = utcnow()
    db.session.flush()
    audit.record("notice.delete", "notice", notice.id, {"deleted": False}, {"deleted": True})


def applies_to(notice: Notice, client: Client) -> bool:
    """True when the notice is live and aimed at the client or one of its groups."""
    return not notice.is_deleted and rules.reaches(
        notice.target_kind, notice.target_id, groups_of(client)
    )


def mark_seen(notice: Notice, user: User, client: Client) -> NoticeSeen:
    """Record that the user saw the notice on this client's card; a second time changes nothing."""
    mark = db.session.scalar(
        sa.select(NoticeSeen).where(
            NoticeSeen.notice_id == notice.id,
            NoticeSeen.user_id == user.id,
            NoticeSeen.client_id == client.id,
        )
    )
    if mark is not None:
        return mark
    mark = NoticeSeen(notice_id=notice.id, user_id=user.id, client_id=client.id, seen_at=utcnow())
    db.session.add(mark)
    db.session.flush()
    audit.record(
        "notice.seen",
        "notice",
        notice.id,
        None,
        {"client_id": client.id, "user_id": user.id},
        actor_id=user.id,
    )
    return mark
