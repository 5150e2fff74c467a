"""Tax identity: tax and identity numbers, IVA conditions and invoice letters."""
