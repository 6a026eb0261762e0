"""Response schemas of the municipalities endpoint."""

from __future__ import annotations

from api.core.schemas import PublicSchema


class MunicipalityPublic(PublicSchema):
    slug: str
    name: str
    kind: str
    samtgemeinde: str | None
    postcodes: list[str]
    lat: float | None
    lon: float | None
