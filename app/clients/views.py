"""Client pages: the list, the card, the card form and the card's actions."""

import sqlalchemy as sa
from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from app.audit.models import AuditEntry
from app.auth.models import User
from app.auth.permissions import can, requires
from app.clients import prospects, services
from app.clients.blueprint import bp
from app.clients.forms import (
    ADDRESS_KINDS,
    ATTRIBUTE_KINDS,
    FIELD_LABELS,
    PAYMENT_LABELS,
    STATE_LABELS,
    TAX_ID_LABELS,
    AddressForm,
    AttributeForm,
    ClientForm,
    ContactForm,
    NoteForm,
    PickupForm,
    QuickContactForm,
    ReasonForm,
    client_form_class,
)
from app.clients.models import Client, ClientNote, ClientState, CustomAttribute
from app.clients.prospect_forms import ProspectForm
from app.clients.reference import Category, Family
from app.clients.rules import Pickup, pickup_allowed
from app.core import reference_admin
from app.core.idempotency import write_endpoint
from app.core.rendering import render, wants_fragment
from app.core.types import local_today
from app.extensions import db
from app.ledger.models import SaleCondition
from app.taxes.services import client_invoice, client_perception_rates

bp.add_app_template_global(client_invoice)

FILTERS = ("state", "client_type_id", "sales_zone_id", "salesperson_id", "collector_id",
           "segment1_id", "credit", "sort")  # fmt: skip


def _label(row) -> str:
    """How a reference row reads in a select: subcategories under their category."""
    if isinstance(row, User):
        return row.full_name
    if isinstance(row, SaleCondition):
        return row.description
    if isinstance(row, Category) and row.parent is not None:
        return f"{row.parent.name} › {row.name}"
    return row.name


def _choices(field: str) -> list[SelectChoice]:
    """The rows a reference field may point to, sorted by label, after an empty choice."""
    rows = sorted(services.choosable(field), key=_label)
    return [SelectChoice("", "—"), *(SelectChoice(str(r.id), _label(r)) for r in rows)]


def _state_choices() -> list[SelectChoice]:
    """The client states with their Spanish labels."""
    return [SelectChoice(s.value, STATE_LABELS[s]) for s in ClientState]


def _fill_choices(form: ClientForm) -> None:
    """Load the reference tables into the form's selects."""
    form.state.choices = _state_choices()
    for field in ClientForm.REFERENCE_FIELDS:
        form[field].choices = _choices(field)


def _filters_from_request() -> dict:
    """The list filters present in the query string."""
    return {name: request.args.get(name, "") for name in FILTERS}


@bp.get("/")
@requires("clients.view")
def index():
    """My clients, searchable as I type and filterable."""
    q = request.args.get("q", "")
    filters = _filters_from_request()
    query = services.search_clients(services.scoped_clients(current_user), q)
    query = services.sort_clients(services.filter_clients(query, filters), filters["sort"])
    page = db.paginate(query, per_page=services.PAGE_SIZE, error_out=False)
    return render(
        "clients/index.html",
        block="results",
        page=page,
        q=q,
        filters=filters,
        # The filter bar's choices are only drawn on the full page, not for htmx's rows.
        filter_options=(
            _filter_options()
            if can(current_user, "clients.edit") and not wants_fragment()
            else None
        ),
    )


def _filter_options() -> dict:
    """Choices for the back office's filter bar."""
    fields = ("client_type_id", "sales_zone_id", "salesperson_id", "collector_id", "segment1_id")
    return {"state": _state_choices(), **{field: _choices(field) for field in fields}}


@bp.get("/<int:client_id>")
@requires("clients.view")
def card(client_id: int):
    """The client card: everything about the client at a glance."""
    client = services.visible_client(current_user, client_id)
    return render("clients/card.html", **_card_context(client))


def _card_context(client: Client, note_form: NoteForm | None = None) -> dict:
    """What the card page shows."""
    notes = db.session.scalars(
        sa.select(ClientNote)
        .options(selectinload(ClientNote.author))
        .where(ClientNote.client_id == client.id)
        .order_by(ClientNote.id.desc())
        .limit(20)
    ).all()
    history = []
    if can(current_user, "clients.edit"):
        history = db.session.scalars(
            sa.select(AuditEntry)
            .options(selectinload(AuditEntry.actor))
            .where(AuditEntry.entity_type == "client", AuditEntry.entity_id == str(client.id))
            .order_by(AuditEntry.id.desc())
            .limit(20)
        ).all()
    return {
        "client": client,
        "contacts": services.live_parts(client, "contacts"),
        "pickups": services.live_parts(client, "pickups"),
        "addresses": services.live_parts(client, "addresses"),
        "branches": services.branches_of(client),
        "address_kinds": ADDRESS_KINDS,
        "attribute_values": _attribute_display(client),
        "perceptions": client_perception_rates(client),
        "notes": notes,
        "history": history,
        "note_form": note_form or NoteForm(),
        "reason_form": ReasonForm(),
        "today": local_today(),
    }


@bp.route("/new", methods=["GET", "POST"])
@requires("clients.prospect")
@write_endpoint
def new():
    """Create a client; a salesperson or supervisor registers a prospect instead."""
    if not can(current_user, "clients.edit"):
        return _new_prospect()
    attributes = services.active_attributes()
    form = client_form_class(attributes)()
    _fill_choices(form)
    if request.method == "GET":
        form.code.data = services.suggest_code()
        form.state.data = ClientState.ACTIVE
    if form.validate_on_submit():
        try:
            client = services.create_client(form.card_fields())
            services.set_custom_values(client, _attribute_values(form, attributes))
        except services.ClientError as exc:
            _attach_errors(form, exc)
        else:
            flash(_("Cliente %(name)s creado.", name=client.display_name), "success")
            return redirect(url_for("clients.card", client_id=client.id), 303)
    status = 422 if request.method == "POST" else 200
    return render("clients/form.html", form=form, client=None, attributes=attributes, status=status)


def _new_prospect():
    """The short form of a prospect registered at the door, assigned to whoever registers it."""
    form = ProspectForm()
    if form.validate_on_submit():
        try:
            client = prospects.create_prospect(current_user, form.prospect_fields())
        except services.ClientError as exc:
            _attach_errors(form, exc)
        else:
            flash(_("Prospecto registrado. El back office lo completa y lo activa."), "success")
            return redirect(url_for("clients.card", client_id=client.id), 303)
    status = 422 if request.method == "POST" else 200
    return render("clients/prospect_form.html", form=form, status=status)


@bp.route("/<int:client_id>/edit", methods=["GET", "POST"])
@requires("clients.edit")
@write_endpoint
def edit(client_id: int):
    """Edit the card's fields."""
    client = services.visible_client(current_user, client_id, trash=False)
    attributes = services.active_attributes()
    form_class = client_form_class(attributes)
    # The page shows the card's values; a post carries every field of the form.
    form = form_class(obj=client) if request.method == "GET" else form_class()
    _fill_choices(form)
    if request.method == "GET":
        stored = services.custom_values(client)
        for attribute in attributes:
            value = services.from_text(attribute.kind, stored.get(attribute.id))
            form[f"attr_{attribute.id}"].data = "" if value is None else value
        for name in ClientForm.REFERENCE_FIELDS:
            form[name].data = str(getattr(client, name) or "")
        social = client.social or {}
        form.instagram.data = social.get("instagram")
        form.facebook.data = social.get("facebook")
        form.tax_id.data = client.tax_id_formatted
        form.branch_of_code.data = client.branch_of.code if client.branch_of else ""
    if form.validate_on_submit():
        try:
            services.update_client(client, form.card_fields())
            services.set_custom_values(client, _attribute_values(form, attributes))
        except services.ClientError as exc:
            _attach_errors(form, exc)
        else:
            flash(_("Cambios guardados."), "success")
            return redirect(url_for("clients.card", client_id=client.id), 303)
    status = 422 if request.method == "POST" else 200
    return render(
        "clients/form.html", form=form, client=client, attributes=attributes, status=status
    )


def _attribute_values(form: ClientForm, attributes: list) -> dict[int, object]:
    """The custom attribute values the form carries, by attribute id."""
    return {a.id: form[f"attr_{a.id}"].data for a in attributes}


# The service names the main client by id; the card form takes its code.
FORM_FIELDS = {"branch_of_id": "branch_of_code"}


def _attach_errors(form: FlaskForm, exc: services.ClientError) -> None:
    """Show a service's field errors on the form."""
    for field, message in exc.fields.items():
        form[FORM_FIELDS.get(field, field)].errors.append(message)


@bp.post("/<int:client_id>/notes")
@requires("clients.note")
@write_endpoint
def add_note(client_id: int):
    """Add a manual note to the card."""
    client = services.visible_client(current_user, client_id, trash=False)
    form = NoteForm()
    if not form.validate_on_submit():
        return render("clients/card.html", status=422, **_card_context(client, note_form=form))
    services.add_note(client, form.text.data.strip())
    flash(_("Nota agregada."), "success")
    return redirect(url_for("clients.card", client_id=client.id, _anchor="notes"), 303)


ACTIONS = {
    "deactivate": (
        lambda c, r: services.set_state(c, ClientState.DISABLED, r),
        _l("Cliente inhabilitado."),
    ),
    "reactivate": (
        lambda c, r: services.set_state(c, ClientState.ACTIVE, r),
        _l("Cliente reactivado."),
    ),
    "block-credit": (
        lambda c, r: services.set_credit_blocked(c, True, r),
        _l("Crédito bloqueado."),
    ),
    "unblock-credit": (
        lambda c, r: services.set_credit_blocked(c, False, r),
        _l("Crédito desbloqueado."),
    ),
    "trash": (lambda c, r: services.trash_client(c), _l("Cliente enviado a la papelera.")),
}


@bp.post(
    "/<int:client_id>/<any(deactivate, reactivate, 'block-credit', 'unblock-credit', trash):action>"
)
@requires("clients.edit")
@write_endpoint
def act(client_id: int, action: str):
    """Deactivate, reactivate, block or unblock credit, or send to the trash."""
    client = services.visible_client(current_user, client_id, trash=False)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(422)
    run, message = ACTIONS[action]
    run(client, (form.reason.data or "").strip() or None)
    flash(str(message), "success")
    target = (
        url_for("clients.trash")
        if action == "trash"
        else url_for("clients.card", client_id=client.id)
    )
    return redirect(target, 303)


@bp.get("/trash")
@requires("clients.edit")
def trash():
    """The trash: clients deleted and restorable."""
    query = (
        services.scoped_clients(current_user, include_deleted=True)
        .where(Client.deleted_at.is_not(None))
        .order_by(Client.deleted_at.desc())
    )
    page = db.paginate(query, per_page=services.PAGE_SIZE, error_out=False)
    return render("clients/trash.html", page=page, reason_form=ReasonForm())


@bp.post("/<int:client_id>/restore")
@requires("clients.edit")
@write_endpoint
def restore(client_id: int):
    """Bring a client back from the trash."""
    client = services.visible_client(current_user, client_id, trash=True)
    if client.deleted_at is None:
        abort(404)
    try:
        services.restore_client(client)
    except services.ClientError as exc:
        for message in exc.fields.values():
            flash(message, "error")
        return redirect(url_for("clients.trash"), 303)
    flash(_("Cliente %(name)s restaurado.", name=client.display_name), "success")
    return redirect(url_for("clients.card", client_id=client.id), 303)


@bp.get("/<int:client_id>/pickups/verify")
@requires("clients.view")
def verify_pickup(client_id: int):
    """May the person with this document collect goods for the client today?"""
    client = services.visible_client(current_user, client_id, trash=False)
    document = request.args.get("document", "").strip()
    match = None
    if document:
        today = local_today()
        for row in services.live_parts(client, "pickups"):
            pickup = Pickup(row.name, row.document, row.valid_from, row.valid_to)
            if pickup_allowed(pickup, document, today):
                match = row
                break
    return render(
        "clients/verify.html", block="verdict", client=client, document=document, match=match
    )


PART_FORMS = {
    "contacts": (ContactForm, _l("Contacto")),
    "pickups": (PickupForm, _l("Autorizado a retirar")),
    "addresses": (AddressForm, _l("Domicilio")),
}
PART = "<any(contacts, pickups, addresses):part>"


@bp.route(f"/<int:client_id>/{PART}/new", methods=["GET", "POST"])
@bp.route(f"/<int:client_id>/{PART}/<int:row_id>", methods=["GET", "POST"])
@requires("clients.parts")
@write_endpoint
def part_form(client_id: int, part: str, row_id: int | None = None):
    """Add or edit a contact, an authorised pickup person or an address."""
    client = services.visible_client(current_user, client_id, trash=False)
    row = services.get_part(client, part, row_id) if row_id else None
    form_class, title = PART_FORMS[part]
    form = form_class(obj=row) if request.method == "GET" else form_class()
    references = getattr(form_class, "BRANCH_REFERENCES", {})
    for name, card_field in references.items():
        form[name].choices = _choices(card_field)
        if request.method == "GET":
            form[name].data = str(getattr(row, name, None) or "")
    if form.validate_on_submit():
        fields = {name: form[name].data for name in form._fields if name != "csrf_token"}
        for name in references:
            fields[name] = int(fields[name]) if fields[name] else None
        services.save_part(client, part, row, fields)
        flash(_("Datos guardados."), "success")
        return redirect(url_for("clients.card", client_id=client.id, _anchor=part), 303)
    status = 422 if request.method == "POST" else 200
    return render(
        "clients/part_form.html",
        form=form,
        client=client,
        row=row,
        part=part,
        title=title,
        status=status,
    )


@bp.post(f"/<int:client_id>/{PART}/<int:row_id>/delete")
@requires("clients.parts")
@write_endpoint
def part_delete(client_id: int, part: str, row_id: int):
    """Remove a contact, an authorised pickup person or an address."""
    client = services.visible_client(current_user, client_id, trash=False)
    services.remove_part(client, part, services.get_part(client, part, row_id))
    flash(_("Eliminado."), "success")
    return redirect(url_for("clients.card", client_id=client.id, _anchor=part), 303)


def _attribute_display(client: Client) -> list[tuple[str, str]]:
    """(name, value in words) of the client's custom attributes that have a value."""
    stored = services.custom_values(client)
    shown = []
    for attribute in services.active_attributes():
        text = stored.get(attribute.id)
        if text is None:
            continue
        if attribute.kind == "yes_no":
            text = _("Sí") if text == "true" else _("No")
        shown.append((attribute.name, text))
    return shown


@bp.get("/attributes/")
@requires("attributes.manage")
def attributes():
    """The custom attributes every card shows."""
    rows = db.session.scalars(
        sa.select(CustomAttribute).order_by(CustomAttribute.position, CustomAttribute.id)
    ).all()
    return render("clients/attributes.html", rows=rows, kinds=ATTRIBUTE_KINDS)


@bp.route("/attributes/new", methods=["GET", "POST"])
@bp.route("/attributes/<int:attribute_id>", methods=["GET", "POST"])
@requires("attributes.manage")
@write_endpoint
def attribute_form(attribute_id: int | None = None):
    """Define or change a custom attribute."""
    row = db.get_or_404(CustomAttribute, attribute_id) if attribute_id else None
    form = AttributeForm(obj=row) if request.method == "GET" else AttributeForm()
    if request.method == "GET" and row is not None:
        form.choices_text.data = "\n".join(row.choices or [])
    if form.validate_on_submit():
        fields = {
            "name": form.name.data,
            "kind": form.kind.data,
            "help_text": form.help_text.data or None,
            "required": form.required.data,
            "choices": form.option_list() if form.kind.data == "choice" else None,
            "position": form.position.data or 0,
            "active": form.active.data,
        }
        try:
            services.save_attribute(row, fields)
        except services.ClientError as exc:
            _attach_errors(form, exc)
        else:
            flash(_("Atributo guardado."), "success")
            return redirect(url_for("clients.attributes"), 303)
    status = 422 if request.method == "POST" else 200
    return render("clients/attribute_form.html", form=form, row=row, status=status)


@bp.get("/families/<int:family_id>")
@requires("clients.view")
def family(family_id: int):
    """The clients of a family (group, branches) seen together."""
    group = db.get_or_404(Family, family_id)
    members = db.session.scalars(
        services.scoped_clients(current_user)
        .where(Client.family_id == group.id)
        .order_by(Client.legal_name)
    ).all()
    if not members:
        abort(404)
    return render("clients/family.html", family=group, members=members)


@bp.route("/<int:client_id>/quick", methods=["GET", "POST"])
@requires("clients.edit")
@write_endpoint
def quick_edit(client_id: int):
    """Edit the card's contact data in place (htmx); without htmx, the full form."""
    client = services.visible_client(current_user, client_id, trash=False)
    if not request.headers.get("HX-Request"):
        response = redirect(url_for("clients.edit", client_id=client.id))
    elif request.args.get("cancel"):
        response = make_response(render_template("clients/_main_data.html", client=client))
    else:
        form = QuickContactForm(obj=client) if request.method == "GET" else QuickContactForm()
        if form.validate_on_submit():
            fields = {n: form[n].data or None for n in ("phone", "mobile", "email", "activity")}
            services.update_client(client, fields)
            body, status = render_template("clients/_main_data.html", client=client), 200
        else:
            status = 422 if request.method == "POST" else 200
            body = render_template("clients/_quick_form.html", client=client, form=form)
        response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


# --- the words of the clients' codes, for every template -------------------------------------


@bp.app_template_global()
def state_label(state: str) -> str:
    """A client's state in words."""
    return STATE_LABELS.get(state, state)


@bp.app_template_global()
def tax_id_label(kind: str) -> str:
    """A tax id's kind in words (CUIT, DNI...)."""
    return TAX_ID_LABELS.get(kind, kind)


@bp.app_template_global()
def payment_labels(methods: list | None) -> str:
    """Allowed payment methods, in words."""
    return ", ".join(str(PAYMENT_LABELS.get(m, m)) for m in methods or [])


@bp.app_template_global()
def field_label(name: str) -> str:
    """The card's or a reference table's label for a field name in the audit log."""
    return str(FIELD_LABELS.get(name) or reference_admin.field_label(name) or name)
