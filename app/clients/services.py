"""Operations on the client master, always within the caller's scope; each writes its audit row."""

import re
from collections.abc import Callable
from datetime import date, time
from decimal import Decimal

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.models import Role, User
from app.auth.permissions import SCOPES, can
from app.auth.services import team_ids
from app.clients.models import (
    Address,
    AuthorizedPickup,
    Client,
    ClientNote,
    ClientState,
    Contact,
    CustomAttribute,
    CustomValue,
    PaymentMethod,
)
from app.clients.reference import Category, Channel, ClientType, Family, Segment, Transport, Zone
from app.clients.rules import search_tokens
from app.core.email import normalize_email
from app.core.numbers import parse_decimal
from app.core.types import utcnow
from app.credit.models import CreditPolicy
from app.extensions import db
from app.ledger.models import SaleCondition
from app.loyalty import services as loyalty
from app.orders.models import PriceList
from app.taxes.rules import TAX_ID_NOUNS, TaxIdType, same_identity_kinds, validate_tax_id

PAGE_SIZE = 25

# Fields of the card a back-office user edits; everything the audit log compares.
CARD_FIELDS = (
    "code", "kind", "legal_name", "first_name", "last_name", "trade_name", "tax_id_type",
    "tax_id", "country", "foreign", "activity", "email", "other_emails", "phone", "mobile",
    "website", "social", "loyalty_enabled", "loyalty_points", "iva_condition", "iibb_number",
    "iibb_jurisdiction", "iibb_multilateral", "large_taxpayer", "iva_exemption_pct",
    "accounting_account", "cbu", "state", "abc_rating", "abc_pinned", "client_type_id",
    "price_list_id", "sale_condition_id", "credit_policy_id", "currency",
    "foreign_currency_allowed", "payment_methods", "default_payment_method", "credit_blocked",
    "salesperson_id", "collector_id", "sales_zone_id", "delivery_zone_id", "transport_id",
    "channel_id", "segment1_id", "segment2_id", "segment3_id", "segment4_id", "category1_id",
    "subcategory1_id", "category2_id", "subcategory2_id", "family_id", "delivery_note_copies",
    "invoice_copies", "street", "city", "province", "postal_code", "branch_of_id",
    # the visit plans (app/clients/visit_plan.py)
    "visit_weekdays", "visit_every_weeks", "visit_week_of", "visit_from", "visit_to",
    "route_position", "collection_weekdays", "collection_every_weeks", "collection_week_of",
    "collection_from", "collection_to", "collection_position",
)  # fmt: skip

SORTS = {
    "name": lambda: (sa.func.coalesce(Client.trade_name, Client.legal_name), Client.id),
    "code": lambda: (Client.code,),
    "recent": lambda: (Client.id.desc(),),
}


class ClientError(ValueError):
    """A client change that cannot be made; carries field -> Spanish message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(fields.values()))
        self.fields = fields


def _plain(value):
    """A JSON-friendly value for the audit log."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 0.00 and 0 are the same amount
    if isinstance(value, date | time):
        return value.isoformat(timespec="minutes") if isinstance(value, time) else value.isoformat()
    return value


def audit_view(client: Client) -> dict:
    """The card's fields as the audit log keeps them."""
    view = {field: _plain(getattr(client, field)) for field in CARD_FIELDS}
    if isinstance(view.get("payment_methods"), list):  # a set: its order is no change
        view["payment_methods"] = canonical_methods(view["payment_methods"])
    return view


def canonical_methods(methods: list[str]) -> list[str]:
    """Payment methods in the order the app lists them (unknown ones last, as they came)."""
    order = [method.value for method in PaymentMethod]
    known = [m for m in order if m in methods]
    return known + [m for m in methods if m not in order]


def scoped_clients(user: User, include_deleted: bool = False) -> sa.Select:
    """Clients in the user's scope (SCOPES): own as salesperson or collector, team, or all."""
    query = sa.select(Client)
    if not include_deleted:
        query = query.where(Client.deleted_at.is_(None))
    scope = SCOPES[Role(user.role)]
    if scope == "own":
        return query.where(sa.or_(Client.salesperson_id == user.id, Client.collector_id == user.id))
    if scope == "team":
        team = team_ids(user)
        return query.where(sa.or_(Client.salesperson_id.in_(team), Client.collector_id.in_(team)))
    return query


def sees_trash(user: User) -> bool:
    """The back office, who may restore clients, also sees the ones in the trash."""
    return can(user, "clients.edit")


def visible_client(user: User, client_id: int, *, trash: bool | None = None) -> Client:
    """The client if the user may see it, else 404 (ids are not confirmed).

    Every view and API module asks here. A client in the trash is found for those who see the
    trash, unless `trash` says otherwise: False for a client to work with (an order, a note),
    True for the records of a client whatever its state.
    """
    if trash is None:
        trash = sees_trash(user)
    query = scoped_clients(user, include_deleted=trash).where(Client.id == client_id)
    client = db.session.scalar(query)
    if client is None:
        abort(404)
    return client


# SQLite's FTS5 trigram table over clients.search_text (migration 5c1e7a9d2b40)
_SEARCH = sa.table("clients_search", sa.column("rowid"), sa.column("search_text"))
RARE_MATCHES = 5_000  # a word found in fewer clients leads the search through the index


def search_clients(query: sa.Select, text: str) -> sa.Select:
    """Every word must appear in the code, names, tax id or e-mails; case and accents ignored.

    A page of a common word is found fastest in name order (its index), stopping at the
    first matches; a rare word by the trigram index: PostgreSQL's planner weighs that itself,
    on SQLite the FTS5 table is asked how often the longest word appears.
    """
    tokens = search_tokens(text)[:8]  # letters and digits only: no LIKE wildcards
    for token in tokens:
        query = query.where(Client.search_text.like(f"%{token}%"))
    if db.session.get_bind().dialect.name == "sqlite" and tokens:
        longest = max(tokens, key=len)
        if len(longest) >= 3:
            found = sa.select(_SEARCH.c.rowid).where(_SEARCH.c.search_text.like(f"%{longest}%"))
            matches = db.session.scalar(
                sa.select(sa.func.count()).select_from(found.limit(RARE_MATCHES).subquery())
            )
            if matches < RARE_MATCHES:
                query = query.where(Client.id.in_(found))
    return query


def filter_clients(query: sa.Select, filters: dict) -> sa.Select:
    """Apply the list filters that have a value."""
    columns = {
        "state": Client.state,
        "client_type_id": Client.client_type_id,
        "sales_zone_id": Client.sales_zone_id,
        "salesperson_id": Client.salesperson_id,
        "collector_id": Client.collector_id,
        "segment1_id": Client.segment1_id,
        "family_id": Client.family_id,
    }
    for name, column in columns.items():
        value = str(filters.get(name) or "")
        if name == "state" and value:
            query = query.where(column == value)
        elif value.isdigit():
            query = query.where(column == int(value))
    if filters.get("credit") == "blocked":
        query = query.where(Client.credit_blocked.is_(True))
    elif filters.get("credit") == "open":
        query = query.where(Client.credit_blocked.is_(False))
    return query


def sort_clients(query: sa.Select, sort: str | None) -> sa.Select:
    """Order the list by name (default), code or newest first."""
    return query.order_by(*SORTS.get(sort or "name", SORTS["name"])())


def suggest_code() -> str:
    """The next free code after the highest C000123-style code."""
    longest = sa.func.length(Client.code)
    codes = db.session.scalars(
        sa.select(Client.code)
        .where(Client.code.like("C%"))
        .order_by(longest.desc(), Client.code.desc())
        .limit(200)
    ).all()
    numbers = [int(m.group(1)) for code in codes if (m := re.fullmatch(r"C(\d+)", code))]
    number = max(numbers, default=0) + 1
    while db.session.scalar(sa.select(Client.id).where(Client.code == f"C{number:06d}")):
        number += 1
    return f"C{number:06d}"


def _check(fields: dict, client: Client | None) -> dict:
    """Refuse what a form alone cannot see; return values to store instead (compact tax id)."""
    errors = {}
    clash = db.session.scalar(sa.select(Client.id).where(Client.code == fields.get("code")))
    if clash is not None and (client is None or clash != client.id):
        errors["code"] = _("Ya existe un cliente con ese código.")
    for n in (1, 2):
        sub_id, parent_id = fields.get(f"subcategory{n}_id"), fields.get(f"category{n}_id")
        if sub_id is None:
            continue
        sub = db.session.get(Category, sub_id)
        if sub is not None and sub.parent_id != parent_id:
            errors[f"subcategory{n}_id"] = _("La subcategoría no es de la categoría elegida.")
    changes = _check_tax_identity(fields, client, errors)
    if errors:
        raise ClientError(errors)
    return changes


def _check_tax_identity(fields: dict, client: Client | None, errors: dict) -> dict:
    """A valid tax id, not another client's, and a main client a branch can have.

    Adds what is wrong to `errors`; returns the compact tax id to store. An identity that did
    not change is not checked again, so a number stored before these checks does not block an
    unrelated change (a new phone, a state).
    """
    kind = fields.get("tax_id_type") or TaxIdType.CUIT
    number, branch_of_id = fields.get("tax_id"), fields.get("branch_of_id")
    stored = (client.tax_id_type, client.tax_id, client.branch_of_id) if client else None
    changes = {}
    if number:
        check = validate_tax_id(kind, number)
        if check.valid:
            number = changes["tax_id"] = check.compact
        elif stored != (kind, number, branch_of_id):
            errors["tax_id"] = _(check.error)
    new_main = branch_of_id is not None and (client is None or branch_of_id != client.branch_of_id)
    if new_main and (message := _branch_error(branch_of_id, client)):
        errors["branch_of_id"] = message
    checkable = number and "tax_id" not in errors and stored != (kind, number, branch_of_id)
    if checkable and (other := _same_tax_id(kind, number, branch_of_id, client)):
        errors["tax_id"] = tax_id_taken(kind, other.code, other.display_name)
    return changes


def tax_id_taken(kind: str, code: str, name: str) -> str:
    """Why a card cannot take a tax id another client holds."""
    return _(
        "Ya existe el cliente %(code)s (%(name)s) con ese %(document)s. Marcá la ficha como "
        "sucursal si corresponde.",
        code=code,
        name=name,
        document=_(TAX_ID_NOUNS.get(kind, kind)),
    )


def _branch_error(main_id: int, client: Client | None) -> str | None:
    """Why this card cannot be a branch of that client, or None when it can."""
    main = db.session.get(Client, main_id)
    if main is None:
        return _("No existe ese cliente.")
    if client is not None and main.id == client.id:
        return _("Una ficha no puede ser sucursal de sí misma.")
    if main.is_deleted:
        return _("El cliente %(code)s está en la papelera.", code=main.code)
    if main.branch_of is not None:
        return _(
            "El cliente %(code)s es una sucursal: indicá su cliente principal, %(main)s.",
            code=main.code,
            main=main.branch_of.code,
        )
    if client is not None and branches_of(client):
        return _("Esta ficha tiene sucursales: no puede ser sucursal de otro cliente.")
    return None


def _same_tax_id(
    kind: str, number: str, branch_of_id: int | None, client: Client | None
) -> Client | None:
    """A live client with this tax id outside the card's own main client and its branches."""
    query = sa.select(Client).where(
        Client.tax_id == number,
        Client.tax_id_type.in_(same_identity_kinds(kind)),
        Client.deleted_at.is_(None),
    )
    if client is not None:
        query = query.where(Client.id != client.id)
    # The card's group: the main client it is a branch of, or the card itself when it is one.
    main_id = branch_of_id or (client.id if client is not None else None)
    same = db.session.scalars(query.order_by(Client.branch_of_id.is_not(None), Client.id)).all()
    others = [c for c in same if main_id is None or main_id not in (c.id, c.branch_of_id)]
    return others[0] if others else None


def tax_id_holder(kind: str, number: str) -> Client | None:
    """The live client holding this valid tax id (the main one when branches share it), or None."""
    check = validate_tax_id(kind, number)
    if not check.valid:
        return None
    return _same_tax_id(kind, check.compact, None, None)


def branches_of(client: Client) -> list[Client]:
    """The client's branches that are not in the trash."""
    query = sa.select(Client).where(Client.branch_of_id == client.id, Client.deleted_at.is_(None))
    return db.session.scalars(query.order_by(Client.code)).all()


def _branch_by_code(fields: dict) -> dict:
    """The card's fields with the main client's code (as the form takes it) turned into its id."""
    fields = dict(fields)
    if "branch_of_code" not in fields:
        return fields
    code = fields.pop("branch_of_code")
    main_id = None
    if code:
        main_id = db.session.scalar(sa.select(Client.id).where(Client.code == code))
        if main_id is None:
            raise ClientError({"branch_of_id": _("No existe un cliente con ese código.")})
    return fields | {"branch_of_id": main_id}


def add_note(
    client: Client, text: str, automatic: bool = False, author: User | None = None
) -> ClientNote:
    """A note on the card, by the signed-in user unless told; automatic ones record changes."""
    from flask_login import current_user

    if author is None and current_user and current_user.is_authenticated:
        author = current_user
    author_id = author.id if author is not None else None
    note = ClientNote(client_id=client.id, text=text, automatic=automatic, author_id=author_id)
    db.session.add(note)
    db.session.flush()
    if not automatic:
        audit.record("client.note", "client", client.id, None, {"note": text})
    return note


def create_client(fields: dict) -> Client:
    """Create a client from validated fields."""
    fields = {k: v for k, v in _branch_by_code(fields).items() if k in CARD_FIELDS}
    fields.setdefault("code", suggest_code())
    fields |= _check(fields, None)
    client = Client(**fields)
    db.session.add(client)
    db.session.flush()
    if client.loyalty_points:
        loyalty.follow_card_change(client)
    audit.record("client.create", "client", client.id, None, audit_view(client))
    return client


def update_client(client: Client, fields: dict) -> Client:
    """Change the card's fields; state and credit changes leave an automatic note."""
    before = audit_view(client)
    fields = _branch_by_code(fields)
    fields |= _check({**before, **fields}, client)
    for name, value in fields.items():
        if name in CARD_FIELDS:
            setattr(client, name, value)
    db.session.flush()
    if client.loyalty_points != before["loyalty_points"]:
        loyalty.follow_card_change(client)
    after = audit_view(client)
    if before != after:
        audit.record("client.update", "client", client.id, before, after)
        _note_state_changes(client, before, after)
    return client


STATE_NOTES = {
    ClientState.ACTIVE: _l("Cliente activado."),
    ClientState.POTENTIAL: _l("Cliente pasado a potencial."),
    ClientState.SUSPENDED: _l("Cliente suspendido."),
    ClientState.CASH_ONLY: _l("Cliente pasado a solo contado."),
    ClientState.DELINQUENT: _l("Cliente marcado como moroso."),
    ClientState.DISABLED: _l("Cliente inhabilitado."),
}


def _note_state_changes(client: Client, before: dict, after: dict) -> None:
    """Automatic notes for a new state or a credit block change."""
    if before["state"] != after["state"]:
        add_note(client, str(STATE_NOTES[ClientState(after["state"])]), automatic=True)
    if before["credit_blocked"] != after["credit_blocked"]:
        text = _("Crédito bloqueado.") if after["credit_blocked"] else _("Crédito desbloqueado.")
        add_note(client, text, automatic=True)


def set_state(client: Client, state: ClientState, reason: str | None = None) -> None:
    """Move a client to a state (deactivate = disabled, reactivate = active)."""
    update_client(client, {"state": state})
    if reason:
        add_note(client, reason)


def set_credit_blocked(client: Client, blocked: bool, reason: str | None = None) -> None:
    """Block or unblock the client's credit."""
    update_client(client, {"credit_blocked": blocked})
    if reason:
        add_note(client, reason)


def trash_client(client: Client) -> None:
    """Send a client to the trash (a soft delete phones see as a tombstone)."""
    client.deleted_at = utcnow()
    db.session.flush()
    add_note(client, _("Cliente enviado a la papelera."), automatic=True)
    audit.record("client.trash", "client", client.id, {"deleted": False}, {"deleted": True})


def restore_client(client: Client) -> None:
    """Bring a client back from the trash, unless another client took its tax id meanwhile."""
    if client.tax_id and (
        other := _same_tax_id(client.tax_id_type, client.tax_id, client.branch_of_id, client)
    ):
        raise ClientError(
            {
                "tax_id": _(
                    "No se puede restaurar: el cliente %(code)s (%(name)s) tiene el mismo "
                    "%(document)s.",
                    code=other.code,
                    name=other.display_name,
                    document=_(TAX_ID_NOUNS.get(client.tax_id_type, client.tax_id_type)),
                )
            }
        )
    client.deleted_at = None
    db.session.flush()
    add_note(client, _("Cliente restaurado de la papelera."), automatic=True)
    audit.record("client.restore", "client", client.id, {"deleted": True}, {"deleted": False})


PARTS = {"contacts": Contact, "pickups": AuthorizedPickup, "addresses": Address}
_PART_SKIP = {"id", "client_id", "change_seq", "deleted_at"}


def part_view(row) -> dict:
    """A contact's, pickup's or address's fields as the audit log keeps them."""
    return {
        column.name: _plain(getattr(row, column.name))
        for column in row.__table__.columns
        if column.name not in _PART_SKIP
    }


def live_parts(client: Client, part: str) -> list:
    """The client's contacts, pickups or addresses that were not removed."""
    model = PARTS[part]
    query = sa.select(model).where(model.client_id == client.id, model.deleted_at.is_(None))
    return db.session.scalars(query.order_by(model.id)).all()


def get_part(client: Client, part: str, row_id: int):
    """One contact, pickup or address of this client, else 404."""
    model = PARTS[part]
    row = db.session.get(model, row_id)
    if row is None or row.client_id != client.id or row.deleted_at is not None:
        abort(404)
    return row


def save_part(client: Client, part: str, row, fields: dict):
    """Create (row None) or change a contact, pickup or address; fiscal is the main address."""
    before = None if row is None else part_view(row)
    if row is None:
        row = PARTS[part](client_id=client.id)
        db.session.add(row)
    for name, value in fields.items():
        setattr(row, name, value)
    db.session.flush()
    action = "create" if before is None else "update"
    audit.record(f"client.{part}.{action}", "client", client.id, before, part_view(row))
    if part == "addresses" and row.kind == "fiscal":
        main = {k: getattr(row, k) for k in ("street", "city", "province", "postal_code")}
        if any(getattr(client, k) != v for k, v in main.items()):
            update_client(client, main)
    return row


def remove_part(client: Client, part: str, row) -> None:
    """Remove a contact, pickup or address (soft, so phones drop it on the next sync)."""
    row.deleted_at = utcnow()
    db.session.flush()
    audit.record(f"client.{part}.delete", "client", client.id, part_view(row), None)


def active_attributes() -> list[CustomAttribute]:
    """Custom attributes shown on every card, in their order."""
    query = sa.select(CustomAttribute).where(CustomAttribute.active)
    return db.session.scalars(query.order_by(CustomAttribute.position, CustomAttribute.id)).all()


def save_attribute(row: CustomAttribute | None, fields: dict) -> CustomAttribute:
    """Define or change a custom attribute."""
    clash = db.session.scalar(
        sa.select(CustomAttribute.id).where(CustomAttribute.name == fields["name"])
    )
    if clash is not None and (row is None or clash != row.id):
        raise ClientError({"name": _("Ya existe un atributo con ese nombre.")})

    def view(attribute: CustomAttribute) -> dict:
        return {k: _plain(getattr(attribute, k)) for k in fields}

    before = None if row is None else view(row)
    if row is None:
        row = CustomAttribute()
        db.session.add(row)
    for name, value in fields.items():
        setattr(row, name, value)
    db.session.flush()
    action = "attribute.create" if before is None else "attribute.update"
    audit.record(action, "attribute", row.id, before, view(row))
    return row


def to_text(value) -> str | None:
    """How a custom value is stored: text, ISO dates, "sí"/"no" for booleans."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _plain(value) if not isinstance(value, str) else value


def from_text(kind: str, text: str | None):
    """A stored custom value as the form field wants it."""
    if text is None:
        return None
    if kind == "yes_no":
        return text == "true"
    if kind == "number":
        return Decimal(text)
    if kind == "date":
        return date.fromisoformat(text)
    return text


def custom_values(client: Client) -> dict[int, str]:
    """attribute id -> stored text for this client."""
    rows = db.session.scalars(sa.select(CustomValue).where(CustomValue.client_id == client.id))
    return {row.attribute_id: row.value for row in rows}


def set_custom_values(client: Client, values: dict[int, object]) -> None:
    """Store the client's custom values; required attributes must have one."""
    attributes = {a.id: a for a in active_attributes()}
    # An unticked yes/no box is "not set": a checkbox cannot tell "no" from "never answered".
    texts = {
        aid: None if v is False else to_text(v) for aid, v in values.items() if aid in attributes
    }
    missing = {
        f"attr_{a.id}": _("Este campo es obligatorio.")
        for a in attributes.values()
        if a.required and a.kind != "yes_no" and not texts.get(a.id)
    }
    if missing:
        raise ClientError(missing)
    current = custom_values(client)
    before, after = {}, {}
    for aid, text in texts.items():
        if current.get(aid) == text:
            continue
        name = attributes[aid].name
        before[name], after[name] = current.get(aid), text
        row = db.session.get(CustomValue, (client.id, aid))
        if text is None and row is not None:
            db.session.delete(row)
        elif row is None:
            db.session.add(CustomValue(client_id=client.id, attribute_id=aid, value=text))
        else:
            row.value = text
    if after:
        db.session.flush()
        audit.record("client.attributes", "client", client.id, before, after)


def _live(model, *conditions) -> tuple[type, Callable[[], sa.Select]]:
    """A reference table's rows still in use that meet the conditions."""
    return model, lambda: sa.select(model).where(model.deleted_at.is_(None), *conditions)


def _staff(role: Role) -> tuple[type, Callable[[], sa.Select]]:
    """Active users of a role."""
    return User, lambda: sa.select(User).where(User.role == role, User.active)


# What each reference field of the card may point to: the form offers these rows and the API
# accepts only these ids.
REFERENCE_RULES: dict[str, tuple[type, Callable[[], sa.Select]]] = {
    "client_type_id": _live(ClientType),
    "price_list_id": _live(PriceList),
    "sale_condition_id": _live(SaleCondition),
    "credit_policy_id": _live(CreditPolicy),
    "salesperson_id": _staff(Role.SALESPERSON),
    "collector_id": _staff(Role.COLLECTOR),
    "sales_zone_id": _live(Zone),
    "delivery_zone_id": _live(Zone),
    "transport_id": _live(Transport),
    "channel_id": _live(Channel),
    **{f"segment{n}_id": _live(Segment, Segment.level == n) for n in range(1, 5)},
    **{
        f"category{n}_id": _live(Category, Category.scheme == n, Category.parent_id.is_(None))
        for n in (1, 2)
    },
    **{
        f"subcategory{n}_id": _live(Category, Category.scheme == n, Category.parent_id.is_not(None))
        for n in (1, 2)
    },
    "family_id": _live(Family),
}


def choosable(field: str) -> list:
    """The rows a reference field of the card may point to."""
    _model, query = REFERENCE_RULES[field]
    return db.session.scalars(query()).all()


def reference_error(field: str, row_id: int) -> str | None:
    """Why this id cannot go in this field, or None when it can."""
    model, query = REFERENCE_RULES[field]
    if db.session.scalar(query().where(model.id == row_id)) is not None:
        return None
    if db.session.get(model, row_id) is None:
        return _("No existe.")
    return _("No se puede elegir para este campo.")


def custom_by_name(client: Client) -> dict[str, object]:
    """The client's custom values keyed by attribute name, typed (for the API), read with the
    active attributes in one query."""
    rows = db.session.execute(
        sa.select(CustomAttribute.name, CustomAttribute.kind, CustomValue.value)
        .outerjoin(
            CustomValue,
            (CustomValue.attribute_id == CustomAttribute.id) & (CustomValue.client_id == client.id),
        )
        .where(CustomAttribute.active)
        .order_by(CustomAttribute.position, CustomAttribute.id)
    )
    unset = {"yes_no": False}  # an unticked yes/no is stored as nothing
    return {
        name: _plain(from_text(kind, text)) if text is not None else unset.get(kind)
        for name, kind, text in rows
    }


def parse_custom(values: dict[str, object]) -> dict[int, object]:
    """Custom values sent by name (API) -> attribute id -> typed value; bad ones refused."""
    attributes = {a.name: a for a in active_attributes()}
    parsed, errors = {}, {}
    for name, raw in values.items():
        attribute = attributes.get(name)
        if attribute is None:
            errors[f"custom.{name}"] = _("No existe ese atributo.")
            continue
        try:
            parsed[attribute.id] = typed_custom(attribute, raw)
        except ValueError:
            errors[f"custom.{name}"] = _("El valor no es válido para este atributo.")
    if errors:
        raise ClientError(errors)
    return parsed


def typed_custom(attribute: CustomAttribute, raw: object) -> object:
    """One custom value checked against its attribute's kind; ValueError when it does not fit."""
    if raw is None or raw == "":
        return None
    kind = attribute.kind
    if kind == "yes_no":
        if not isinstance(raw, bool):
            raise ValueError(raw)
        return raw
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise ValueError(raw)
    text = str(raw).strip()
    if kind == "number" and not isinstance(raw, str):  # a JSON number is taken as sent
        number = Decimal(repr(raw))
        if not number.is_finite():
            raise ValueError(text)
        return number
    if kind == "number":
        return parse_decimal(text, negative=True)
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "choice" and text not in (attribute.choices or []):
        raise ValueError(text)
    if kind == "email":
        return normalize_email(text)
    if kind == "document" and not re.fullmatch(r"[0-9A-Za-z.\- ]{5,20}", text):
        raise ValueError(text)
    if len(text) > 2000:
        raise ValueError(text)
    return text
