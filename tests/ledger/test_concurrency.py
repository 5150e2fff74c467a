"""Two clerks applying credits to the same invoice at the same moment never overpay it."""

import threading
from decimal import Decimal

import sqlalchemy as sa

from app.core.sqlite import start_writing
from app.extensions import db
from app.ledger import accounts, applications
from app.ledger import services as ledger
from app.ledger.models import Application, Document
from tests import factories


def test_concurrent_applications_to_one_invoice_settle_it_once(app):
    client = factories.make_client()
    invoice = factories.post_document(client, amount="100")
    receipts = [factories.post_receipt(client, amount="100") for _ in range(4)]
    installment_id = invoice.installments[0].id
    receipt_ids = [receipt.id for receipt in receipts]
    db.session.commit()
    start = threading.Barrier(len(receipt_ids))
    outcomes: list[str] = []

    def clerk(receipt_id: int) -> None:
        with app.app_context():
            start_writing()
            start.wait(timeout=30)
            receipt = db.session.get(Document, receipt_id)
            try:
                applications.apply(
                    receipt, [applications.Allocation(installment_id, Decimal("100"))], None
                )
                db.session.commit()
                outcomes.append("applied")
            except ledger.LedgerError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=clerk, args=(ident,)) for ident in receipt_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["applied", "refused", "refused", "refused"]
    db.session.expire_all()
    applied = db.session.scalar(sa.select(sa.func.sum(Application.amount)))
    assert applied == Decimal("100.00")
    assert db.session.get(Document, invoice.id).open_amount == 0
    assert accounts.balances(client.id) == accounts.balances_from_history(client.id)
    assert accounts.balances(client.id) == {"ARS": Decimal("-300.00")}
