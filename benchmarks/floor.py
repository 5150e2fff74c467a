"""The floor: a bare Flask app over the app's own database, the yardstick of benchmarks.report.

Plain Flask and the database driver (sqlite3, or psycopg for a PostgreSQL URL): no auth, no
ORM, no schemas. It does the least the same work can be done with, over the same tables:
- GET /clients/<id>: one row of `clients` as JSON;
- POST /orders {"client_id", "payment_method", "lines": [{"product_id", "quantity"}]}: reads
  the client's price list and the lines' prices, then in one transaction takes a change
  number (as every synced row must), inserts the order and its lines; 201 {"id"}.

Served as the app is: gunicorn -w 3 'benchmarks.floor:create_app()' with FLOOR_DATABASE_URL.
"""

import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask, abort, jsonify, request

CLIENT_COLUMNS = (
    "id, code, legal_name, trade_name, tax_id_type, tax_id, iva_condition, state, "
    "credit_blocked, email, phone, price_list_id, currency, salesperson_id, collector_id"
)
CENTS = Decimal("0.01")


class Database(threading.local):
    """One connection per worker thread (gunicorn's threads too), opened on first use, after
    gunicorn forks."""

    def __init__(self, url: str):
        self.url = url
        self.postgres = url.startswith("postgresql")
        self.mark = "%s" if self.postgres else "?"
        self.connection = None
        self.user_id = None  # who takes the orders: the first user (there is no sign-in)

    def connect(self):
        """The worker's connection; SQLite as the app sets it up (WAL, busy timeout)."""
        if self.connection is None:
            if self.postgres:
                import psycopg

                self.connection = psycopg.connect(self.url.replace("+psycopg", ""), autocommit=True)
            else:
                self.connection = sqlite3.connect(
                    self.url.removeprefix("sqlite:///"), isolation_level=None
                )
                self.connection.execute("PRAGMA busy_timeout=10000")
                self.connection.execute("PRAGMA foreign_keys=ON")
            self.user_id = self.connection.execute("SELECT min(id) FROM users").fetchone()[0]
        return self.connection

    def close(self) -> None:
        """Close the worker's connection."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def sql(self, text: str) -> str:
        """The statement with the driver's parameter mark."""
        return text.replace("?", self.mark)

    @contextmanager
    def transaction(self):
        """One write transaction; on SQLite it takes the write lock as it begins, as the app's."""
        connection = self.connect()
        if self.postgres:
            with connection.transaction():
                yield connection
            return
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.rollback()
            raise
        connection.commit()

    def stamp(self, value: date):
        """A date or timestamp as the app stores it (SQLite: naive UTC text)."""
        if self.postgres:
            return value
        if isinstance(value, datetime):
            return value.replace(tzinfo=None).isoformat(sep=" ")
        return value.isoformat()


def create_app(url: str | None = None) -> Flask:
    """The floor app over the database at `url` (default: FLOOR_DATABASE_URL)."""
    app = Flask(__name__)
    database = app.extensions["floor_database"] = Database(url or os.environ["FLOOR_DATABASE_URL"])

    @app.get("/healthz")
    def healthz():
        """The database answers."""
        database.connect().execute("SELECT 1").fetchone()
        return {"status": "ok"}

    @app.get("/clients/<int:client_id>")
    def get_client(client_id: int):
        """One client row as JSON."""
        row = (
            database.connect()
            .execute(
                database.sql(f"SELECT {CLIENT_COLUMNS} FROM clients WHERE id = ?"), (client_id,)
            )
            .fetchone()
        )
        if row is None:
            abort(404)
        return jsonify(dict(zip(CLIENT_COLUMNS.split(", "), row, strict=True)))

    @app.post("/orders")
    def create_order():
        """Insert an order and its lines in one transaction; its id."""
        body = request.get_json()
        sql = database.sql
        lines = body["lines"]
        with database.transaction() as connection:
            seq = connection.execute(
                "UPDATE change_counter SET value = value + 1 WHERE id = 1 RETURNING value"
            ).fetchall()[0][0]
            price_list, currency = connection.execute(
                sql("SELECT price_list_id, currency FROM clients WHERE id = ?"),
                (body["client_id"],),
            ).fetchall()[0]
            ids = [line["product_id"] for line in lines]
            prices = {
                product: (Decimal(str(price)), Decimal(str(rate)))
                for product, price, rate in connection.execute(
                    sql(
                        "SELECT p.product_id, p.price, r.tax_rate FROM prices p "
                        "JOIN products r ON r.id = p.product_id WHERE p.price_list_id = ? "
                        f"AND p.product_id IN ({', '.join('?' * len(ids))})"
                    ),
                    (price_list, *ids),
                )
            }
            rows, subtotal, tax = [], Decimal(0), Decimal(0)
            for position, line in enumerate(lines, 1):
                price, rate = prices[line["product_id"]]
                net = (price * line["quantity"]).quantize(CENTS, ROUND_HALF_UP)
                subtotal += net
                tax += (net * rate / 100).quantize(CENTS, ROUND_HALF_UP)
                rows.append((position, line["product_id"], line["quantity"], price, net, rate))
            amounts = tuple(str(value) for value in (subtotal, subtotal, tax, subtotal + tax))
            order_id = connection.execute(
                sql(
                    "INSERT INTO orders (client_id, user_id, status, date, payment_method, "
                    "currency, price_list_id, subtotal, condition_discount, net, tax, perception, "
                    "total, created_at, change_seq) VALUES (?, ?, 'accepted', ?, ?, ?, ?, ?, 0, "
                    "?, ?, 0, ?, ?, ?) RETURNING id"
                ),
                (
                    body["client_id"],
                    database.user_id,
                    database.stamp(date.today()),
                    body["payment_method"],
                    currency,
                    price_list,
                    *amounts,
                    database.stamp(datetime.now(UTC)),
                    seq,
                ),
            ).fetchall()[0][0]
            connection.cursor().executemany(
                sql(
                    "INSERT INTO order_lines (order_id, position, product_id, quantity, "
                    "list_price, discounts, net, tax_rate) VALUES (?, ?, ?, ?, ?, '[]', ?, ?)"
                ),
                [(order_id, *row[:3], *(str(v) for v in row[3:])) for row in rows],
            )
        return {"id": order_id}, 201

    return app
