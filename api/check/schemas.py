"""Request and response schemas of the career-choice check, the matches, the chart and the
statistics (docs/contracts.md, "API")."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from api.core.schemas import LocalizedLabel, PublicSchema

# The pseudonymous conversation id, as long as the privacy endpoint accepts it.
PUPIL_REF_MAX = 200
# More answers than a check has items is a mistake; this also bounds the request.
ANSWERS_MAX = 200

Score = Annotated[float, Field(ge=0, le=100)]
ItemId = Annotated[str, StringConstraints(min_length=1, max_length=10)]
AnswerValue = Annotated[StrictInt, Field(ge=1, le=5)]


class Variant(StrEnum):
    QUICK = "quick"
    FULL = "full"


class Language(StrEnum):
    DE = "de"
    EN = "en"


class RiasecScores(PublicSchema):
    """The six interest scores 0..100; null for a type without any answered item."""

    R: Score | None
    I: Score | None  # noqa: E741 - the letter is Holland's name of the type
    A: Score | None
    S: Score | None
    E: Score | None
    C: Score | None


# --- items -------------------------------------------------------------------------------------


class CheckItemPublic(PublicSchema):
    id: str
    type: str = Field(description="R, I, A, S, E or C")
    position: int = Field(ge=1, description="Place in this variant of the check, from 1")
    text: LocalizedLabel
    example_occupation: str = Field(description="Slug of the occupation the activity is taken from")


class AnswerOptionPublic(PublicSchema):
    value: int = Field(ge=1, le=5)
    meaning: LocalizedLabel
    button: LocalizedLabel


class CheckItemsPublic(PublicSchema):
    variant: Variant
    count: int = Field(ge=0)
    items: list[CheckItemPublic]
    scale: list[AnswerOptionPublic]


# --- scoring -----------------------------------------------------------------------------------


class ScoreRequest(BaseModel):
    """The pupil's answers: item id -> 1..5, or null for an item the pupil skipped.

    Nothing else is accepted: a request with any other field (a name, a gender, ...) is refused.
    """

    model_config = ConfigDict(extra="forbid")

    answers: dict[ItemId, AnswerValue | None] = Field(max_length=ANSWERS_MAX)


class InterestTypePublic(PublicSchema):
    code: str
    score: float = Field(ge=0, le=100)
    emoji: str
    name: LocalizedLabel
    explanation: LocalizedLabel


class ScoreResultPublic(PublicSchema):
    scores: RiasecScores
    top_types: list[InterestTypePublic] = Field(description="At most three, strongest first")
    holland_code: str = Field(description="Letters of the top types, e.g. RIC")
    unscored_types: list[str] = Field(description="Types without any answered item (their score is null)")
    answered: int = Field(ge=0)
    skipped: int = Field(ge=0)


# --- matches -----------------------------------------------------------------------------------


class LookingFor(StrEnum):
    """What the pupil looks for (the offer kinds a pupil can choose in the check)."""

    APPRENTICESHIP = "apprenticeship"
    DUAL_STUDY = "dual_study"
    INTERNSHIP = "internship"


class MatchRequest(BaseModel):
    """What the check knows about the pupil: answers (preferred: they are the evidence and the
    reasons) or only scores, the certificate, and where and what the pupil looks for (for the
    regional supply). Nothing else is accepted."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[ItemId, AnswerValue | None] | None = Field(default=None, max_length=ANSWERS_MAX)
    scores: RiasecScores | None = Field(default=None, description="Used only without answers")
    certificate: str | None = Field(default=None, max_length=30, description="Certificate code (vocab)")
    municipality: str | None = Field(default=None, max_length=120, description="Municipality slug")
    radius_km: int | None = Field(default=None, ge=1, le=200, description="Default 25 with a municipality")
    looking_for: LookingFor | None = None
    training_type: str | None = Field(default=None, max_length=30)
    field: str | None = Field(default=None, max_length=2, description="KldB Berufsbereich, e.g. 8")
    limit: int = Field(default=5, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=1000)


class ReasonItem(PublicSchema):
    """The pupil's own answer that is the reason for a suggestion."""

    id: str
    text: LocalizedLabel = Field(description="The activity")
    answer: int = Field(ge=1, le=5)
    answer_meaning: LocalizedLabel


class Nearby(PublicSchema):
    """Where the regional supply was counted."""

    municipality: str
    radius_km: int
    looking_for: LookingFor | None = Field(description="null: every kind of offer")


class MatchPublic(PublicSchema):
    slug: str
    name: str
    name_en: str
    fit: float = Field(ge=0, le=100, description="How well the occupation fits the pupil, 0..100")
    riasec: str
    reasons: list[str] = Field(description="The pupil's top types in the occupation's code, strongest first")
    reason: LocalizedLabel | None = Field(description="Why it fits, one sentence; null without reasons")
    reason_item: ReasonItem | None = Field(
        default=None, description="The pupil's own answer the reason is built from (only with answers)"
    )
    needs_higher_certificate: bool
    training_type: str
    field: str = Field(default="", description="KldB 2010 Berufshauptgruppe (two digits)")
    offers_nearby: int | None = Field(
        default=None, ge=0, description="Visible offers within the radius (only with a municipality)"
    )
    places_nearby: int | None = Field(
        default=None, ge=0, description="Their places (an offer may have several)"
    )


class MatchPage(PublicSchema):
    items: list[MatchPublic]
    total: int = Field(ge=0, description="Number of occupations that pass the filters")
    higher_certificate_paths: list[MatchPublic] = Field(
        default_factory=list,
        description="Occupations that fit as well but need a higher certificate (only on the first page)",
    )
    nearby: Nearby | None = Field(default=None, description="Where offers were counted; null without a place")


# --- chart -------------------------------------------------------------------------------------


class ChartBar(PublicSchema):
    code: str = Field(description="RIASEC letter")
    label: str = Field(description="The type's short name, in the language asked for")
    score: float | None = Field(description="0..100; null for a type without a score")
    highlighted: bool = Field(description="One of the three strongest types")


class ChartDescription(PublicSchema):
    alt: str = Field(description="Text alternative of the chart, in the language asked for")
    lang: Language
    width: int
    height: int
    bars: list[ChartBar] = Field(
        default_factory=list,
        description="The bars as the PNG draws them, strongest first (for channels that draw them)",
    )


# --- results -----------------------------------------------------------------------------------


class CheckResultCreate(BaseModel):
    """A completed check as the action server records it. Nothing else is accepted."""

    model_config = ConfigDict(extra="forbid")

    pupil_ref: str = Field(
        min_length=1, max_length=PUPIL_REF_MAX, description="The pseudonymous conversation id"
    )
    variant: Variant
    scores: RiasecScores
    certificate: str | None = Field(default=None, max_length=30, description="Certificate code (vocab)")
    municipality: str | None = Field(default=None, max_length=120, description="Municipality slug")
    answers: dict[ItemId, AnswerValue | None] | None = Field(
        default=None, max_length=ANSWERS_MAX, description="Kept so the result can be matched again"
    )
    radius_km: int | None = Field(default=None, ge=1, le=200)
    looking_for: LookingFor | None = None


class CheckResultPublic(PublicSchema):
    pupil_ref: str
    variant: Variant
    scores: RiasecScores
    top_types: list[InterestTypePublic]
    holland_code: str
    certificate: str | None
    municipality: str | None
    answers: dict[str, int | None] | None = None
    radius_km: int | None = None
    looking_for: LookingFor | None = None
    completed_on: date = Field(description="Day the record was made (local time), no time of day")


class CheckResultsDeleted(PublicSchema):
    pupil_ref: str
    deleted: int = Field(ge=0)


# --- statistics --------------------------------------------------------------------------------


class InterestGroup(PublicSchema):
    municipality: str | None = Field(description="Municipality slug; null: not given")
    certificate: str | None = Field(description="Certificate code; null: not given")
    count: int = Field(ge=0)
    mean_scores: RiasecScores


class InterestStatistics(PublicSchema):
    min_group_size: int = Field(description="Groups with fewer records are left out")
    total: int = Field(ge=0, description="Records counted, in all groups")
    suppressed: int = Field(ge=0, description="Records in groups too small to be shown")
    groups: list[InterestGroup]
