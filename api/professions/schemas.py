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


class PayRank(PublicSchema):
    """What an occupation pays as far as we know, for sorting by pay (honest about its basis)."""

    basis: str = Field(
        description="agreed: reported collectively agreed pay, not below today's legal minimum; "
        "minimum: the legal minimum (§ 17 BBiG) for a training starting this year; unknown: no legal "
        "minimum applies (school-based training, civil service) and nothing is reported"
    )
    eur_per_month: int | None = Field(description="Monthly pay, averaged over the training years")
    year: int | None = Field(description="agreed: the year reported; minimum: the start year")
    scope: str | None = Field(default=None, description="agreed: what the reported figure covers")
    source_url: str | None = Field(default=None, description="agreed: where the figure was reported")


class ProfessionRanked(ProfessionSummary):
    """A summary sorted by pay."""

    pay: PayRank


class TopicPublic(PublicSchema):
    key: str
    de: str
    en: str
    count: int = Field(ge=0, description="Number of occupations of this topic")


class ProfessionPage(PublicSchema):
    items: list[ProfessionMatch] | list[ProfessionRanked] | list[ProfessionSummary]
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
    source_url: str = Field(default="", description="Where the figure was reported")


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
