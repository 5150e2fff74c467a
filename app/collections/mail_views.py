"""E-mail pages: sender accounts, templates with a live preview, send to a client or a list.

One blueprint, "mail", under /mail/.
"""

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
from flask_login import current_user
from jinja2.exceptions import SecurityError, TemplateError

from app.auth.permissions import can, requires
from app.clients.models import Client
from app.clients.services import choosable, visible_client
from app.collections import mail_preview
from app.collections.blueprint import mail_bp
from app.collections.jobs import BULK_MAIL, bulk_params
from app.collections.mail_accounts import email_accounts, get_account, save_account
from app.collections.mail_bulk import bulk_clients, bulk_counts, bulk_sample, parse_bulk_filters
from app.collections.mail_forms import AccountForm, TemplateForm
from app.collections.mail_merge import FIELDS, KIND_LABELS, REMINDER, STATEMENT, merge, parse_period
from app.collections.mail_sending import (
    check_sendable,
    mail_log,
    recipients,
    send_to_client,
    statement_attachment_name,
)
from app.collections.mail_settings import MailError, mail_enabled, mail_off_message
from app.collections.mail_templates import (
    email_templates,
    get_template,
    save_template,
    source_problem,
    unknown_fields,
)
from app.collections.models import EmailAccount, EmailTemplate
from app.core.idempotency import write_endpoint
from app.core.rendering import render
from app.jobs.queue import start_job

BULK_SAMPLE = 5


@mail_bp.app_template_global()
def mail_log_for(client: Client) -> list:
    """The client's last sends for the card, for users who may send."""
    if not can(current_user, "mail.send"):
        return []
    return mail_log(client)


def _page_context() -> dict:
    """What every e-mail page shows: whether sending is on."""
    return {"mail_on": mail_enabled(), "mail_off": mail_off_message()}


@mail_bp.get("/")
@requires("mail.send")
def index():
    """E-mail to clients: send to a list, and (for the office) accounts and templates."""
    return render(
        "collections/mail_index.html",
        templates=email_templates(),
        accounts=email_accounts(),
        kind_labels=KIND_LABELS,
        **_page_context(),
    )


# --- accounts --------------------------------------------------------------------------------


@mail_bp.get("/accounts")
@requires("mail.manage")
def accounts():
    """The sender accounts."""
    return render("collections/mail_accounts.html", accounts=email_accounts())


def _account(row_id: int) -> EmailAccount:
    """An account, else 404."""
    account = get_account(row_id)
    if account is None:
        abort(404)
    return account


def _edit_account(account: EmailAccount | None):
    """The account form: show it, or save it and go back to the list."""
    if request.method == "GET":
        form = AccountForm(obj=account)
        return render("collections/mail_account_form.html", form=form, account=account)
    form = AccountForm()
    try:
        save_account(account, form.values())
    except MailError as error:
        for name, message in error.fields.items():
            form[name].errors = [message]
        return render("collections/mail_account_form.html", form=form, account=account, status=422)
    flash(_("Se guardó la cuenta de correo."), "success")
    return redirect(url_for("mail.accounts"), 303)


@mail_bp.route("/accounts/new", methods=["GET", "POST"])
@requires("mail.manage")
@write_endpoint
def account_new():
    """Add a sender account."""
    return _edit_account(None)


@mail_bp.route("/accounts/<int:row_id>", methods=["GET", "POST"])
@requires("mail.manage")
@write_endpoint
def account_edit(row_id: int):
    """Change a sender account."""
    return _edit_account(_account(row_id))


# --- templates -------------------------------------------------------------------------------


@mail_bp.get("/templates")
@requires("mail.manage")
def templates():
    """The templates (planillas)."""
    return render(
        "collections/mail_templates.html",
        templates=email_templates(),
        kind_labels=KIND_LABELS,
    )


def _template(row_id: int) -> EmailTemplate:
    """A template, else 404."""
    template = get_template(row_id)
    if template is None:
        abort(404)
    return template


def _template_page(form: TemplateForm, template: EmailTemplate | None, status: int = 200):
    """The template form with its merge-field guide and its preview."""
    return render(
        "collections/mail_template_form.html",
        form=form,
        edited=template,
        fields=FIELDS,
        preview=_template_preview(form.subject.data or "", form.body.data or "", form.kind.data),
        status=status,
    )


def _edit_template(template: EmailTemplate | None):
    """The template form: show it, or save it (a syntax error is refused with its line)."""
    if request.method == "GET":
        form = TemplateForm(obj=template)
        if template is not None:
            form.account_id.data = str(template.account_id or "")
        form.set_accounts(email_accounts())
        return _template_page(form, template)
    form = TemplateForm()
    form.set_accounts(email_accounts())
    try:
        save_template(template, form.values())
    except MailError as error:
        for name, message in error.fields.items():
            form[name].errors = [message]
        return _template_page(form, template, status=422)
    flash(_("Se guardó la planilla."), "success")
    return redirect(url_for("mail.templates"), 303)


@mail_bp.route("/templates/new", methods=["GET", "POST"])
@requires("mail.manage")
@write_endpoint
def template_new():
    """Write a new template."""
    return _edit_template(None)


@mail_bp.route("/templates/<int:row_id>", methods=["GET", "POST"])
@requires("mail.manage")
@write_endpoint
def template_edit(row_id: int):
    """Change a template."""
    return _edit_template(_template(row_id))


def _template_preview(subject: str, body: str, kind: str | None) -> dict:
    """The template merged with the client asked for (or made-up data), or why it cannot be."""
    words = request.values.get("preview_q", "")
    client = mail_preview.preview_client(current_user, words)
    result = {"client": client, "words": words, "merged": None, "problem": None}
    result["unknown"] = unknown_fields(subject + "\n" + body)
    if not (subject.strip() or body.strip()):
        return result
    problem = source_problem(subject) or source_problem(body)
    if problem:
        result["problem"] = problem
        return result
    try:
        result["merged"] = mail_preview.preview(subject, body, client, kind or REMINDER)
    except (TemplateError, SecurityError, ArithmeticError, TypeError, ValueError) as error:
        result["problem"] = _("La planilla no se puede combinar: %(error)s", error=error)
    return result


@mail_bp.post("/templates/preview")
@requires("mail.manage")
def template_preview():
    """The live preview of the template being written (htmx; it changes nothing)."""
    form = request.form
    preview = _template_preview(form.get("subject", ""), form.get("body", ""), form.get("kind"))
    response = make_response(
        render_template("collections/_mail_preview.html", preview=preview, show_client=True)
    )
    response.vary.add("HX-Request")
    return response


# --- send to one client ----------------------------------------------------------------------


def _chosen_template(raw: str | None) -> EmailTemplate | None:
    """The template picked in a form, if it exists."""
    text = (raw or "").strip()
    return get_template(int(text)) if text.isascii() and text.isdigit() else None


def _send_context(client: Client, values, errors: dict) -> dict:
    """The send page: the chosen template, the statement range, the preview."""
    templates = email_templates()
    template = _chosen_template(values.get("template_id")) or (templates[0] if templates else None)
    period = parse_period(values.get("date_from"), values.get("date_to"), errors)
    preview = {"client": client, "merged": None, "problem": None, "unknown": []}
    attachment = None
    if template is not None:
        try:
            preview["merged"] = merge(template, client, period)
        except (TemplateError, ArithmeticError, TypeError, ValueError) as error:
            preview["problem"] = _("La planilla no se puede combinar: %(error)s", error=error)
        if template.kind == STATEMENT:
            attachment = statement_attachment_name(client, period)
    return {
        "client": client,
        "templates": templates,
        "chosen": template,
        "period": period,
        "errors": errors,
        "preview": preview,
        "recipients": recipients(client),
        "attachment": attachment,
        "kind_labels": KIND_LABELS,
        **_page_context(),
    }


@mail_bp.route("/clients/<int:client_id>/send", methods=["GET", "POST"])
@requires("mail.send")
@write_endpoint
def send(client_id: int):
    """Send a reminder or a statement to one client: pick, preview, send."""
    client = visible_client(current_user, client_id, trash=False)
    if request.method == "GET":
        context = _send_context(client, request.args, {})
        return render("collections/mail_send.html", block="preview_block", **context)
    errors: dict[str, str] = {}
    context = _send_context(client, request.form, errors)
    if context["chosen"] is None:
        errors["template_id"] = _("Elegí una planilla.")
    if not errors:
        try:
            sent = send_to_client(context["chosen"], client, current_user, context["period"])
        except MailError as error:
            errors.update(error.fields)
        else:
            if sent.status == "sent":
                flash(_("Se envió el correo a %(to)s.", to=sent.to_address), "success")
            else:
                flash(_("No se pudo enviar el correo: %(error)s", error=sent.error), "error")
            return redirect(url_for("clients.card", client_id=client.id, _anchor="mail"), 303)
    return render("collections/mail_send.html", status=422, **context)


# --- send to a list --------------------------------------------------------------------------


def _bulk_context(values, errors: dict) -> dict:
    """The bulk page: filters, how many get it and how many have no e-mail."""
    filters, filter_errors = parse_bulk_filters(values)
    errors.update(filter_errors)
    templates = email_templates()
    template = _chosen_template(values.get("template_id")) or (templates[0] if templates else None)
    period = parse_period(values.get("date_from"), values.get("date_to"), errors)
    query = bulk_clients(current_user, filters)
    total, without_email = (0, 0) if filter_errors else bulk_counts(query)
    return {
        "values": values,
        "filters": filters,
        "errors": errors,
        "templates": templates,
        "chosen": template,
        "period": period,
        "query": query,
        "total": total,
        "without_email": without_email,
        "sample": [] if filter_errors else bulk_sample(query, BULK_SAMPLE),
        "zones": choosable("sales_zone_id"),
        "collectors": choosable("collector_id"),
        "kind_labels": KIND_LABELS,
        **_page_context(),
    }


@mail_bp.route("/bulk", methods=["GET", "POST"])
@requires("mail.send")
@write_endpoint
def bulk():
    """Send a template to every client a filter selects, as a background job whose page the
    sender is taken to."""
    if request.method == "GET":
        context = _bulk_context(request.args, {})
        return render("collections/mail_bulk.html", block="summary", **context)
    errors: dict[str, str] = {}
    context = _bulk_context(request.form, errors)
    if context["chosen"] is None:
        errors["template_id"] = _("Elegí una planilla.")
    elif not errors and context["total"] == context["without_email"]:
        errors["filters"] = _("Ningún cliente del filtro tiene e-mail: no hay a quién enviarle.")
    if not errors:
        try:
            check_sendable(context["chosen"])
        except MailError as error:
            errors.update(error.fields)
        else:
            started = start_job(
                BULK_MAIL,
                _("Envío masivo: %(name)s", name=context["chosen"].name),
                current_user.id,
                bulk_params(request.form) | {"template_id": str(context["chosen"].id)},
            )
            return redirect(url_for("jobs.show", job_id=started.id), 303)
    return render("collections/mail_bulk.html", status=422, **context)
