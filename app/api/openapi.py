"""The OpenAPI 3 document, built from the marshmallow schemas, and its route."""

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import jsonify

from app.api.blueprint import bp
from app.api.docs import (
    BAD_KEY,
    CLIENT_ID,
    IDEMPOTENCY_KEY,
    NUL_IN_QUERY,
    TOO_LARGE,
    ErrorSchema,
    error_answer,
    json_answer,
    path_id,
    write_errors,
)
from app.auth.permissions import public
from app.auth.schemas import TokenRequestSchema, TokenSchema, UserSchema
from app.clients.schemas import (
    ClientListArgsSchema,
    ClientPageSchema,
    ClientSchema,
    SuggestedCodeSchema,
)
from app.credit.schemas import CreditArgsSchema, DecisionSchema
from app.ledger.schemas import (
    AccountArgsSchema,
    AccountSchema,
    AgingArgsSchema,
    AgingReportSchema,
    AgingRowSchema,
    AgingTotalsSchema,
    AllocationSchema,
    ApplicationSchema,
    ApplySchema,
    BucketsSchema,
    CardIssuerSchema,
    CardPlanSchema,
    CurrencySummarySchema,
    DocumentListArgsSchema,
    DocumentPageSchema,
    DocumentSchema,
    DocumentSummarySchema,
    InstallmentSchema,
    NewDocumentSchema,
    NewReceiptSchema,
    OpenItemSchema,
    PaymentLineOutSchema,
    PaymentLineSchema,
    SaleConditionSchema,
    StatementArgsSchema,
    StatementLineSchema,
    StatementSchema,
    VoidedReceiptSchema,
    VoidResultSchema,
    VoidSchema,
)
from app.notices.schemas import ClientNoticesSchema, NoticeArgsSchema, NoticeSchema


def _client_paths(spec: APISpec) -> None:
    """The client list, the client, its trash and restore, and the code suggestion."""
    spec.components.schema("Client", schema=ClientSchema)
    spec.components.schema("ClientPatch", schema=ClientSchema(partial=True))
    spec.components.schema("ClientPage", schema=ClientPageSchema)
    spec.components.schema("SuggestedCode", schema=SuggestedCodeSchema)
    not_found = ("404", "Unknown, or not in the caller's scope (never 403, ids stay private)")
    spec.path(
        path="/clients",
        operations={
            "get": {
                "summary": "Clients in the caller's scope: search, filters, order, pages",
                "parameters": [{"in": "query", "schema": ClientListArgsSchema}],
                "responses": {
                    "200": json_answer(
                        "A page of clients; `next` is null on the last", "ClientPage"
                    ),
                    NUL_IN_QUERY[0]: error_answer(NUL_IN_QUERY[1]),
                    "401": error_answer("Not signed in"),
                    "422": error_answer("Invalid query arguments"),
                },
            },
            "post": {
                "summary": "Create a client (back office); without a code it gets the next",
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": {"required": True, **json_answer("The client", "Client")},
                "responses": {"201": json_answer("Created", "Client"), **write_errors()},
            },
        },
    )
    spec.path(
        path="/clients/suggest-code",
        operations={
            "get": {
                "summary": "The next free client code (back office)",
                "responses": {
                    "200": json_answer("A code", "SuggestedCode"),
                    "401": error_answer("Not signed in"),
                    "403": error_answer("Not allowed (back office only)"),
                },
            }
        },
    )
    spec.path(
        path="/clients/{client_id}",
        operations={
            "get": {
                "summary": "A client; the back office also sees it in the trash",
                "parameters": [CLIENT_ID],
                "responses": {
                    "200": json_answer("The client", "Client"),
                    "401": error_answer("Not signed in"),
                    "404": error_answer(not_found[1]),
                },
            },
            "patch": {
                "summary": "Change the fields sent (back office); the others stay",
                "parameters": [CLIENT_ID, IDEMPOTENCY_KEY],
                "requestBody": {"required": True, **json_answer("Fields to change", "ClientPatch")},
                "responses": {"200": json_answer("Changed", "Client"), **write_errors(not_found)},
            },
            "delete": {
                "summary": "Send a client to the trash (back office); restore brings it back",
                "parameters": [CLIENT_ID, IDEMPOTENCY_KEY],
                "responses": {"204": {"description": "In the trash"}, **write_errors(not_found)},
            },
        },
    )
    spec.path(
        path="/clients/{client_id}/restore",
        operations={
            "post": {
                "summary": "Bring a client back from the trash (back office)",
                "parameters": [CLIENT_ID, IDEMPOTENCY_KEY],
                "responses": {
                    "200": json_answer("Restored", "Client"),
                    **write_errors(("404", "Unknown, out of scope, or not in the trash")),
                },
            }
        },
    )
    from app.api.clients import NoteSchema

    spec.components.schema("ClientNote", schema=NoteSchema)
    note_errors = write_errors(not_found)
    del note_errors["403"]  # every role writes notes
    spec.path(
        path="/clients/{client_id}/notes",
        operations={
            "post": {
                "summary": "Add a note to the card of a client in the caller's scope",
                "parameters": [CLIENT_ID, IDEMPOTENCY_KEY],
                "requestBody": {"required": True, **json_answer("The note's text", "ClientNote")},
                "responses": {"201": json_answer("Added", "ClientNote"), **note_errors},
            }
        },
    )


DOCUMENT_ID = path_id("document_id")
APPLICATION_ID = path_id("application_id")
LEDGER_FIELDS = (
    "Invalid fields, or a change the ledger refuses (messages per field, in Spanish; rows "
    'named with dots: "lines.0.bank", "applications.1.amount"), or key reused'
)
LEDGER_SCHEMAS = {
    # Parts first, so the documents that hold them refer to them by these names.
    "Buckets": BucketsSchema,
    "Installment": InstallmentSchema,
    "PaymentLineOut": PaymentLineOutSchema,
    "Application": ApplicationSchema,
    "DocumentSummary": DocumentSummarySchema,
    "Document": DocumentSchema,
    "DocumentPage": DocumentPageSchema,
    "VoidResult": VoidResultSchema,
    "CurrencySummary": CurrencySummarySchema,
    "OpenItem": OpenItemSchema,
    "Account": AccountSchema,
    "StatementLine": StatementLineSchema,
    "Statement": StatementSchema,
    "AgingRow": AgingRowSchema,
    "AgingTotals": AgingTotalsSchema,
    "AgingReport": AgingReportSchema,
    "SaleCondition": SaleConditionSchema,
    "CardPlan": CardPlanSchema,
    "CardIssuer": CardIssuerSchema,
    "PaymentLine": PaymentLineSchema,
    "Allocation": AllocationSchema,
    "NewDocument": NewDocumentSchema,
    "NewReceipt": NewReceiptSchema,
    "VoidedReceipt": VoidedReceiptSchema,
    "Apply": ApplySchema,
    "Void": VoidSchema,
}


def _ledger_write(summary: str, body: str | None, answer: tuple[str, str, str], *params) -> dict:
    """A ledger write: its key, its body, its answer and the errors every write can give."""
    status, description, schema = answer
    responses = write_errors() | {"422": error_answer(LEDGER_FIELDS)}
    if params:
        responses["404"] = error_answer("Unknown, or not in the caller's scope")
    operation = {
        "summary": summary,
        "parameters": [*params, IDEMPOTENCY_KEY],
        "responses": {status: json_answer(description, schema), **responses},
    }
    if body:
        operation["requestBody"] = {"required": True, **json_answer("The data", body)}
    return operation


def _ledger_read(summary: str, answer: tuple[str, str], *params, query=None) -> dict:
    """A ledger read of a client's account or a document (scoped: others' ids are 404)."""
    responses = {"200": json_answer(*answer), "401": error_answer("Not signed in")}
    if params:
        responses["404"] = error_answer("Unknown, or not in the caller's scope (never 403)")
    if query is not None:
        responses[NUL_IN_QUERY[0]] = error_answer(NUL_IN_QUERY[1])
        responses["422"] = error_answer("Invalid query arguments")
    parameters = [*params] + ([{"in": "query", "schema": query}] if query else [])
    return {"summary": summary, "parameters": parameters, "responses": responses}


def _ledger_paths(spec: APISpec) -> None:
    """Current accounts: balances, documents, receipts, applications, voids, statement, aging."""
    for name, schema in LEDGER_SCHEMAS.items():
        spec.components.schema(name, schema=schema)
    office = "(back office)"
    spec.path(
        path="/clients/{client_id}/account",
        operations={
            "get": _ledger_read(
                "A client's balances per currency, aging buckets, payment habits, oldest open "
                "items and unapplied credits",
                ("The account", "Account"),
                CLIENT_ID,
                query=AccountArgsSchema,
            )
        },
    )
    spec.path(
        path="/clients/{client_id}/documents",
        operations={
            "get": _ledger_read(
                "A client's documents, newest first, filtered by date range, kind and state",
                ("A page of documents; `next` is null on the last", "DocumentPage"),
                CLIENT_ID,
                query=DocumentListArgsSchema,
            )
        },
    )
    spec.path(
        path="/clients/{client_id}/statement",
        operations={
            "get": _ledger_read(
                "The account statement (estado de cuenta) of a date range in one currency: "
                "opening balance, each document with its applications, running balance",
                ("The statement", "Statement"),
                CLIENT_ID,
                query=StatementArgsSchema,
            )
        },
    )
    spec.path(
        path="/documents/{document_id}",
        operations={
            "get": _ledger_read(
                "A document with its installments, payment lines and applications",
                ("The document", "Document"),
                DOCUMENT_ID,
            )
        },
    )
    spec.path(
        path="/documents",
        operations={
            "post": _ledger_write(
                f"Post an invoice, note, adjustment or opening balance {office}; debits get "
                "their installments from the sale condition",
                "NewDocument",
                ("201", "Posted", "Document"),
            )
        },
    )
    spec.path(
        path="/receipts",
        operations={
            "post": _ledger_write(
                f"Record a receipt with its payment lines {office}; applied to the named "
                "installments, to the oldest ones (apply_oldest), or left unapplied",
                "NewReceipt",
                ("201", "Recorded", "Document"),
            )
        },
    )
    spec.path(
        path="/receipts/voided",
        operations={
            "post": _ledger_write(
                f"Enter a receipt form spoiled on paper, so its number is accounted for {office}",
                "VoidedReceipt",
                ("201", "Entered (state void, amount 0)", "Document"),
            )
        },
    )
    spec.path(
        path="/documents/{document_id}/applications",
        operations={
            "post": _ledger_write(
                f"Apply a receipt or credit to open installments {office}",
                "Apply",
                ("200", "The credit with its applications", "Document"),
                DOCUMENT_ID,
            )
        },
    )
    spec.path(
        path="/applications/{application_id}/unapply",
        operations={
            "post": _ledger_write(
                f"Undo an application {office}; it stays in the history with `unapplied_at`",
                None,
                ("200", "The credit document it belonged to", "Document"),
                APPLICATION_ID,
            )
        },
    )
    spec.path(
        path="/documents/{document_id}/void",
        operations={
            "post": _ledger_write(
                f"Void a document {office}: its applications are undone and a reversing "
                "document is written (never a delete)",
                "Void",
                ("200", "The voided document and its reversal", "VoidResult"),
                DOCUMENT_ID,
            )
        },
    )
    aging = _ledger_read(
        "Aging buckets per client in the caller's scope, largest overdue first, with totals "
        "(back office and supervisors)",
        ("A page of the report; `next` is null on the last", "AgingReport"),
        query=AgingArgsSchema,
    )
    aging["responses"]["403"] = error_answer("Not allowed (back office and supervisors)")
    spec.path(path="/aging", operations={"get": aging})
    spec.path(
        path="/sale-conditions",
        operations={
            "get": _ledger_read(
                "The sale conditions in use",
                ("Every sale condition", {"type": "array", "items": "SaleCondition"}),
            )
        },
    )
    spec.path(
        path="/card-issuers",
        operations={
            "get": _ledger_read(
                "The credit-card issuers in use, with their plans",
                ("Every issuer", {"type": "array", "items": "CardIssuer"}),
            )
        },
    )


def _credit_paths(spec: APISpec) -> None:
    """The credit decision for an order before it is placed."""
    spec.components.schema("CreditDecision", schema=DecisionSchema)
    operation = _ledger_read(
        "The credit decision for an order of this amount and payment method: allowed, or "
        "blocked with every failing limit (money, documents, age, state) and its figures",
        ("The decision", "CreditDecision"),
        CLIENT_ID,
        query=CreditArgsSchema,
    )
    operation["responses"]["403"] = error_answer("Not allowed (collectors)")
    spec.path(path="/clients/{client_id}/credit", operations={"get": operation})


def _notices_paths(spec: APISpec) -> None:
    """The notices in force for a client."""
    spec.components.schema("Notice", schema=NoticeSchema)
    spec.components.schema("ClientNotices", schema=ClientNoticesSchema)
    operation = _ledger_read(
        "The notices in force for a client on a day (today by default): important first, "
        "then warning, then info, newest first; each with when the caller marked it seen",
        ("The notices", "ClientNotices"),
        CLIENT_ID,
        query=NoticeArgsSchema,
    )
    spec.path(path="/clients/{client_id}/notices", operations={"get": operation})


def _override_paths(spec: APISpec) -> None:
    """The approvers' inbox of override requests, and their answer."""
    from app.api.overrides import DecisionBodySchema, InboxRequestSchema, InboxSchema

    spec.components.schema("InboxRequest", schema=InboxRequestSchema)
    spec.components.schema("Inbox", schema=InboxSchema)
    spec.components.schema("OverrideDecision", schema=DecisionBodySchema)
    forbidden = error_answer("Not allowed (supervisors and admins only)")
    spec.path(
        path="/override-requests",
        operations={
            "get": {
                "summary": "Override requests in time for clients in the caller's scope, oldest "
                "first; `covered` says whether the caller's band covers the excess now",
                "responses": {
                    "200": json_answer("The requests", "Inbox"),
                    "401": error_answer("Not signed in"),
                    "403": forbidden,
                },
            }
        },
    )
    spec.path(
        path="/override-requests/{request_id}/decision",
        operations={
            "post": {
                "summary": "Approve or reject an override request (an approval is spent on "
                "its order at once); refused with 422 `override_refused` when it expired, was "
                "answered, the order changed, or the caller's band does not cover it",
                "parameters": [path_id("request_id"), IDEMPOTENCY_KEY],
                "requestBody": {"required": True, **json_answer("The answer", "OverrideDecision")},
                "responses": {
                    "200": json_answer("The request as answered", "InboxRequest"),
                    **write_errors(("404", "Unknown, or not in the caller's scope")),
                    "403": forbidden,
                    "422": error_answer(
                        "Invalid fields, key reused, or the answer refused "
                        "(`override_refused`, messages per field in Spanish)"
                    ),
                },
            }
        },
    )


ORDER_ID = path_id("order_id")


def _orders_paths(spec: APISpec) -> None:
    """Orders: take (with the credit decision), quote, list, follow, ask approval, cancel."""
    from app.orders.schemas import (
        CancelSchema,
        NewOrderSchema,
        OrderListArgsSchema,
        OrderPageSchema,
        OrderSchema,
        QuoteSchema,
        ReasonSchema,
        TrackingSchema,
    )

    for name, schema in (
        ("NewOrder", NewOrderSchema),
        ("Order", OrderSchema),
        ("OrderPage", OrderPageSchema),
        ("OrderQuote", QuoteSchema),
        ("OverrideReason", ReasonSchema),
        ("OrderCancel", CancelSchema),
        ("OrderTracking", TrackingSchema),
    ):
        spec.components.schema(name, schema=schema)
    take = _ledger_write(
        "Take an order: priced with the client's list and discounts and decided on credit. "
        "An order over the limit is kept as blocked (201 all the same); with override_reason it "
        "goes to the supervisors at once",
        "NewOrder",
        ("201", "The order with its credit decision", "Order"),
    )
    take["responses"]["403"] = error_answer("Not allowed (collectors)")
    listing = _ledger_read(
        "Orders in the caller's scope, newest first",
        ("A page of orders", "OrderPage"),
        query=OrderListArgsSchema,
    )
    spec.path(path="/orders", operations={"post": take, "get": listing})
    spec.path(
        path="/orders/quote",
        operations={
            "post": {
                "summary": "Price an order and decide its credit without taking it",
                "requestBody": {"required": True, **json_answer("The order", "NewOrder")},
                "responses": {
                    "200": json_answer("The priced order and its decision", "OrderQuote"),
                    "401": error_answer("Not signed in"),
                    "403": error_answer("Not allowed (collectors)"),
                    TOO_LARGE[0]: error_answer(TOO_LARGE[1]),
                    "422": error_answer("Invalid fields (messages per field, in Spanish)"),
                },
            }
        },
    )
    spec.path(
        path="/orders/{order_id}",
        operations={"get": _ledger_read("One order", ("The order", "Order"), ORDER_ID)},
    )
    for path, summary, body, created in (
        (
            "override-request",
            "Send a blocked order to the supervisors whose band covers it "
            "(200 and accepted when it fits the limits now)",
            "OverrideReason",
            "201",
        ),
        (
            "cancel",
            "Cancel an order not yet invoiced (its taker or the back office)",
            "OrderCancel",
            "200",
        ),
        (
            "tracking",
            "Mark an order dispatched, delivered or invoiced (back office)",
            "OrderTracking",
            "200",
        ),
    ):
        operation = _ledger_write(summary, body, (created, "The order", "Order"), ORDER_ID)
        spec.path(path=f"/orders/{{order_id}}/{path}", operations={"post": operation})


FIELD_RECEIPT_ID = path_id("receipt_id")


def _collections_paths(spec: APISpec) -> None:
    """Collection calls and promises, the collector's sheet, receipts in the field."""
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

    for name, schema in (
        ("NewCollectionCall", NewCallSchema),
        ("CollectionCall", CallSchema),
        ("NewFieldReceipt", NewFieldReceiptSchema),
        ("FieldReceipt", FieldReceiptSchema),
        ("FieldReceiptReject", RejectSchema),
        ("CollectionCallPage", CallPageSchema),
        ("CollectionSheet", SheetSchema),
        ("FieldReceiptList", FieldReceiptListSchema),
    ):
        spec.components.schema(name, schema=schema)
    log = _ledger_write(
        "Log a contact with a debtor: channel, outcome, a promise (amount and date), the next "
        "contact, an agreed visit with its time window",
        "NewCollectionCall",
        ("201", "The call, with its promise's state", "CollectionCall"),
    )
    calls = _ledger_read(
        "Calls of the clients in the caller's scope, newest first, with each promise's state "
        "(open, kept, broken)",
        ("A page of calls", "CollectionCallPage"),
        query=CallListArgsSchema,
    )
    spec.path(path="/collection-calls", operations={"post": log, "get": calls})
    sheet = _ledger_read(
        "A collector's clients to visit on a day (default: the caller, today), grouped by zone "
        "in visiting order: agreed visits by their window, then promises due, then overdue "
        "debt weighted by age",
        ("The sheet", "CollectionSheet"),
        query=SheetArgsSchema,
    )
    sheet["responses"]["404"] = error_answer(
        "Another collector's sheet, asked by someone who may not"
    )
    spec.path(path="/collection-sheet", operations={"get": sheet})
    record = _ledger_write(
        "Record what a collector received against the client's open documents; it waits for "
        "the back office's confirmation before it reaches the account. A line of a kind only the "
        "back office takes (a card, a promissory note) is refused with a 422 on lines.N.kind",
        "NewFieldReceipt",
        ("201", "The field receipt, pending", "FieldReceipt"),
    )
    pending = _ledger_read(
        "Field receipts waiting for confirmation in the caller's scope",
        ("The pending receipts", "FieldReceiptList"),
    )
    spec.path(path="/field-receipts", operations={"post": record, "get": pending})
    confirm = _ledger_write(
        "Post a field receipt to the client's account (back office)",
        None,
        ("200", "The field receipt, confirmed", "FieldReceipt"),
        FIELD_RECEIPT_ID,
    )
    spec.path(path="/field-receipts/{receipt_id}/confirm", operations={"post": confirm})
    reject = _ledger_write(
        "Refuse a field receipt with a reason (back office)",
        "FieldReceiptReject",
        ("200", "The field receipt, rejected", "FieldReceipt"),
        FIELD_RECEIPT_ID,
    )
    spec.path(path="/field-receipts/{receipt_id}/reject", operations={"post": reject})


def build_spec() -> dict:
    """Describe every API operation."""
    spec = APISpec(
        title="Clientes en ruta API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        servers=[{"url": "/api/v1"}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.schema("TokenRequest", schema=TokenRequestSchema)
    spec.components.schema("Token", schema=TokenSchema)
    spec.components.schema("User", schema=UserSchema)
    json_body = {"required": True, "content": {"application/json": {"schema": "TokenRequest"}}}
    spec.path(
        path="/auth/token",
        operations={
            "post": {
                "summary": "Exchange username and password for a bearer token",
                "security": [],
                "requestBody": json_body,
                "responses": {
                    "201": {
                        "description": "Token issued",
                        "content": {"application/json": {"schema": "Token"}},
                    },
                    "401": error_answer("Wrong credentials"),
                    "422": error_answer("Invalid body"),
                    TOO_LARGE[0]: error_answer(TOO_LARGE[1]),
                    "423": error_answer("Account locked after repeated failures"),
                    "429": error_answer("Too many attempts"),
                },
            },
            "delete": {
                "summary": "Revoke the token of this request",
                "responses": {
                    "204": {"description": "Revoked"},
                    "400": error_answer(
                        "Signed in with the session cookie: there is no token to revoke"
                    ),
                    "401": error_answer("Not signed in"),
                },
            },
        },
    )
    spec.path(
        path="/me",
        operations={
            "get": {
                "summary": "The signed-in user",
                "responses": {
                    "200": {
                        "description": "User",
                        "content": {"application/json": {"schema": "User"}},
                    },
                    "401": error_answer("Not signed in"),
                },
            }
        },
    )
    spec.path(
        path="/users",
        operations={
            "post": {
                "summary": "Create a user (admin)",
                "parameters": [IDEMPOTENCY_KEY],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": "User"}},
                },
                "responses": {
                    "201": {
                        "description": "Created",
                        "content": {"application/json": {"schema": "User"}},
                    },
                    BAD_KEY[0]: error_answer(BAD_KEY[1]),
                    "401": error_answer("Not signed in"),
                    "403": error_answer("Not allowed"),
                    "409": error_answer("Same key still running"),
                    TOO_LARGE[0]: error_answer(TOO_LARGE[1]),
                    "422": error_answer("Invalid body, or key reused with another body"),
                },
            }
        },
    )
    _client_paths(spec)
    _ledger_paths(spec)
    _notices_paths(spec)
    _credit_paths(spec)  # after notices: its decision names the Notice schema
    _orders_paths(spec)
    _collections_paths(spec)
    _override_paths(spec)  # after credit: its requests name the Failure schema
    from app.api.products import product_paths

    product_paths(spec)
    from app.api.sync import sync_paths

    sync_paths(spec)
    from app.api.session import session_paths

    session_paths(spec)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document


@bp.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3 document of this API."""
    return jsonify(build_spec())
