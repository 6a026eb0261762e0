"""GET /api/v1/municipalities."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from api.core.db import SessionDep
from api.geo import service
from api.geo.models import Municipality
from api.geo.schemas import MunicipalityPublic

router = APIRouter(prefix="/api/v1", tags=["places"])


@router.get("/municipalities", response_model=list[MunicipalityPublic])
def list_municipalities(session: SessionDep) -> Sequence[Municipality]:
    """The municipalities of the Landkreis Osnabrück, its Samtgemeinden and the city of Osnabrück."""
    return service.list_municipalities(session)
