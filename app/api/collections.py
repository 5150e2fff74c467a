"""The JSON API for collections: calls and promises, the daily sheet, receipts in the field."""

import sqlalchemy as sa
from flask import abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from app.api.blueprint import bp
from app.api.common import load_json, query_args, refusals
from app.api.docs import (
    REFUSED_WRITE,
    UNKNOWN,
    api_doc,
    name_schemas,
    read_errors,
    write_errors,
)
from app.auth.models import User
from app.auth.permissions import can, requires
from app.clients import services as clients
from app.clients.models import Client
from app.collections import services as collections
from app.collections.models import CollectionCall, FieldReceipt
from app.collections.schemas import (
    CallListArgsSchema,
    CallPageSchema,
    CallSchema,
    FieldReceiptListSchema,
    FieldReceiptSchema,
    NewCallSchema,
    NewFieldReceiptSchema,
    RejectSchema,
    SheetArgsSchema,
    SheetSchema,
)
from app.core.idempotency import write_endpoint
from app.core.types import local_today
from app.extensions import db

collection_refusals = refusals(collections.CollectionError)

name_schemas(
    NewCollectionCall=NewCallSchema,
    CollectionCall=CallSchema,
    NewFieldReceipt=NewFieldReceiptSchema,
    FieldReceipt=FieldReceiptSchema,
    FieldReceiptReject=RejectSchema,
    CollectionCallPage=CallPageSchema,
    CollectionSheet=SheetSchema,
    FieldReceiptList=FieldReceiptListSchema,
)


def _client_in_body(client_id: int) -> Client:
    """A client in the caller's scope; another is a field error, not a 404."""
    try:
        return clients.visible_client(current_user, client_id, trash=False)
    except NotFound:
        raise collections.CollectionError({"client_id": _("No existe.")}) from None


def _call_json(call: CollectionCall, states: dict | None = None) -> dict:
    """A call with its promise's state."""
    states = collections.promise_states([call]) if states is None else states
    return CallSchema().dump(call) | {"promise_state": states.get(call.id)}


@bp.post("/collection-calls")
@api_doc(
    "Log a contact with a debtor: channel, outcome, a promise (amount and date), the next "
    "contact, an agreed visit with its time window",
    body=("The data", "NewCollectionCall"),
    answers={"201": ("The call, with its promise's state", "CollectionCall")},
    errors=write_errors(REFUSED_WRITE),
)
@requires("collections.log")
@write_endpoint
@collection_refusals
def create_call():
    """Log a contact with a debtor: its outcome, a promise, the next contact, a visit."""
    data = load_json(NewCallSchema())
    client = _client_in_body(data.pop("client_id"))
    call = collections.log_call(client, data, current_user)
    return jsonify(_call_json(call)), 201


@bp.get("/collection-calls")
@api_doc(
    "Calls of the clients in the caller's scope, newest first, with each promise's state "
    "(open, kept, broken)",
    query=CallListArgsSchema,
    answers={"200": ("A page of calls", "CollectionCallPage")},
    errors=read_errors(),
)
@requires("collections.view")
@collection_refusals
def list_calls():
    """Calls of the clients in the caller's scope, newest first."""
    args = query_args(CallListArgsSchema())
    reach = clients.scoped_clients(current_user).with_only_columns(Client.id)
    query = sa.select(CollectionCall).where(
        CollectionCall.client_id.in_(reach), CollectionCall.deleted_at.is_(None)
    )
    if args.get("client_id"):
        query = query.where(CollectionCall.client_id == args["client_id"])
    query = query.order_by(CollectionCall.created_at.desc(), CollectionCall.id.desc())
    page = db.paginate(query, page=args["page"], per_page=args["per_page"], error_out=False)
    states = collections.promise_states(list(page.items))
    next_url = None
    if page.has_next:
        sent = {k: v for k, v in request.args.items() if k in ("client_id", "per_page")}
        next_url = url_for(".list_calls", **(sent | {"page": page.next_num}))
    items = [_call_json(call, states) for call in page.items]
    return jsonify({"items": items, "next": next_url, "total": page.total})


@bp.get("/collection-sheet")
@api_doc(
    "A collector's clients to visit on a day (default: the caller, today), grouped by zone in "
    "visiting order: agreed visits by their window, then promises due, then overdue debt "
    "weighted by age",
    query=SheetArgsSchema,
    answers={"200": ("The sheet", "CollectionSheet")},
    errors=read_errors(("404", "Another collector's sheet, asked by someone who may not")),
)
@requires("collections.view")
@collection_refusals
def collection_sheet():
    """A collector's clients to visit on a day, by zone, in the order to visit them."""
    args = query_args(SheetArgsSchema())
    collector = current_user
    if args.get("collector_id") and args["collector_id"] != current_user.id:
        if not can(current_user, "receipts.confirm") and current_user.role != "supervisor":
            abort(404)
        collector = db.session.get(User, args["collector_id"]) or abort(404)
    day = args.get("date") or local_today()
    zones = collections.sheet(collector, day)
    body = {
        "collector_id": collector.id,
        "date": day.isoformat(),
        "zones": [
            {
                "zone": zone,
                "rows": [
                    {
                        "client_id": row.client.id,
                        "code": row.client.code,
                        "name": row.client.trade_name or row.client.legal_name,
                        "address": row.address,
                        "phone": row.phone,
                        "reasons": sorted(row.candidate.reasons),
                        "window": [t.strftime("%H:%M") if t else None for t in row.window]
                        if row.window
                        else None,
                        "overdue": f"{row.candidate.overdue:.2f}",
                        "oldest_due": row.candidate.oldest_due.isoformat()
                        if row.candidate.oldest_due
                        else None,
                        "priority": f"{row.candidate.priority:.2f}",
                        "promise_call_id": row.promise.id if row.promise else None,
                    }
                    for row in rows
                ],
            }
            for zone, rows in zones
        ],
    }
    return jsonify(body)


@bp.post("/field-receipts")
@api_doc(
    "Record what a collector received against the client's open documents; it waits for the "
    "back office's confirmation before it reaches the account. A line of a kind only the back "
    "office takes (a card, a promissory note) is refused with a 422 on lines.N.kind",
    body=("The data", "NewFieldReceipt"),
    answers={"201": ("The field receipt, pending", "FieldReceipt")},
    errors=write_errors(REFUSED_WRITE),
)
@requires("collections.log")
@write_endpoint
@collection_refusals
def create_field_receipt():
    """Record what a collector received; it waits for the back office to confirm it."""
    payload = request.get_json(silent=True)
    load_json(NewFieldReceiptSchema())  # checks types and shapes; the raw body is kept
    client = _client_in_body(payload["client_id"])
    row = collections.record_field_receipt(client, payload, current_user)
    return jsonify(FieldReceiptSchema().dump(row)), 201


def _field_receipt(receipt_id: int) -> FieldReceipt:
    """A field receipt of a client in the caller's scope, else 404."""
    row = db.session.get(FieldReceipt, receipt_id)
    if row is None:
        abort(404)
    clients.visible_client(current_user, row.client_id, trash=False)
    return row


@bp.get("/field-receipts")
@api_doc(
    "Field receipts waiting for confirmation in the caller's scope",
    answers={"200": ("The pending receipts", "FieldReceiptList")},
    errors=read_errors(),
)
@requires("collections.view")
def list_field_receipts():
    """Field receipts waiting for confirmation in the caller's scope, oldest first."""
    rows = collections.pending_receipts(current_user)
    return jsonify({"items": FieldReceiptSchema(many=True).dump(rows)})


@bp.post("/field-receipts/<int:receipt_id>/confirm")
@api_doc(
    "Post a field receipt to the client's account (back office)",
    answers={"200": ("The field receipt, confirmed", "FieldReceipt")},
    errors=write_errors(REFUSED_WRITE, UNKNOWN),
)
@requires("receipts.confirm")
@write_endpoint
@collection_refusals
def confirm_field_receipt(receipt_id: int):
    """Post a field receipt to the client's account (the back office)."""
    row = _field_receipt(receipt_id)
    collections.confirm_receipt(row, current_user)
    return jsonify(FieldReceiptSchema().dump(row))


@bp.post("/field-receipts/<int:receipt_id>/reject")
@api_doc(
    "Refuse a field receipt with a reason (back office)",
    body=("The data", "FieldReceiptReject"),
    answers={"200": ("The field receipt, rejected", "FieldReceipt")},
    errors=write_errors(REFUSED_WRITE, UNKNOWN),
)
@requires("receipts.confirm")
@write_endpoint
@collection_refusals
def reject_field_receipt(receipt_id: int):
    """Refuse a field receipt with a reason; nothing reaches the account."""
    row = _field_receipt(receipt_id)
    data = load_json(RejectSchema())
    collections.reject_receipt(row, data["reason"], current_user)
    return jsonify(FieldReceiptSchema().dump(row))
