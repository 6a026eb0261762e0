"""The offer form of the clerk's pages, turned into the API's own schemas, and the API's
violations turned back into messages beside each field.

The rules live in the offers service (api/offers/service.py, `check_offer`); this module only
parses what a browser sends (text) into the types the API expects and names the form's fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.core.errors import problem_catalogue
from api.offers.exceptions import Violation
from api.offers.models import Offer, OfferKind
from api.offers.schemas import OfferCreate, OfferOwn, OfferUpdate
from api.offers.service import end_of_day

# Generous bounds: anything longer is refused before it is looked at; the service checks the real
# limits with the API's messages.
SHORT = 1000
LONG = 20_000


class OfferForm(BaseModel):
    """What the offer form sends (every value as text, as browsers send them)."""

    model_config = ConfigDict(extra="ignore")

    kind: str = Field(default="", max_length=40)
    profession: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=SHORT)
    description: str = Field(default="", max_length=LONG)
    start_date: str = Field(default="", max_length=40)
    places: str = Field(default="1", max_length=40)
    municipality: str = Field(default="", max_length=SHORT)
    certificate_expected: str = Field(default="", max_length=40)
    apply_url: str = Field(default="", max_length=SHORT)
    apply_contact: str = Field(default="", max_length=SHORT)
    expires_on: str = Field(default="", max_length=40)

    @classmethod
    def from_offer(cls, offer: OfferOwn, *, next_year: bool = False) -> OfferForm:
        """The form of an existing offer; `next_year` moves the start by a year and leaves the
        expiry to its default (the end of the start day), for "copy for next year"."""
        start = offer.start_date
        expires: date | None = offer.expires_at.date()
        if next_year:
            start = plus_one_year(start) if start else None
            expires = None
        return cls(
            kind=offer.kind.value,
            profession=offer.profession,
            title=offer.title,
            description=offer.description,
            start_date=start.isoformat() if start else "",
            places=str(offer.places),
            municipality=offer.place.name,
            certificate_expected=offer.certificate_expected or "",
            apply_url=offer.how_to_apply.url or "",
            apply_contact=offer.how_to_apply.contact or "",
            expires_on=expires.isoformat() if expires and not next_year else "",
        )


def plus_one_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


# Which form field shows a violation of the API's field (the API nests how_to_apply).
FORM_FIELDS = {
    "how_to_apply": "apply_url",
    "how_to_apply.url": "apply_url",
    "how_to_apply.contact": "apply_contact",
    "expires_at": "expires_on",
    "status": "expires_on",
    "lat": "municipality",
    "lon": "municipality",
}


@dataclass
class ParsedOffer:
    values: dict[str, Any]
    # Problems of the form itself (a date that is not a date); the API's rules come after.
    violations: list[Violation]


def _date(violations: list[Violation], field: str, text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        violations.append(Violation(field, "invalid-date", {"value": text.strip()[:40]}))
        return None


def parse_offer_form(form: OfferForm) -> ParsedOffer:
    """The form's text as the values of `OfferCreate`; empty optional fields are left out."""
    violations: list[Violation] = []
    values: dict[str, Any] = {}
    if form.kind in {kind.value for kind in OfferKind}:
        values["kind"] = form.kind
    else:
        violations.append(Violation("kind", "field-required", {"field": "kind"}))
    if form.profession.strip():
        values["profession"] = form.profession.strip()
    else:
        violations.append(Violation("profession", "field-required", {"field": "profession"}))
    values["title"] = form.title
    values["description"] = form.description
    if form.start_date.strip():
        start = _date(violations, "start_date", form.start_date)
        if start is not None:
            values["start_date"] = start
    else:
        violations.append(Violation("start_date", "field-required", {"field": "start_date"}))
    places = form.places.strip() or "1"
    if places.isdigit() and 1 <= int(places) <= 999:
        values["places"] = int(places)
    else:
        violations.append(Violation("places", "invalid-places", {"value": places[:40]}))
    if form.municipality.strip():
        values["municipality"] = form.municipality.strip()
    else:
        violations.append(Violation("municipality", "field-required", {"field": "municipality"}))
    values["certificate_expected"] = form.certificate_expected.strip() or None
    values["how_to_apply"] = {"url": form.apply_url or None, "contact": form.apply_contact or None}
    if form.expires_on.strip():
        expires = _date(violations, "expires_on", form.expires_on)
        if expires is not None:
            values["expires_at"] = end_of_day(expires)
    return ParsedOffer(values=values, violations=violations)


def as_create(parsed: ParsedOffer) -> OfferCreate:
    return OfferCreate(**parsed.values)


def as_update(parsed: ParsedOffer, current: Offer, place_name: str) -> OfferUpdate:
    """The changes of an edit: the place only when it changed (the API would move the offer's
    coordinates to the centre of the place otherwise)."""
    values = dict(parsed.values)
    where = values.get("municipality", "")
    if where.casefold() in {place_name.casefold(), current.municipality_slug}:
        values.pop("municipality", None)
    return OfferUpdate(**values)


def messages(violations: list[Violation], language: str, labels: dict[str, str]) -> dict[str, str]:
    """One message per form field, in the API's words; `{field}` becomes the field's label."""
    catalogue = problem_catalogue()
    found: dict[str, str] = {}
    for violation in violations:
        form_field = FORM_FIELDS.get(violation.field, violation.field)
        params = dict(violation.params)
        if "field" in params:
            params["field"] = labels.get(form_field, form_field)
        text = catalogue[violation.problem]
        message = (text.detail_de if language == "de" else text.detail_en).format(**params)
        found[form_field] = f"{found[form_field]} {message}" if form_field in found else message
    return found
