"""Municipalities of the Landkreis Osnabrück, its Samtgemeinden, and the city of Osnabrück."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.models import Base, TimestampMixin


class Municipality(TimestampMixin, Base):
    __tablename__ = "municipalities"

    slug: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # e.g. "stadt", "gemeinde", "samtgemeinde", as given by knowledge/.
    kind: Mapped[str] = mapped_column(String(40))
    # Name of the Samtgemeinde a member municipality belongs to; null for all others.
    samtgemeinde: Mapped[str | None] = mapped_column(String(200))
    postcodes: Mapped[list[str]]
    # One approximate point per municipality; null for Samtgemeinden (they are groups of places).
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
