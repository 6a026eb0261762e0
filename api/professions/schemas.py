"""Response schemas of the professions endpoints (docs/contracts.md, "API")."""

from __future__ import annotations

from pydantic import Field

from api.core.schemas import CodedLabel, LocalizedLabel, PublicSchema


class ProfessionSummary(PublicSchema):
    slug: str
    name: str
    name_masc: str
    name_fem: str
    name_en: str
    training_type: str
    duration_months: int
    field: str
    riasec: str
    certificate_typical: str
    certificate_required: str


class ProfessionMatch(ProfessionSummary):
    """A summary found by free-text search."""

    score: float = Field(ge=0, le=1, description="How well the query fits, 1 = exact")


class ProfessionPage(PublicSchema):
    items: list[ProfessionMatch] | list[ProfessionSummary]
    total: int = Field(ge=0, description="Number of occupations that pass the query and filters")


class ProfessionTextPublic(PublicSchema):
    description: str
    tasks: list[str]
    workplaces: list[str]


class ProfessionTexts(PublicSchema):
    de: ProfessionTextPublic
    en: ProfessionTextPublic


class CertificateRequirements(PublicSchema):
    typical: CodedLabel
    required: CodedLabel


class MinimumPayPublic(PublicSchema):
    training_year: int
    eur: int


class AgreedPayPublic(PublicSchema):
    year: int
    eur_per_month: int
    scope: str


class PayPublic(PublicSchema):
    legal_minimum: bool = Field(description="Whether the § 17 BBiG minimum applies")
    start_year: int | None = Field(description="Start year of training the minimum amounts are for")
    minimum: list[MinimumPayPublic]
    agreed: list[AgreedPayPublic]
    note: LocalizedLabel | None


class RelatedProfession(PublicSchema):
    slug: str
    name: str
    name_en: str


class ProfessionPublic(ProfessionSummary):
    synonyms: list[str]
    text: ProfessionTexts
    subjects: list[CodedLabel]
    certificate: CertificateRequirements
    training_type_label: LocalizedLabel
    field_label: LocalizedLabel
    kldb_code: str
    pay: PayPublic
    related: list[RelatedProfession]


class FieldPublic(PublicSchema):
    code: str
    de: str
    en: str
    count: int = Field(ge=0, description="Number of occupations in this field")
