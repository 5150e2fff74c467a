"""E-mail to clients: sender accounts, templates (planillas) with merge fields, SMTP sending.

Templates are written by office users, so they run in Jinja's sandbox. A template is plain
text: the text part is rendered as it is written, the HTML part from the same source with
every literal and value escaped, line breaks kept, and the overdue table as a real table.
A merge field with no value prints "—", so missing data never stops a send.
"""

import re
import smtplib
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2 import ChainableUndefined, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload

from app.audit import services as audit
from app.auth.models import User
from app.clients.models import Client
from app.clients.services import scoped_clients, search_clients
from app.collections.models import EmailAccount, EmailSent, EmailTemplate
from app.core.email import is_email
from app.core.templating import date_short, money
from app.core.types import local_today
from app.extensions import db
from app.ledger import accounts, pdf, statements
from app.ledger import services as ledger
from app.ledger.models import DocumentInstallment
from app.ledger.parsing import parse_amount, parse_date

EMPTY = "—"
REMINDER, STATEMENT = "reminder", "statement"
KIND_LABELS = {
    REMINDER: _l("Recordatorio de vencimiento"),
    STATEMENT: _l("Resumen de cuenta (con el PDF adjunto)"),
}
SECURITY_MODES = ("starttls", "ssl", "none")
STATEMENT_DAYS = 90
BATCH_SIZE = 50  # messages per SMTP connection in a bulk send
MAX_OUTPUT = 200_000  # characters a merged body may reach: a runaway loop stops here
# The merge fields, documented on the template form.
FIELDS = {
    "cliente": _l("nombre de fantasía (o razón social si no tiene)"),
    "razon_social": _l("razón social"),
    "codigo": _l("código de cliente"),
    "saldo": _l("saldo de la cuenta, con su moneda"),
    "vencido": _l("importe vencido"),
    "tabla_vencidos": _l("tabla de comprobantes vencidos, lista para pegar"),
    "vencimientos": _l(
        "lista de comprobantes abiertos para recorrer con for: comprobante, fecha, vence, "
        "dias, cuota, importe, saldo, vencido"
    ),
    "proximo_vencimiento": _l("fecha del próximo vencimiento"),
    "cobrador": _l("nombre del cobrador"),
    "empresa": _l("nombre de la empresa"),
    "fecha": _l("fecha de hoy"),
    "periodo": _l("período del resumen (solo resúmenes de cuenta)"),
}
# The overdue table's place in the HTML part while line breaks become paragraphs.
_TABLE_MARK = "\x00tabla-vencidos\x00"


class MailError(ValueError):
    """Mail that cannot be sent or saved; carries field -> Spanish message."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(str(v) for v in fields.values()))
        self.fields = fields


# --- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the SMTP server (from the environment)."""

    host: str
    port: int
    user: str
    password: str
    security: str
    timeout: float


def smtp_settings() -> SmtpSettings:
    """The SMTP settings of the running app."""
    config = current_app.config
    return SmtpSettings(
        host=(config.get("SMTP_HOST") or "").strip(),
        port=int(config.get("SMTP_PORT") or 587),
        user=config.get("SMTP_USER") or "",
        password=config.get("SMTP_PASSWORD") or "",
        security=(config.get("SMTP_SECURITY") or "starttls").strip().lower(),
        timeout=float(config.get("SMTP_TIMEOUT") or 10),
    )


def mail_enabled() -> bool:
    """True when an SMTP server is configured."""
    return bool(smtp_settings().host)


def mail_off_message() -> str:
    """What the pages say when sending is off."""
    return _(
        "El envío de correos está apagado: falta configurar el servidor SMTP (SMTP_HOST). "
        "Pedile a quien administra el sistema que lo configure."
    )


def _usable_settings() -> SmtpSettings:
    """The settings, or MailError when sending is off or misconfigured."""
    settings = smtp_settings()
    if not settings.host:
        raise MailError({"smtp": mail_off_message()})
    if settings.security not in SECURITY_MODES:
        raise MailError(
            {
                "smtp": _(
                    "SMTP_SECURITY tiene que ser starttls, ssl o none; revisá la configuración."
                )
            }
        )
    return settings


# --- accounts and templates ------------------------------------------------------------------


def email_accounts(active_only: bool = False) -> list[EmailAccount]:
    """Sender accounts, by name."""
    query = sa.select(EmailAccount).order_by(EmailAccount.name, EmailAccount.id)
    if active_only:
        query = query.where(EmailAccount.active.is_(True))
    return list(db.session.scalars(query))


def email_templates(kind: str | None = None) -> list[EmailTemplate]:
    """Templates, by name."""
    query = sa.select(EmailTemplate).order_by(EmailTemplate.name, EmailTemplate.id)
    if kind:
        query = query.where(EmailTemplate.kind == kind)
    return list(db.session.scalars(query))


def get_account(account_id: int | None) -> EmailAccount | None:
    """One sender account."""
    return db.session.get(EmailAccount, account_id) if account_id else None


def get_template(template_id: int | None) -> EmailTemplate | None:
    """One template."""
    return db.session.get(EmailTemplate, template_id) if template_id else None


def _account_view(account: EmailAccount) -> dict:
    """An account as the audit log keeps it."""
    names = ("name", "from_name", "from_address", "reply_to", "active")
    return {name: getattr(account, name) for name in names}


def _template_view(template: EmailTemplate) -> dict:
    """A template as the audit log keeps it."""
    names = ("code", "name", "kind", "account_id", "subject", "body")
    return {name: getattr(template, name) for name in names}


def account_problems(values: Mapping) -> dict[str, str]:
    """What is wrong with an account's fields (field -> Spanish message)."""
    errors: dict[str, str] = {}
    for name, limit in (("name", 80), ("from_name", 120)):
        text = values.get(name) or ""
        if not text:
            errors[name] = _("Completá este dato.")
        elif len(text) > limit:
            errors[name] = _("Usá como mucho %(max)d caracteres.", max=limit)
    if not is_email(values.get("from_address")):
        errors["from_address"] = _("Ingresá un correo válido (nombre@dominio.com).")
    if values.get("reply_to") and not is_email(values["reply_to"]):
        errors["reply_to"] = _("Ingresá un correo válido o dejalo vacío.")
    return errors


def save_account(account: EmailAccount | None, values: Mapping) -> EmailAccount:
    """Create or change a sender account; MailError when a field is wrong."""
    errors = account_problems(values)
    if errors:
        raise MailError(errors)
    before = None if account is None else _account_view(account)
    if account is None:
        account = EmailAccount()
        db.session.add(account)
    account.name = values["name"]
    account.from_name = values["from_name"]
    account.from_address = values["from_address"]
    account.reply_to = values.get("reply_to") or None
    account.active = bool(values.get("active"))
    db.session.flush()
    action = "email_account.create" if before is None else "email_account.update"
    audit.record(action, "email_account", account.id, before, _account_view(account))
    return account


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


# --- the sandbox -----------------------------------------------------------------------------


class MissingField(ChainableUndefined):
    """A merge field with no value: prints "—", and using it never breaks the e-mail.

    What the sandbox refuses (``''.__class__``) comes as an undefined too; that one still
    raises, so an unsafe template is refused instead of printing a dash.
    """

    __slots__ = ()

    def _refused(self) -> bool:
        """True when this stands for something the sandbox refused."""
        return issubclass(self._undefined_exception, SecurityError)

    def _quietly(self, *args, **kwargs):
        """Arithmetic, calls and comparisons on a missing field give a missing field."""
        if self._refused():
            return self._fail_with_undefined_error()
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _quietly
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = _quietly
    __mod__ = __rmod__ = __pos__ = __neg__ = __pow__ = __rpow__ = _quietly
    __call__ = __lt__ = __le__ = __gt__ = __ge__ = _quietly

    def __str__(self) -> str:
        """The dash (or the sandbox's refusal)."""
        if self._refused():
            self._fail_with_undefined_error()
        return EMPTY

    __html__ = __str__

    def __iter__(self) -> Iterator:
        """Nothing to loop over (or the sandbox's refusal)."""
        if self._refused():
            self._fail_with_undefined_error()
        return iter(())


def _dash_when_empty(value: object) -> object:
    """An empty value prints as "—"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return EMPTY
    if isinstance(value, list | tuple | dict) and not value:
        return EMPTY
    return value


class LiteralTextAsHtml(Extension):
    """Escape the template's own text, so the HTML part shows what the user wrote."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        """Every literal piece of the template, HTML-escaped."""
        for token in stream:
            if token.type == "data":
                yield Token(token.lineno, "data", str(escape(token.value)))
            else:
                yield token


def _environment(html: bool) -> SandboxedEnvironment:
    """A sandbox for the text part, or for the HTML part (everything escaped)."""
    env = SandboxedEnvironment(
        autoescape=html,
        undefined=MissingField,
        finalize=_dash_when_empty,
        extensions=[LiteralTextAsHtml] if html else [],
        keep_trailing_newline=True,
    )
    # Nothing a template needs; without range a loop can only walk the data it is given.
    for name in ("range", "lipsum", "cycler", "joiner", "namespace"):
        env.globals.pop(name, None)
    return env


_ENVIRONMENTS: dict[bool, SandboxedEnvironment] = {}


def environment(html: bool = False) -> SandboxedEnvironment:
    """The shared sandbox for one of the two parts."""
    if html not in _ENVIRONMENTS:
        _ENVIRONMENTS[html] = _environment(html)
    return _ENVIRONMENTS[html]


def _syntax_problem(error: TemplateSyntaxError) -> str:
    """Jinja's syntax error in Spanish, with the line."""
    text = error.message or ""
    closing = re.search(r"innermost block that needs to be closed is '(\w+)'", text)
    unknown = re.search(r"unknown tag '(\w+)'", text)
    char = re.search(r"unexpected char '(.)'|unexpected '(.)'", text)
    if unknown and closing:
        problem = _(
            "«%(tag)s» no corresponde acá: primero cerrá el bloque «%(block)s».",
            tag=unknown.group(1),
            block=closing.group(1),
        )
    elif closing:
        block = closing.group(1)
        problem = _(
            "falta cerrar el bloque «%(block)s»: agregá %(end)s.",
            block=block,
            end="{% end" + block + " %}",
        )
    elif unknown and unknown.group(1).startswith("end"):
        problem = _("«%(tag)s» cierra un bloque que no se abrió.", tag=unknown.group(1))
    elif unknown:
        problem = _("«%(tag)s» no es una instrucción conocida.", tag=unknown.group(1))
    elif "end of print statement" in text or "end of template" in text.lower():
        problem = _("falta cerrar un campo con %(end)s.", end="}}")
    elif "comment" in text:
        problem = _("falta cerrar un comentario con %(end)s.", end="#}")
    elif char:
        problem = _(
            "sobra o está mal ubicado el signo «%(char)s».", char=char.group(1) or char.group(2)
        )
    elif "Expected an expression" in text:
        problem = _("hay un campo vacío: escribí el nombre del campo entre las llaves.")
    else:
        problem = _("hay un error de escritura en un campo o bloque.")
    return _("Error en la línea %(line)s: %(problem)s", line=error.lineno, problem=problem)


def source_problem(source: str) -> str | None:
    """Why a template's text cannot be used (syntax, or what the sandbox refuses), or None."""
    try:
        CompiledTemplate(source, source).merge(sample_data())
    except TemplateSyntaxError as error:
        return _syntax_problem(error)
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


class CompiledText:
    """One template text compiled once for both parts, to merge with many clients."""

    def __init__(self, source: str):
        self.text = environment(html=False).from_string(source)
        self.html = environment(html=True).from_string(source)

    def render(self, context: dict, html: bool) -> str:
        """The merged text; a runaway template stops at MAX_OUTPUT characters."""
        template = self.html if html else self.text
        pieces, size = [], 0
        for piece in template.generate(context):
            pieces.append(piece)
            size += len(piece)
            if size > MAX_OUTPUT:
                raise TemplateError(_("el texto combinado es demasiado largo."))
        return "".join(pieces)


# --- merge data ------------------------------------------------------------------------------


@dataclass
class MergeData:
    """A client's merge fields, and the overdue rows the table is made of."""

    fields: dict[str, object]
    overdue: list[dict] = field(default_factory=list)
    overdue_totals: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Period:
    """The range of a statement."""

    date_from: date
    date_to: date

    @property
    def text(self) -> str:
        """01/01/2026 al 31/03/2026."""
        return _(
            "%(start)s al %(end)s", start=date_short(self.date_from), end=date_short(self.date_to)
        )


def default_period(today: date | None = None) -> Period:
    """The last STATEMENT_DAYS days up to today."""
    today = today or local_today()
    return Period(today - timedelta(days=STATEMENT_DAYS), today)


def parse_period(raw_from: str | None, raw_to: str | None, errors: dict) -> Period:
    """A chosen range (empty: the default one); messages go to errors."""
    default = default_period()
    date_from = parse_date(raw_from or default.date_from, "date_from", errors)
    date_to = parse_date(raw_to or default.date_to, "date_to", errors)
    if date_from and date_to and date_from > date_to:
        errors["date_to"] = _("La fecha «hasta» no puede ser anterior a la fecha «desde».")
    if date_from is None or date_to is None or "date_to" in errors:
        return default
    return Period(date_from, date_to)


def _and(items: list[str]) -> str:
    """ "a", "a y b", "a, b y c"."""
    if len(items) < 2:
        return "".join(items)
    return _("%(first)s y %(last)s", first=", ".join(items[:-1]), last=items[-1])


def _amounts(totals: Mapping[str, Decimal], fallback_currency: str) -> str:
    """Amounts per currency as text ("$ 1.000,00 y US$ 20,00"); zero in the account's own."""
    shown = [money(amount, currency) for currency, amount in totals.items() if amount]
    return _and(shown) if shown else money(Decimal("0"), fallback_currency)


def merge_data(client: Client, period: Period | None = None, as_of: date | None = None):
    """Everything the merge fields say about one client, from its current account."""
    as_of = as_of or local_today()
    summary = accounts.account_summary(client, as_of)
    items = accounts.open_items(client.id, as_of)
    counts = accounts.installment_counts({item.document.id for item in items})
    rows, overdue_rows = [], []
    late: dict[str, Decimal] = {}
    for item in items:
        part = item.installment
        total = counts.get(item.document.id, 1)
        row = {
            "comprobante": ledger.document_title(item.document),
            "fecha": date_short(item.document.date),
            "vence": date_short(part.due_date),
            "dias": item.days_overdue,
            "cuota": f"{part.number}/{total}" if total > 1 else "",
            "importe": money(part.amount, part.currency),
            "saldo": money(part.open_amount, part.currency),
            "vencido": part.due_date < as_of,
        }
        rows.append(row)
        if row["vencido"]:
            overdue_rows.append(row)
            late[part.currency] = late.get(part.currency, Decimal("0")) + part.open_amount
    upcoming = [item.installment.due_date for item in items if item.installment.due_date >= as_of]
    currency = client.currency or "ARS"
    fields = {
        "cliente": client.display_name,
        "razon_social": client.legal_name,
        "codigo": client.code,
        "saldo": _amounts({s.currency: s.balance for s in summary.currencies}, currency),
        "vencido": _amounts({s.currency: s.overdue for s in summary.currencies}, currency),
        "vencimientos": rows,
        "proximo_vencimiento": date_short(min(upcoming)) if upcoming else None,
        "cobrador": client.collector.full_name if client.collector else None,
        "empresa": current_app.config.get("COMPANY_NAME") or None,
        "fecha": date_short(as_of),
        "periodo": period.text if period else None,
    }
    totals = [money(amount, code) for code, amount in late.items()]
    return MergeData(fields, overdue_rows, totals)


def sample_data() -> MergeData:
    """Made-up data to try a template with when there is no client at hand."""
    today = local_today()
    rows = [
        {
            "comprobante": "FC A 0001-00001234",
            "fecha": date_short(today - timedelta(days=75)),
            "vence": date_short(today - timedelta(days=45)),
            "dias": 45,
            "cuota": "",
            "importe": money(Decimal("185400.00")),
            "saldo": money(Decimal("120000.00")),
            "vencido": True,
        },
        {
            "comprobante": "FC A 0001-00001290",
            "fecha": date_short(today - timedelta(days=40)),
            "vence": date_short(today - timedelta(days=10)),
            "dias": 10,
            "cuota": "",
            "importe": money(Decimal("64250.50")),
            "saldo": money(Decimal("64250.50")),
            "vencido": True,
        },
    ]
    fields = {
        "cliente": "Almacén Don José",
        "razon_social": "José Pereyra e Hijos S.R.L.",
        "codigo": "C00042",
        "saldo": money(Decimal("184250.50")),
        "vencido": money(Decimal("184250.50")),
        "vencimientos": rows,
        "proximo_vencimiento": date_short(today + timedelta(days=12)),
        "cobrador": "Ramón Ledesma",
        "empresa": current_app.config.get("COMPANY_NAME") or None,
        "fecha": date_short(today),
        "periodo": default_period(today).text,
    }
    return MergeData(fields, rows, [money(Decimal("184250.50"))])


# --- merging ---------------------------------------------------------------------------------


def overdue_text(data: MergeData) -> str:
    """The overdue table for the text part: one line per document and the total."""
    if not data.overdue:
        return _("No hay comprobantes vencidos.")
    lines = []
    for row in data.overdue:
        where = f"{row['comprobante']} ({_('cuota')} {row['cuota']})" if row["cuota"] else None
        lines.append(
            "- "
            + _(
                "%(document)s, venció el %(due)s (%(days)s días): %(amount)s",
                document=where or row["comprobante"],
                due=row["vence"],
                days=row["dias"],
                amount=row["saldo"],
            )
        )
    lines.append(_("Total vencido: %(total)s", total=_and(data.overdue_totals)))
    return "\n".join(lines)


def overdue_html(data: MergeData) -> Markup:
    """The overdue table for the HTML part; three columns, the days under the due date.

    Classes only, so the page's preview obeys the style sheet (and the CSP); the e-mail gets
    inline styles from `_inline_styles`, since mail programs drop style sheets.
    """
    if not data.overdue:
        return Markup("<p>{}</p>").format(_("No hay comprobantes vencidos."))
    head = Markup(
        '<table class="mail-table"><thead><tr><th>{}</th><th>{}</th><th class="num">{}</th>'
        "</tr></thead><tbody>"
    ).format(_("Comprobante"), _("Venció"), _("Saldo"))
    body = Markup("").join(
        Markup(
            '<tr><td>{}{}</td><td class="due">{}<br><small class="muted">{}</small></td>'
            '<td class="num">{}</td></tr>'
        ).format(
            row["comprobante"],
            Markup(" <small>({} {})</small>").format(_("cuota"), row["cuota"])
            if row["cuota"]
            else "",
            row["vence"],
            ngettext("%(num)d día", "%(num)d días", row["dias"]),
            row["saldo"],
        )
        for row in data.overdue
    )
    total = Markup(
        '</tbody><tfoot><tr><th colspan="2">{}</th><th class="num">{}</th></tr></tfoot></table>'
    ).format(_("Total vencido"), _and(data.overdue_totals))
    return head + body + total


_CELL = "padding:6px 8px;border-bottom:1px solid #d8dfdc;text-align:left;vertical-align:top"
_NUM = f"{_CELL};text-align:right;white-space:nowrap"
# The table's own tags (user text is escaped, so it never holds one of these).
_INLINE_STYLES = {
    '<table class="mail-table">': (
        '<table class="mail-table" style="border-collapse:collapse;width:100%;font-size:14px">'
    ),
    "<th>": f'<th style="{_CELL}">',
    '<th colspan="2">': f'<th colspan="2" style="{_CELL}">',
    '<th class="num">': f'<th class="num" style="{_NUM}">',
    "<td>": f'<td style="{_CELL}">',
    '<td class="due">': f'<td class="due" style="{_CELL};white-space:nowrap">',
    '<td class="num">': f'<td class="num" style="{_NUM}">',
    '<small class="muted">': '<small class="muted" style="color:#5d6b66">',
}
_INLINE_RE = re.compile("|".join(re.escape(tag) for tag in _INLINE_STYLES))


def _inline_styles(html: str) -> str:
    """The table's tags with inline styles, for mail programs."""
    return _INLINE_RE.sub(lambda match: _INLINE_STYLES[match.group(0)], html)


def _paragraphs(rendered: str, table: Markup) -> Markup:
    """Escaped text with line breaks as paragraphs, and the overdue table in its place."""
    text = rendered.replace("\r\n", "\n").strip()
    blocks = [block for block in re.split(r"\n[ \t]*\n", text) if block.strip()]
    html = "\n".join("<p>" + block.strip("\n").replace("\n", "<br>\n") + "</p>" for block in blocks)
    html = html.replace(_TABLE_MARK, f"</p>{table}<p>")
    html = re.sub(r"<p>(?:\s|<br>)*</p>", "", html)
    html = re.sub(r"(?:<br>\s*)+</p>", "</p>", html)
    html = re.sub(r"<p>\s*(?:<br>\s*)+", "<p>", html)
    return Markup(html)


@dataclass
class Merged:
    """A template merged with one client's data."""

    subject: str
    text: str
    html_body: Markup  # the part inside the body, as the preview shows it

    @property
    def html(self) -> str:
        """The HTML part: a small document with inline styles."""
        return (
            '<!doctype html><html lang="es"><head><meta charset="utf-8">'
            f"<title>{escape(self.subject)}</title></head>"
            '<body style="margin:0;padding:16px;background:#f4f6f5">'
            '<div style="max-width:600px;margin:0 auto;padding:24px;background:#ffffff;'
            "border-radius:8px;font-family:Arial,Helvetica,sans-serif;font-size:15px;"
            f'line-height:1.5;color:#1b2421">{_inline_styles(self.html_body)}</div></body></html>'
        )


class CompiledTemplate:
    """A template's subject and body, compiled once for a send run or a preview."""

    def __init__(self, subject: str, body: str):
        self.subject = CompiledText(subject)
        self.body = CompiledText(body)

    def merge(self, data: MergeData) -> Merged:
        """The e-mail for one client's data."""
        with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE") or "es_AR"):
            text_context = data.fields | {"tabla_vencidos": overdue_text(data)}
            html_context = data.fields | {"tabla_vencidos": Markup(_TABLE_MARK)}
            subject = " ".join(self.subject.render(text_context, html=False).split())
            text = self.body.render(text_context, html=False)
            html = _paragraphs(self.body.render(html_context, html=True), overdue_html(data))
        return Merged(subject=subject[:200] or EMPTY, text=text.strip() + "\n", html_body=html)


def merge(template: EmailTemplate, client: Client, period: Period | None = None) -> Merged:
    """One template merged with one client's data (what the client would get)."""
    compiled = CompiledTemplate(template.subject, template.body)
    return compiled.merge(client_merge_data(template.kind, client, period))


def client_merge_data(kind: str, client: Client, period: Period | None) -> MergeData:
    """The client's data, in the company's language; the period only for statements."""
    period = (period or default_period()) if kind == STATEMENT else None
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE") or "es_AR"):
        return merge_data(client, period)


# --- recipients, attachments, messages -------------------------------------------------------


def recipients(client: Client) -> list[str]:
    """The client's e-mail and its other e-mails; none when the main one is missing."""
    main = (client.email or "").strip()
    if not main:
        return []
    found = [main]
    for extra in re.split(r"[,;\s]+", client.other_emails or ""):
        if is_email(extra) and extra.lower() not in {a.lower() for a in found}:
            found.append(extra)
    return found


def statement_attachment_name(client: Client, period: Period) -> str:
    """estado-de-cuenta-<code>-<from>-<to>.pdf, with only safe characters."""
    code = re.sub(r"[^A-Za-z0-9_-]+", "-", client.code).strip("-") or str(client.id)
    return f"estado-de-cuenta-{code}-{period.date_from}-{period.date_to}.pdf"


def statement_attachment(client: Client, period: Period) -> tuple[str, bytes]:
    """The account statement PDF for the period, with its file name."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE") or "es_AR"):
        currency = client.currency or "ARS"
        statement = statements.statement(client, period.date_from, period.date_to, currency)
        company = current_app.config.get("COMPANY_NAME") or "Clientes en ruta"
        body = pdf.statement_pdf(statement, company, compress=not current_app.testing)
    return statement_attachment_name(client, period), body


def sender_for(template: EmailTemplate) -> EmailAccount:
    """The template's account if active, else the first active one; MailError if none."""
    if template.account is not None and template.account.active:
        return template.account
    accounts = email_accounts(active_only=True)
    if not accounts:
        raise MailError(
            {"account": _("No hay ninguna cuenta de correo activa: agregá una en Cuentas.")}
        )
    return accounts[0]


def build_message(
    account: EmailAccount,
    to: list[str],
    merged: Merged,
    attachment: tuple[str, bytes] | None = None,
) -> EmailMessage:
    """The MIME message: a text part, its HTML alternative and the PDF when there is one."""
    message = EmailMessage()
    message["From"] = formataddr((account.from_name, account.from_address))
    message["To"] = ", ".join(to)
    if account.reply_to:
        message["Reply-To"] = account.reply_to
    message["Subject"] = merged.subject
    message["Date"] = formatdate(localtime=True)
    domain = account.from_address.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(merged.text)
    message.add_alternative(merged.html, subtype="html")
    if attachment is not None:
        name, body = attachment
        message.add_attachment(body, maintype="application", subtype="pdf", filename=name)
    return message


# --- SMTP ------------------------------------------------------------------------------------


def _reply(code: object, text: object) -> str:
    """An SMTP reply as text ("550 Mailbox unavailable")."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _describe(error: Exception) -> str:
    """An SMTP or network error in a few words, the server's reply included."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = [f"{to}: {_reply(*reply)}" for to, reply in error.recipients.items()]
        return _("el servidor rechazó el destinatario (%(reply)s)", reply="; ".join(replies))
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return _(
            "el servidor no aceptó el usuario o la clave (%(reply)s)",
            reply=_reply(error.smtp_code, error.smtp_error),
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return _(
            "el servidor rechazó el envío (%(reply)s)",
            reply=_reply(error.smtp_code, error.smtp_error),
        )
    if isinstance(error, TimeoutError):
        return _("el servidor no respondió a tiempo")
    return str(error) or error.__class__.__name__


class Postman:
    """Delivers messages over one SMTP connection per batch.

    When the server cannot be reached (or refuses the login) the rest of the run fails
    at once with that reason instead of waiting for the timeout on every message.
    """

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None
        self.broken: str | None = None

    def _connect(self) -> smtplib.SMTP:
        """Open, secure and log in."""
        s = self.settings
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.user:
            smtp.login(s.user, s.password)
        return smtp

    def deliver(self, message: EmailMessage) -> str | None:
        """Send one message; None when the server took it, else why not (in Spanish)."""
        if self.broken:
            return self.broken
        if self.smtp is None:
            try:
                self.smtp = self._connect()
            except (OSError, smtplib.SMTPException) as error:
                self.broken = _(
                    "No se pudo conectar con el servidor de correo: %(error)s",
                    error=_describe(error),
                )
                return self.broken
        try:
            refused = self.smtp.send_message(message)
        except smtplib.SMTPServerDisconnected as error:
            self.smtp = None
            return _("Se cortó la conexión con el servidor de correo: %(error)s", error=error)
        except (OSError, smtplib.SMTPException) as error:
            if isinstance(error, OSError):
                self.end_batch()
            return _("No se envió: %(error)s", error=_describe(error))
        except (ValueError, UnicodeError) as error:
            return _(
                "No se envió: la dirección o el texto no se pueden enviar (%(error)s)", error=error
            )
        if refused:
            return _describe(smtplib.SMTPRecipientsRefused(refused))
        return None

    def end_batch(self) -> None:
        """Close the batch's connection (the next message opens a new one)."""
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None


# --- sending ---------------------------------------------------------------------------------


@dataclass
class SendResult:
    """What a send run did: sent and failed rows, clients skipped for having no e-mail."""

    sent: list[EmailSent] = field(default_factory=list)
    failed: list[EmailSent] = field(default_factory=list)
    skipped: list[Client] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Clients considered."""
        return len(self.sent) + len(self.failed) + len(self.skipped)


def _log(
    client: Client,
    template: EmailTemplate,
    account: EmailAccount,
    to: list[str],
    merged: Merged | None,
    error: str | None,
    user: User | None,
) -> EmailSent:
    """Write the client's mail log row and its audit row."""
    row = EmailSent(
        client_id=client.id,
        template_id=template.id,
        account_id=account.id,
        to_address=", ".join(to)[:500],
        subject=(merged.subject if merged else template.subject)[:200],
        body=merged.text if merged else "",
        status="failed" if error else "sent",
        error=error[:500] if error else None,
        sent_by_id=user.id if user else None,
    )
    db.session.add(row)
    after = {"template": template.code, "to": row.to_address, "subject": row.subject}
    after |= {"status": row.status} | ({"error": row.error} if error else {})
    audit.record("client.email", "client", client.id, None, after, user.id if user else None)
    return row


def _send_one(
    postman: Postman,
    compiled: CompiledTemplate,
    template: EmailTemplate,
    account: EmailAccount,
    client: Client,
    user: User | None,
    period: Period | None,
    result: SendResult,
) -> None:
    """Merge, send and log one client's e-mail (a client with no e-mail is skipped)."""
    to = recipients(client)
    if not to:
        result.skipped.append(client)
        return
    merged = None
    try:
        data = client_merge_data(template.kind, client, period)
        merged = compiled.merge(data)
        attachment = None
        if template.kind == STATEMENT:
            attachment = statement_attachment(client, period or default_period())
        message = build_message(account, to, merged, attachment)
    except (TemplateError, ArithmeticError, TypeError, ValueError) as error:
        problem = _("La planilla no se pudo combinar: %(error)s", error=str(error)[:300])
        result.failed.append(_log(client, template, account, to, merged, problem, user))
        return
    error = postman.deliver(message)
    row = _log(client, template, account, to, merged, error, user)
    (result.failed if error else result.sent).append(row)


def _prepare(template: EmailTemplate) -> tuple[SmtpSettings, EmailAccount, CompiledTemplate]:
    """Check that sending is possible before touching any client."""
    settings = _usable_settings()
    account = sender_for(template)
    try:
        compiled = CompiledTemplate(template.subject, template.body)
    except TemplateSyntaxError as error:
        raise MailError({"template_id": _syntax_problem(error)}) from error
    return settings, account, compiled


def send_to_client(
    template: EmailTemplate, client: Client, user: User | None, period: Period | None = None
) -> EmailSent:
    """Send one e-mail to one client and log it; MailError when it cannot even be tried."""
    if not recipients(client):
        raise MailError({"client": _("El cliente no tiene e-mail: cargalo en su ficha.")})
    settings, account, compiled = _prepare(template)
    postman = Postman(settings)
    result = SendResult()
    try:
        _send_one(postman, compiled, template, account, client, user, period, result)
    finally:
        postman.end_batch()
    db.session.flush()
    return (result.sent or result.failed)[0]


def send_bulk(
    template: EmailTemplate,
    clients: sa.Select,
    user: User | None,
    period: Period | None = None,
    batch_size: int = BATCH_SIZE,
) -> SendResult:
    """Send to every client a select yields, BATCH_SIZE per SMTP connection, logging each."""
    settings, account, compiled = _prepare(template)
    ids = list(db.session.scalars(clients.with_only_columns(Client.id).order_by(Client.code)))
    postman = Postman(settings)
    result = SendResult()
    try:
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            batch = db.session.scalars(
                sa.select(Client)
                .options(selectinload(Client.collector))
                .where(Client.id.in_(chunk))
                .order_by(Client.code)
            ).all()
            for client in batch:
                _send_one(postman, compiled, template, account, client, user, period, result)
            postman.end_batch()
            db.session.flush()
    finally:
        postman.end_batch()
    return result


# --- bulk filters ----------------------------------------------------------------------------


@dataclass
class BulkFilters:
    """Which clients a bulk send reaches (empty: no condition)."""

    zone_id: int | None = None
    collector_id: int | None = None
    min_overdue: Decimal | None = None
    days_overdue: int | None = None


def _id(raw: object) -> int | None:
    """A row id sent as text, or None."""
    text = str(raw or "").strip()
    return (
        int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= 2_147_483_647 else None
    )


def parse_bulk_filters(raw: Mapping) -> tuple[BulkFilters, dict[str, str]]:
    """The bulk send's filters from a form or query string, with the Spanish messages."""
    errors: dict[str, str] = {}
    filters = BulkFilters(
        zone_id=_id(raw.get("zone_id")), collector_id=_id(raw.get("collector_id"))
    )
    amount = (raw.get("min_overdue") or "").strip()
    if amount:
        filters.min_overdue = parse_amount(amount, "min_overdue", errors, positive=False)
        if filters.min_overdue is not None and filters.min_overdue < 0:
            errors["min_overdue"] = _("El importe no puede ser negativo.")
    days = (raw.get("days_overdue") or "").strip()
    if days:
        if days.isascii() and days.isdigit() and 1 <= int(days) <= 3650:
            filters.days_overdue = int(days)
        else:
            errors["days_overdue"] = _("Ingresá una cantidad de días entre 1 y 3650.")
    return filters, errors


def bulk_clients(user: User, filters: BulkFilters, as_of: date | None = None) -> sa.Select:
    """The clients in the user's scope that the filters select."""
    query = scoped_clients(user)
    if filters.zone_id:
        query = query.where(Client.sales_zone_id == filters.zone_id)
    if filters.collector_id:
        query = query.where(Client.collector_id == filters.collector_id)
    if filters.min_overdue is not None or filters.days_overdue:
        today = as_of or local_today()
        part = DocumentInstallment
        late = (
            sa.select(
                part.client_id.label("client_id"),
                sa.func.sum(part.open_amount).label("amount"),
                sa.func.min(part.due_date).label("oldest"),
            )
            .join(Client, Client.id == part.client_id)
            .where(part.open_amount > 0, part.due_date < today, part.currency == Client.currency)
            .group_by(part.client_id)
            .subquery()
        )
        query = query.join(late, late.c.client_id == Client.id)
        if filters.min_overdue is not None:
            query = query.where(late.c.amount >= filters.min_overdue)
        if filters.days_overdue:
            query = query.where(late.c.oldest <= today - timedelta(days=filters.days_overdue))
    return query


def has_email():
    """SQL: the client has a main e-mail."""
    return sa.func.length(sa.func.trim(sa.func.coalesce(Client.email, ""))) > 0


def bulk_counts(query: sa.Select) -> tuple[int, int]:
    """How many clients the select yields, and how many of them have no e-mail."""
    ids = query.with_only_columns(Client.id, has_email().label("reachable")).order_by(None)
    sub = ids.subquery()
    total, reachable = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((sub.c.reachable, 1), else_=0)), 0),
        )
    ).one()
    return total, total - reachable


def bulk_sample(query: sa.Select, limit: int = 5) -> list[Client]:
    """The first clients a bulk send reaches (those with an e-mail), to show who they are."""
    return list(db.session.scalars(query.where(has_email()).order_by(Client.code).limit(limit)))


# --- reading ---------------------------------------------------------------------------------


def mail_log(client: Client, limit: int = 10) -> list[tuple[EmailSent, str | None]]:
    """The client's last sends, newest first, with the template's name."""
    rows = db.session.execute(
        sa.select(EmailSent, EmailTemplate.name)
        .outerjoin(EmailTemplate, EmailTemplate.id == EmailSent.template_id)
        .where(EmailSent.client_id == client.id)
        .order_by(EmailSent.sent_at.desc(), EmailSent.id.desc())
        .limit(limit)
    )
    return [(row, name) for row, name in rows]


def preview_client(user: User, text: str) -> Client | None:
    """A client in scope to preview a template with: the one the words find, else a late payer."""
    query = scoped_clients(user)
    if text.strip():
        return db.session.scalar(search_clients(query, text).order_by(Client.code).limit(1))
    indebted = query.where(
        sa.exists().where(
            DocumentInstallment.client_id == Client.id,
            DocumentInstallment.open_amount > 0,
            DocumentInstallment.due_date < local_today(),
        ),
        has_email(),
    )
    return db.session.scalar(indebted.order_by(Client.code).limit(1)) or db.session.scalar(
        query.order_by(Client.code).limit(1)
    )


def preview(
    subject: str, body: str, client: Client | None, kind: str, period: Period | None = None
) -> Merged:
    """A template's text merged with a client (or made-up data); TemplateError if it cannot."""
    compiled = CompiledTemplate(subject, body)
    if client is None:
        return compiled.merge(sample_data())
    return compiled.merge(client_merge_data(kind, client, period))
