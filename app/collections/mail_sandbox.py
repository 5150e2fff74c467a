"""Jinja's sandbox for the templates (planillas), which office users write.

A template is plain text: the text part is rendered as it is written, the HTML part from the
same source with every literal and value escaped. A merge field with no value prints "—", so
missing data never stops a send.
"""

import re
from collections.abc import Iterator

from flask_babel import gettext as _
from jinja2 import ChainableUndefined
from jinja2.exceptions import SecurityError, TemplateError, TemplateSyntaxError
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import escape

EMPTY = "—"
MAX_OUTPUT = 200_000  # characters a merged body may reach: a runaway loop stops here


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


def syntax_problem(error: TemplateSyntaxError) -> str:
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
