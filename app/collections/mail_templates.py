"""Templates (planillas): listing, checking (syntax, sandbox, merge fields) and saving them."""

import re
from collections.abc import Mapping

import sqlalchemy as sa
from flask_babel import gettext as _
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError

from app.audit import services as audit
from app.collections.mail_accounts import get_account
from app.collections.mail_merge import FIELDS, KIND_LABELS, CompiledTemplate, sample_data
from app.collections.mail_sandbox import environment, syntax_problem
from app.collections.mail_settings import MailError
from app.collections.models import EmailTemplate
from app.extensions import db


def email_templates(kind: str | None = None) -> list[EmailTemplate]:
    """Templates, by name."""
    query = sa.select(EmailTemplate).order_by(EmailTemplate.name, EmailTemplate.id)
    if kind:
        query = query.where(EmailTemplate.kind == kind)
    return list(db.session.scalars(query))


def get_template(template_id: int | None) -> EmailTemplate | None:
    """One template."""
    return db.session.get(EmailTemplate, template_id) if template_id else None


def _template_view(template: EmailTemplate) -> dict:
    """A template as the audit log keeps it."""
    names = ("code", "name", "kind", "account_id", "subject", "body")
    return {name: getattr(template, name) for name in names}


def template_problems(values: Mapping, template: EmailTemplate | None) -> dict[str, str]:
    """What is wrong with a template's fields, its syntax included (field -> message)."""
    errors: dict[str, str] = {}
    for name, limit in (("code", 20), ("name", 80), ("subject", 200)):
        text = values.get(name) or ""
        if not text:
            errors[name] = _("Completá este dato.")
        elif len(text) > limit:
            errors[name] = _("Usá como mucho %(max)d caracteres.", max=limit)
    if not (values.get("body") or "").strip():
        errors["body"] = _("Escribí el texto del correo.")
    elif len(values["body"]) > 20_000:
        errors["body"] = _("El texto es demasiado largo (hasta 20.000 caracteres).")
    if values.get("kind") not in KIND_LABELS:
        errors["kind"] = _("Elegí el tipo de planilla.")
    account_id = values.get("account_id")
    if account_id and get_account(account_id) is None:
        errors["account_id"] = _("Elegí una cuenta de la lista.")
    code = values.get("code")
    if code and "code" not in errors:
        taken = db.session.scalar(
            sa.select(EmailTemplate.id).where(
                sa.func.lower(EmailTemplate.code) == code.lower(),
                EmailTemplate.id != (template.id if template else 0),
            )
        )
        if taken:
            errors["code"] = _("Ya hay una planilla con ese código.")
    for name in ("subject", "body"):
        if name not in errors:
            problem = source_problem(values.get(name) or "")
            if problem:
                errors[name] = problem
    return errors


def save_template(template: EmailTemplate | None, values: Mapping) -> EmailTemplate:
    """Create or change a template; MailError when a field or its syntax is wrong."""
    errors = template_problems(values, template)
    if errors:
        raise MailError(errors)
    before = None if template is None else _template_view(template)
    if template is None:
        template = EmailTemplate()
        db.session.add(template)
    template.code = values["code"]
    template.name = values["name"]
    template.kind = values["kind"]
    template.account_id = values.get("account_id") or None
    template.subject = values["subject"]
    template.body = values["body"]
    db.session.flush()
    action = "email_template.create" if before is None else "email_template.update"
    audit.record(action, "email_template", template.id, before, _template_view(template))
    return template


def source_problem(source: str) -> str | None:
    """Why a template's text cannot be used (syntax, or what the sandbox refuses), or None."""
    try:
        CompiledTemplate(source, source).merge(sample_data())
    except TemplateSyntaxError as error:
        return syntax_problem(error)
    except SecurityError as error:
        name = re.search(r"attribute '([^']+)'", str(error))
        return _(
            "La planilla intenta usar algo que no está permitido (%(what)s). "
            "Usá solo los campos de la lista.",
            what=name.group(1) if name else _("acceso interno"),
        )
    except (TemplateError, ArithmeticError, TypeError, ValueError) as error:
        return _("La planilla no se puede combinar: %(error)s", error=str(error)[:200])
    return None


def unknown_fields(source: str) -> list[str]:
    """Names a template uses that are not merge fields (they print "—")."""
    try:
        tree = environment().parse(source)
    except TemplateSyntaxError:
        return []
    loop_names = {node.name for node in tree.find_all(nodes.Name) if node.ctx == "store"}
    found = meta.find_undeclared_variables(tree) - set(FIELDS) - loop_names - {"loop"}
    return sorted(found)
