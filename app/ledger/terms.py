"""Sale conditions in words: the due-date rule and installments as people say them."""

from decimal import Decimal

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.ledger.rules import DueRuleKind

RULE_KIND_LABELS = {
    DueRuleKind.DAYS: _l("Días"),
    DueRuleKind.DAY_OF_MONTH: _l("Día del mes siguiente"),
    DueRuleKind.NEXT_DAY_OF_MONTH: _l("Próximo día del mes"),
    DueRuleKind.WEEKDAY_OF_WEEK: _l("Día de semana de la semana n"),
}
# Monday is 0, as Python's calendar counts.
WEEKDAY_LABELS = {
    0: _l("lunes"),
    1: _l("martes"),
    2: _l("miércoles"),
    3: _l("jueves"),
    4: _l("viernes"),
    5: _l("sábado"),
    6: _l("domingo"),
}
WEEK_LABELS = {
    1: _l("Primera"),
    2: _l("Segunda"),
    3: _l("Tercera"),
    4: _l("Cuarta"),
    5: _l("Última"),
}
# "Primer lunes del mes": the ordinal as it goes before the weekday.
_WEEK_ORDINALS = {
    1: _l("Primer %(weekday)s del mes"),
    2: _l("Segundo %(weekday)s del mes"),
    3: _l("Tercer %(weekday)s del mes"),
    4: _l("Cuarto %(weekday)s del mes"),
    5: _l("Último %(weekday)s del mes"),
}


def percent(value: Decimal | None) -> str:
    """A percentage as people read it: "12,5 %"."""
    if value is None:
        return "—"
    return f"{format_decimal(Decimal(value).normalize(), format='#,##0.##')}\u00a0%"


def describe_rule(kind: str, days: int, day: int, weekday: int, week: int) -> str:
    """When the first installment falls due: "30 días", "Día 10 del mes siguiente"..."""
    if kind == DueRuleKind.DAYS:
        if not days:
            return _("Contado")
        return ngettext("%(num)d día", "%(num)d días", days)
    if kind == DueRuleKind.DAY_OF_MONTH:
        return _("Día %(day)d del mes siguiente", day=day)
    if kind == DueRuleKind.NEXT_DAY_OF_MONTH:
        return _("Próximo día %(day)d", day=day)
    if kind == DueRuleKind.WEEKDAY_OF_WEEK and week in _WEEK_ORDINALS:
        return str(_WEEK_ORDINALS[week]) % {"weekday": WEEKDAY_LABELS.get(weekday, "?")}
    return str(RULE_KIND_LABELS.get(kind, kind))


def describe_sale_condition(condition) -> str:
    """A sale condition's terms in words: "30 días", "3 cuotas cada 30 días", "Próximo día 15"."""
    count = condition.installments or 1
    kind, days = condition.rule_kind, condition.rule_days or 0
    if count > 1 and kind == DueRuleKind.DAYS:
        if not days:
            return ngettext("%(num)d cuota al contado", "%(num)d cuotas al contado", count)
        return _(
            "%(count)d cuotas cada %(days)s",
            count=count,
            days=ngettext("%(num)d día", "%(num)d días", days),
        )
    rule = describe_rule(
        kind, days, condition.rule_day or 0, condition.rule_weekday or 0, condition.rule_week or 0
    )
    if count > 1:
        return _("%(rule)s, %(count)d cuotas mensuales", rule=rule, count=count)
    return rule
