"""The career-choice check: items, scoring, matches, the result chart, saved results, statistics.

GET    /api/v1/check/items?variant=quick|full
POST   /api/v1/check/score
GET    /api/v1/matches?R=&I=&A=&S=&E=&C=&certificate=&training_type=&field=&limit=&offset=
POST   /api/v1/check/matches                  (answers, certificate, place, radius, kind: the chat's)
GET    /api/v1/charts/riasec.png?R=..&C=&lang=de|en      (and riasec.json: its text alternative)
POST   /api/v1/check/results                  service token
GET    /api/v1/check/results?pupil_ref=       service token
DELETE /api/v1/check/results?pupil_ref=       service token
GET    /api/v1/statistics/interests           admin token
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth.dependencies import require_service
from api.auth.exceptions import UnauthorizedError
from api.check import chart, service
from api.check.schemas import (
    PUPIL_REF_MAX,
    ChartBar,
    ChartDescription,
    CheckItemsPublic,
    CheckResultCreate,
    CheckResultPublic,
    CheckResultsDeleted,
    InterestStatistics,
    Language,
    MatchPage,
    MatchRequest,
    ScoreRequest,
    ScoreResultPublic,
    Variant,
)
from api.classes.service import pupil_class
from api.core.config import SettingsDep
from api.core.db import SessionDep
from api.core.schemas import Offset
from api.monitoring.dependencies import SignalRecorderDep

router = APIRouter(prefix="/api/v1", tags=["check"])

# The chart depends on nothing but the query (and the type names, which change only with a
# knowledge release), so caches may keep it for a day.
CHART_CACHE_CONTROL = "public, max-age=86400"


def profile_scores(
    r: Annotated[float | None, Query(alias="R", ge=0, le=100, description="Score of R, 0..100")] = None,
    i: Annotated[float | None, Query(alias="I", ge=0, le=100, description="Score of I")] = None,
    a: Annotated[float | None, Query(alias="A", ge=0, le=100, description="Score of A")] = None,
    s: Annotated[float | None, Query(alias="S", ge=0, le=100, description="Score of S")] = None,
    e: Annotated[float | None, Query(alias="E", ge=0, le=100, description="Score of E")] = None,
    c: Annotated[float | None, Query(alias="C", ge=0, le=100, description="Score of C")] = None,
) -> dict[str, float | None]:
    """The six scores from the query; a type left out has no score."""
    return {"R": r, "I": i, "A": a, "S": s, "E": e, "C": c}


ScoresDep = Annotated[dict[str, float | None], Depends(profile_scores)]
PupilRef = Annotated[
    str, Query(min_length=1, max_length=PUPIL_REF_MAX, description="The pseudonymous conversation id")
]


admin_token_scheme = HTTPBearer(
    auto_error=False, scheme_name="AdminToken", description="The district's admin token"
)
AdminCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(admin_token_scheme)]


def require_admin(settings: SettingsDep, credentials: AdminCredentials) -> None:
    """Only the district's administrators, with the admin token, pass."""
    token = credentials.credentials.strip() if credentials else ""
    expected = settings.api_admin_token.get_secret_value()
    if not token or not hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8")):
        raise UnauthorizedError()


@router.get("/check/items", response_model=CheckItemsPublic)
def list_items(session: SessionDep, variant: Variant = Variant.QUICK) -> CheckItemsPublic:
    """The items of the quick (default) or full check in the order they are asked, and the answers."""
    return service.list_items(session, variant)


@router.post("/check/score", response_model=ScoreResultPublic)
def score_check(session: SessionDep, request: ScoreRequest) -> ScoreResultPublic:
    """Scores 0..100 per type, the top three types with explanations, and the Holland code."""
    return service.score_check(session, request.answers)


@router.get("/matches", response_model=MatchPage)
def list_matches(
    session: SessionDep,
    scores: ScoresDep,
    certificate: Annotated[
        str | None,
        Query(max_length=30, description="The pupil's (expected) certificate; marks what needs more"),
    ] = None,
    training_type: Annotated[str | None, Query(max_length=30, description="dual, school, ...")] = None,
    field: Annotated[str | None, Query(max_length=2, description="KldB Berufsbereich, e.g. 8")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
    offset: Offset = 0,
) -> MatchPage:
    """Occupations ranked by how well their interest code fits the scores, with why they fit."""
    filters = service.MatchFilters(certificate=certificate, training_type=training_type, field=field)
    return service.find_matches(session, scores, filters, limit=limit, offset=offset)


@router.post("/check/matches", response_model=MatchPage)
def match_answers(session: SessionDep, request: MatchRequest) -> MatchPage:
    """Occupations for a pupil's answers, in the order the chat shows them: one reason each from
    the pupil's own answers, the offers near the pupil, and the paths that need a higher
    certificate. Without answers, the scores are matched alone (as GET /matches)."""
    scores = request.scores.model_dump() if request.scores is not None else dict.fromkeys("RIASEC")
    filters = service.MatchFilters(
        certificate=request.certificate, training_type=request.training_type, field=request.field
    )
    context = service.MatchContext(
        answers=request.answers,
        municipality=request.municipality,
        radius_km=request.radius_km,
        looking_for=request.looking_for.value if request.looking_for is not None else None,
    )
    return service.find_matches(
        session, scores, filters, limit=request.limit, offset=request.offset, context=context
    )


@router.get(
    "/charts/riasec.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "A 600 x 400 PNG"}},
)
def riasec_chart(session: SessionDep, scores: ScoresDep, lang: Language = Language.DE) -> Response:
    """The six scores as a bar chart; its text alternative is at /api/v1/charts/riasec.json."""
    image = chart.render_chart(scores, service.chart_labels(session, lang))
    return Response(
        content=image,
        media_type="image/png",
        headers={"Cache-Control": CHART_CACHE_CONTROL, "Content-Language": lang.value},
    )


@router.get("/charts/riasec.json", response_model=ChartDescription)
def riasec_chart_description(
    session: SessionDep, scores: ScoresDep, lang: Language = Language.DE
) -> ChartDescription:
    """The text alternative of the chart with the same query (for screen readers and alt attributes)."""
    labels = service.chart_labels(session, lang)
    return ChartDescription(
        alt=chart.describe_chart(scores, labels),
        lang=lang,
        width=chart.WIDTH_PX,
        height=chart.HEIGHT_PX,
        bars=[
            ChartBar(code=row.code, label=row.label, score=row.score, highlighted=row.highlighted)
            for row in chart.chart_rows(scores, labels)
        ],
    )


@router.post(
    "/check/results",
    response_model=CheckResultPublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_service)],
    responses={200: {"model": CheckResultPublic, "description": "The pupil's previous result was replaced"}},
)
def save_result(
    session: SessionDep, recorder: SignalRecorderDep, data: CheckResultCreate, response: Response
) -> CheckResultPublic:
    """Record a completed check (pseudonymous; replaces the pupil's previous one)."""
    result, created = service.save_result(session, data)
    joined = pupil_class(session, data.pupil_ref)
    recorder.check(
        pupil_ref=data.pupil_ref,
        variant=data.variant.value,
        scores=data.scores.model_dump(),
        certificate=data.certificate,
        municipality=data.municipality,
        class_session_id=joined.id if joined is not None else None,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return result


@router.get(
    "/check/results",
    response_model=CheckResultPublic,
    dependencies=[Depends(require_service)],
    responses={404: {"description": "No saved result for this conversation"}},
)
def get_result(session: SessionDep, pupil_ref: PupilRef) -> CheckResultPublic:
    """The pupil's saved result; 404 when there is none."""
    return service.get_result(session, pupil_ref)


@router.delete("/check/results", response_model=CheckResultsDeleted, dependencies=[Depends(require_service)])
def delete_results(session: SessionDep, pupil_ref: PupilRef) -> CheckResultsDeleted:
    """Delete the pupil's saved result; answers how many records went (0 is fine)."""
    deleted = service.delete_pupil_results(session, pupil_ref)
    session.commit()
    return CheckResultsDeleted(pupil_ref=pupil_ref, deleted=deleted)


@router.get("/statistics/interests", response_model=InterestStatistics, dependencies=[Depends(require_admin)])
def interest_statistics(session: SessionDep) -> InterestStatistics:
    """Records and mean scores per municipality and certificate, without groups smaller than five."""
    return service.interest_statistics(session)
