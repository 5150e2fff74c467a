"""Tax rules applied with the company's own settings."""

from flask import current_app

from app.taxes.rules import InvoiceClass, invoice_class


def client_invoice(client) -> InvoiceClass | None:
    """The invoice letter (and legend) the company issues to this client; None if unknown."""
    return invoice_class(current_app.config["COMPANY_IVA_CONDITION"], client.iva_condition)
