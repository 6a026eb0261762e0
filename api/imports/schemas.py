"""The parts of the Bundesagentur für Arbeit job search JSON (`/pc/v4/jobs`) that we read.

Unknown fields are ignored: the service adds fields now and then, and we only need these.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class BaCoordinates(_Lenient):
    lat: float | None = None
    lon: float | None = None


class BaWorkplace(_Lenient):
    plz: str | None = None
    ort: str | None = None
    strasse: str | None = None
    region: str | None = None
    land: str | None = None
    koordinaten: BaCoordinates | None = None


class BaJobOffer(_Lenient):
    refnr: str = Field(min_length=1, max_length=60)
    beruf: str | None = None
    titel: str | None = None
    arbeitgeber: str | None = None
    arbeitsort: BaWorkplace | None = None
    eintrittsdatum: date | None = None
    # 4 = Ausbildung/Duales Studium, 34 = Praktikum/Trainee; usually a query parameter, sometimes given.
    angebotsart: int | None = None
    aktuelle_veroeffentlichungsdatum: date | None = Field(
        default=None, alias="aktuelleVeroeffentlichungsdatum"
    )
    modifikations_timestamp: datetime | None = Field(default=None, alias="modifikationsTimestamp")
    externe_url: str | None = Field(default=None, alias="externeUrl")
    stellenbeschreibung: str | None = None


class BaSearchResult(_Lenient):
    stellenangebote: list[dict[str, object]] = Field(default_factory=list)
    angebotsart: int | None = None
