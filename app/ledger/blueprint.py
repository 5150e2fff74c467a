"""The ledger's blueprint; its pages live in views.py (accounts) and reports.py (statements)."""

from flask import Blueprint

bp = Blueprint("ledger", __name__)
