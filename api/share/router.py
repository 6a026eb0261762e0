"""Sharing a pupil's result: the hand-off to an advisor, the result as a PDF, the advisor's inbox.

Action server (service token):
POST   /api/v1/share/handoffs/preview     what would be sent, to whom, and its digest
POST   /api/v1/share/handoffs             send it (with the digest the pupil confirmed)
GET    /api/v1/share/handoffs?pupil_ref=  the pupil's hand-off (to say what was sent)
DELETE /api/v1/share/handoffs?pupil_ref=  withdraw it: it leaves the inbox at once
GET    /api/v1/share/result.pdf?pupil_ref=&lang=   the pupil's result as a PDF
POST   /api/v1/share/result-links         a link to that PDF for the chat (works for a while)
Anybody with the link:
GET    /api/v1/share/results/{token}.pdf
Advisors (pages, session cookie): GET /advisor/inbox, POST /advisor/inbox/{id}/delete,
GET /advisor/classes/{id}/overview.pdf (the class overview for the lesson, aggregates only)
"""

from __future__ import annotations

from pathlib import Path as PathLib
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from api.accounts.dependencies import SignedIn, require_role
from api.accounts.models import Role
from api.auth.dependencies import require_service
from api.check.schemas import PUPIL_REF_MAX, Language
from api.classes import pages as class_pages
from api.classes import service as class_service
from api.core.config import SettingsDep
from api.core.db import SessionDep
from api.core.models import utc_now
from api.core.pages import Pages, pick_language
from api.core.pdf import pdf_strings
from api.monitoring.signals import record_handoff
from api.share import classes, mail, service
from api.share.exceptions import ResultLinkExpiredError
from api.share.models import Handoff
from api.share.schemas import (
    HandoffCreate,
    HandoffList,
    HandoffPreview,
    HandoffPublic,
    HandoffRequest,
    HandoffsWithdrawn,
    ResultLinkCreate,
    ResultLinkPublic,
)

router = APIRouter(prefix="/api/v1/share", tags=["share"])
pages_router = APIRouter(include_in_schema=False)
pages = Pages(PathLib(__file__).parent)

PupilRef = Annotated[
    str, Query(min_length=1, max_length=PUPIL_REF_MAX, description="The conversation's pseudonym")
]
AdvisorDep = Annotated[SignedIn, Depends(require_role(Role.ADVISOR))]
PDF_FILENAMES = {"de": "mein-ergebnis.pdf", "en": "my-result.pdf"}


# the pupil has no saved check result (problem check-result-not-found)
NO_RESULT: dict[int | str, dict[str, Any]] = {
    404: {"description": "No saved check result for this conversation"}
}


def pdf_response(document: bytes, filename: str, language: str) -> Response:
    return Response(
        content=document,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Language": language,
            "Cache-Control": "no-store",
        },
    )


def _public(row: Handoff) -> HandoffPublic:
    return HandoffPublic(
        id=row.id,
        recipient=row.recipient,
        created_at=row.created_at,
        expires_at=row.expires_at,
        read=row.read_at is not None,
    )


@router.post(
    "/handoffs/preview",
    response_model=HandoffPreview,
    dependencies=[Depends(require_service)],
    responses=NO_RESULT,
)
def preview_handoff(session: SessionDep, settings: SettingsDep, data: HandoffRequest) -> HandoffPreview:
    """Exactly what would be sent, in the pupil's language, and to whom; nothing is stored."""
    draft = service.draft_handoff(
        session, data.pupil_ref, data.language.value, data.question, data.occupations, utc_now(), settings
    )
    view = service.draft_view(session, draft)
    lines = view.lines(pdf_strings("share", draft.language))
    return HandoffPreview(
        recipient=draft.addressee.recipient,
        recipient_label=view.recipient_label,
        lines=lines,
        text="\n".join(lines),
        digest=draft.digest,
    )


@router.post(
    "/handoffs",
    response_model=HandoffPublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_service)],
    responses={**NO_RESULT, 409: {"description": "What would be sent is no longer what was confirmed"}},
)
def send_handoff(
    session: SessionDep, settings: SettingsDep, data: HandoffCreate, background: BackgroundTasks
) -> HandoffPublic:
    """Send what the pupil confirmed (409 when it changed since); the advisers get an email."""
    row = service.send_handoff(
        session, data.pupil_ref, data.language.value, data.question, data.occupations, data.digest, settings
    )
    addresses = service.recipients_of(session, row, settings)
    public = _public(row)
    session.commit()
    record_handoff(session)  # the district's monitoring counts hand-offs, nothing else of them
    background.add_task(mail.tell_advisers, settings, addresses, row.recipient)
    return public


@router.get("/handoffs", response_model=HandoffList, dependencies=[Depends(require_service)])
def list_handoffs(session: SessionDep, pupil_ref: PupilRef) -> HandoffList:
    return HandoffList(items=[_public(row) for row in service.pupil_handoffs(session, pupil_ref)])


@router.delete("/handoffs", response_model=HandoffsWithdrawn, dependencies=[Depends(require_service)])
def withdraw_handoffs(session: SessionDep, pupil_ref: PupilRef) -> HandoffsWithdrawn:
    """Withdraw the pupil's hand-off: deleted, so it is gone from every inbox (0 is fine)."""
    withdrawn = service.withdraw_handoffs(session, pupil_ref)
    session.commit()
    return HandoffsWithdrawn(pupil_ref=pupil_ref, withdrawn=withdrawn)


@router.get(
    "/result.pdf",
    response_class=Response,
    dependencies=[Depends(require_service)],
    responses={
        200: {"content": {"application/pdf": {}}, "description": "A tagged PDF (PDF/UA-1)"},
        **NO_RESULT,
    },
)
def result_pdf(session: SessionDep, pupil_ref: PupilRef, lang: Language = Language.DE) -> Response:
    """The pupil's saved result as a PDF: chart, strongest interests, suggestions with reasons, next steps."""
    return pdf_response(
        service.result_pdf(session, pupil_ref, lang.value), PDF_FILENAMES[lang.value], lang.value
    )


@router.post(
    "/result-links",
    response_model=ResultLinkPublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_service)],
    responses=NO_RESULT,
)
def create_result_link(
    session: SessionDep, settings: SettingsDep, data: ResultLinkCreate
) -> ResultLinkPublic:
    """A link to the pupil's result as a PDF, for the chat; it works `result_link_valid_minutes`."""
    token, expires_at = service.create_result_link(session, data.pupil_ref, data.language.value, settings)
    session.commit()
    return ResultLinkPublic(
        url=f"{settings.public_url}/api/v1/share/results/{token}.pdf",
        filename=PDF_FILENAMES[data.language.value],
        expires_at=expires_at,
    )


@router.get(
    "/results/{token}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, 404: {"description": "Unknown or expired link"}},
)
def open_result_link(
    session: SessionDep, token: Annotated[str, Path(min_length=20, max_length=100)]
) -> Response:
    link = service.open_result_link(session, token)
    if link is None:
        raise ResultLinkExpiredError()
    return pdf_response(
        service.result_pdf(session, link.pupil_ref, link.language),
        PDF_FILENAMES[link.language],
        link.language,
    )


# --- the advisor's inbox -----------------------------------------------------------------------


@pages_router.get("/advisor/inbox")
def inbox_page(request: Request, session: SessionDep, person: AdvisorDep, deleted: int = 0) -> Response:
    language = pick_language(request)
    rows = service.inbox(session, person.account)
    now = utc_now()
    items = []
    for row in rows:
        view = service.handoff_view(session, row)
        items.append(
            {
                "id": row.id,
                "view": view,
                "lines": view.lines(pdf_strings("share", row.language))[1:],
                "created": service.local_date(row.created_at, language),
                "expires": service.local_date(row.expires_at, language),
                "class_name": classes.class_name(session, row.class_session_id),
            }
        )
        if row.read_at is None:
            row.read_at = now
    session.commit()
    return pages.render(
        request,
        "inbox.html",
        signed_in=person,
        company_name=None,
        items=items,
        region=service.is_region_adviser(session, person.account),
        notice=pages.strings(language)["inbox_deleted"] if deleted else None,
    )


@pages_router.post("/advisor/inbox/{handoff_id}/delete")
def delete_from_inbox(request: Request, session: SessionDep, person: AdvisorDep, handoff_id: int) -> Response:
    """The advisor is done with it: deleted (only one the advisor may see; anything else is 404)."""
    row = service.visible_handoff(session, person.account, handoff_id)
    language = pick_language(request)
    if row is None:
        return pages.render(request, "inbox_missing.html", status=404, signed_in=person)
    session.delete(row)
    session.commit()
    return RedirectResponse(
        f"/advisor/inbox?lang={language}&deleted=1", status_code=status.HTTP_303_SEE_OTHER
    )


# --- the class overview as a PDF ---------------------------------------------------------------


@pages_router.get("/advisor/classes/{session_id}/overview.pdf")
def class_overview_pdf(
    request: Request, session_id: int, session: SessionDep, settings: SettingsDep, person: AdvisorDep
) -> Response:
    """The advisor's own class only (another's is 404, like a class that does not exist)."""
    row = class_service.own_session(session, person.account.id, session_id)
    if row is None:
        return class_pages.not_found(request)
    language = pick_language(request)
    overview = class_pages.overview_for(request, session, row, settings)
    data = {
        **overview.model_dump(),
        "name": row.name,
        "school": row.school,
        "grade": row.grade,
        "held_on": row.held_on,
    }
    filename = f"klasse-{row.code.lower()}.pdf" if language == "de" else f"class-{row.code.lower()}.pdf"
    return pdf_response(service.class_overview_pdf(data, language), filename, language)
