"""Demo e-mail: the collections account, two templates and a few past sends."""

import random
from datetime import timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.clients.models import Client
from app.collections.mail_merge import REMINDER, STATEMENT
from app.collections.models import EmailAccount, EmailSent, EmailTemplate
from app.core.types import utcnow
from app.extensions import db

REMINDER_SUBJECT = "{{ empresa }}: tenés comprobantes vencidos por {{ vencido }}"
REMINDER_BODY = """Hola, {{ cliente }}:

Te escribimos de {{ empresa }} para recordarte que en tu cuenta corriente hay comprobantes \
vencidos por {{ vencido }}. El saldo total de la cuenta es {{ saldo }}.

{{ tabla_vencidos }}

Si ya pagaste, desestimá este mensaje y disculpá la molestia. Si no, podés transferir \
{%- if cobrador %} o esperar a {{ cobrador }}, que pasa por tu comercio esta semana
{%- endif %}.
{% if proximo_vencimiento %}
Tu próximo vencimiento es el {{ proximo_vencimiento }}.
{% endif %}
¡Gracias!
Cobranzas · {{ empresa }}
"""
STATEMENT_SUBJECT = "Resumen de cuenta de {{ cliente }} al {{ fecha }}"
STATEMENT_BODY = """Hola, {{ cliente }}:

Te mandamos adjunto el resumen de tu cuenta corriente del {{ periodo }}.

Saldo al {{ fecha }}: {{ saldo }}
Vencido: {{ vencido }}

{% for v in vencimientos %}- {{ v.comprobante }}: vence el {{ v.vence }}, saldo {{ v.saldo }}
{% endfor %}
Cualquier diferencia, respondé este correo{% if cobrador %} o avisale a {{ cobrador }}{% endif %}.

Saludos,
{{ empresa }}
"""
SENDS = 12


def add_demo_mail(rng: random.Random) -> list[EmailSent]:
    """The account, the two templates and a handful of past sends to clients with e-mail."""
    account = EmailAccount(
        name="Cobranzas",
        from_name="Cobranzas",
        from_address="cobranzas@distribuidora.example",
        reply_to="cobranzas@distribuidora.example",
        active=True,
    )
    reminder = EmailTemplate(
        code="RECORDATORIO",
        name="Recordatorio de vencimiento",
        kind=REMINDER,
        account=account,
        subject=REMINDER_SUBJECT,
        body=REMINDER_BODY,
    )
    summary = EmailTemplate(
        code="RESUMEN",
        name="Resumen de cuenta",
        kind=STATEMENT,
        account=account,
        subject=STATEMENT_SUBJECT,
        body=STATEMENT_BODY,
    )
    db.session.add_all([account, reminder, summary])
    db.session.flush()
    senders = list(
        db.session.scalars(
            sa.select(User).where(User.username.in_(("oficina", "cobrador1", "cobrador2")))
        )
    )
    clients = db.session.execute(
        sa.select(Client.id, Client.email, Client.trade_name, Client.legal_name)
        .where(Client.email.is_not(None), Client.email != "", Client.deleted_at.is_(None))
        .order_by(Client.id)
        .limit(SENDS * 3)
    ).all()
    now = utcnow()
    rows = []
    for client_id, email, trade_name, legal_name in rng.sample(clients, min(SENDS, len(clients))):
        template = rng.choice([reminder, reminder, summary])
        name = trade_name or legal_name
        failed = rng.random() < 0.15
        subject = (
            f"Distribuidora: tenés comprobantes vencidos ({name})"
            if template is reminder
            else f"Resumen de cuenta de {name}"
        )
        rows.append(
            EmailSent(
                client_id=client_id,
                template_id=template.id,
                account_id=account.id,
                to_address=email,
                subject=subject[:200],
                body=f"Hola, {name}:\n\n(correo de demostración)\n",
                status="failed" if failed else "sent",
                error="550 5.1.1 Mailbox unavailable: el buzón no existe" if failed else None,
                sent_by_id=rng.choice(senders).id if senders else None,
                sent_at=now - timedelta(days=rng.randint(1, 40), minutes=rng.randint(0, 600)),
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    return rows
