"""Prospects registered at the door: a potential client that a salesperson or supervisor adds at
the visit, with the card's own checks, for the back office to complete and activate."""

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import services as audit
from app.auth.models import Role, User
from app.clients import services
from app.clients.models import Address, Client, ClientState
from app.core.location import Location, phone_location
from app.extensions import db
from app.taxes.rules import TAX_ID_NOUNS, TaxIdType

# The card's fields a prospect is registered with; the rest is the back office's.
PROSPECT_FIELDS = (
    "legal_name", "trade_name", "tax_id_type", "tax_id", "phone", "mobile", "email",
    "street", "city", "province", "postal_code",
)  # fmt: skip
# Who registers prospects for themselves: they become the prospect's salesperson.
FIELD_ROLES = (Role.SALESPERSON, Role.SUPERVISOR)


def create_prospect(user: User, fields: dict) -> Client:
    """A potential client from the few fields known at the door, assigned to whoever registered
    it in the field; the door's location goes on its fiscal address, the note on its card.

    `fields` holds PROSPECT_FIELDS, and optionally latitude, longitude and note. The tax id is
    checked as for any card; one another client holds is refused without naming a client the
    user does not reach.
    """
    card = {name: fields[name] for name in PROSPECT_FIELDS if fields.get(name) not in (None, "")}
    if not card.get("trade_name"):
        raise services.ClientError({"trade_name": _("Este campo es obligatorio.")})
    card.setdefault("legal_name", card["trade_name"])
    _refuse_a_known_tax_id(user, card)
    card["state"] = ClientState.POTENTIAL
    if Role(user.role) in FIELD_ROLES:
        card["salesperson_id"] = user.id
    client = services.create_client(card)
    location = phone_location(fields)
    if card.get("street") or location:
        _add_fiscal_address(client, location)
    if note := (fields.get("note") or "").strip():
        services.add_note(client, note, author=user)
    return client


def _refuse_a_known_tax_id(user: User, card: dict) -> None:
    """Refuse a tax id another live client holds: named if the user reaches it, else not."""
    kind = card.get("tax_id_type") or TaxIdType.CUIT
    holder = services.tax_id_holder(kind, card["tax_id"]) if card.get("tax_id") else None
    if holder is None:
        return
    document = _(TAX_ID_NOUNS.get(kind, kind))
    reached = services.scoped_clients(user).where(Client.id == holder.id)
    if db.session.scalar(sa.select(reached.exists())):
        message = _(
            "Ya existe un cliente con ese %(document)s: %(code)s %(name)s.",
            document=document,
            code=holder.code,
            name=holder.display_name,
        )
    else:
        message = _(
            "Ya existe un cliente con ese %(document)s en otra cartera; pedí al back office que "
            "te lo asigne.",
            document=document,
        )
    raise services.ClientError({"tax_id": message})


def _add_fiscal_address(client: Client, location: Location | None) -> Address:
    """The card's address as its fiscal address, with the door's location when it was shared."""
    address = Address(
        client_id=client.id,
        kind="fiscal",
        street=client.street or "",
        city=client.city,
        province=client.province,
        postal_code=client.postal_code,
        latitude=location.latitude if location else None,
        longitude=location.longitude if location else None,
    )
    db.session.add(address)
    db.session.flush()
    audit.record("client.addresses.create", "client", client.id, None, services.part_view(address))
    return address
