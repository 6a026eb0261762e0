"""Reading municipalities."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.geo.models import Municipality


def list_municipalities(session: Session) -> Sequence[Municipality]:
    """Every municipality, Samtgemeinde and city, ordered by slug (the same order on every database)."""
    return session.scalars(select(Municipality).order_by(Municipality.slug)).all()
