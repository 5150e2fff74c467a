"""Price lists (products, prices and orders come with the orders issue)."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.sync.models import Synced


class PriceList(Synced, db.Model):
    """A list of prices a client buys at, in one currency."""

    __tablename__ = "price_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    currency: Mapped[str] = mapped_column(sa.String(3), default="ARS")
