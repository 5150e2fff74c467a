"""Loyalty points: earned from the invoices posted in the ledger, taken back by credit notes,
expired after some months; a points ledger explains each client's balance."""
