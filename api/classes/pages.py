"""The advisor's class pages (role advisor only; an advisor sees only their own sessions):

GET  /advisor/classes                     the sessions and the form for a new one
POST /advisor/classes                     create -> the session's page
GET  /advisor/classes/{id}                code in large type, chat link, Telegram link, QR code,
                                          the live overview, end and delete
GET  /advisor/classes/{id}/overview.json  the overview, polled by the page every few seconds
POST /advisor/classes/{id}/end            end now (pupils can no longer join)
POST /advisor/classes/{id}/delete         delete now, with everything the class recorded

Another advisor's session answers 404 like one that does not exist.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.accounts.dependencies import SignedIn, require_role
from api.accounts.models import Role
from api.classes import service
from api.classes.codes import display_code
from api.classes.links import telegram_link, widget_link
from api.classes.models import ClassSession
from api.classes.overview import build_overview
from api.classes.qr import qr_svg
from api.classes.schemas import ClassOverview, ClassTopic
from api.core.config import Settings, SettingsDep
from api.core.db import SessionDep
from api.core.errors import problem_response
from api.core.models import utc_now
from api.core.pages import PAGE_HEADERS, Pages, pick_language

pages = Pages(Path(__file__).parent)
page_router = APIRouter(include_in_schema=False)

AdvisorDep = Annotated[SignedIn, Depends(require_role(Role.ADVISOR))]
TextField = Annotated[str, Form(max_length=1000)]

# The session page polls its overview: scripts and requests to this origin, nothing else.
OVERVIEW_PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
POLL_SECONDS = 5
# Times on the pages are the school's local time.
LOCAL_TIME = ZoneInfo("Europe/Berlin")


def with_lang(request: Request, path: str) -> str:
    language = pick_language(request)
    return path if language == "de" else f"{path}?lang={language}"


def not_found(request: Request) -> HTMLResponse:
    t = pages.strings(pick_language(request))
    return pages.render(
        request,
        "class_message.html",
        status=404,
        title=t["class_not_found_title"],
        message=t["class_not_found"],
    )


def render_list(
    request: Request,
    session: Session,
    person: SignedIn,
    settings: Settings,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    now = utc_now()
    rows = service.advisor_sessions(session, person.account.id)
    return pages.render(
        request,
        "classes.html",
        status=status,
        signed_in=person,
        sessions=[(row, row.is_active(now), service.member_count(session, row.id)) for row in rows],
        form=form or {"name": "", "grade": "", "school": "", "held_on": date.today().isoformat()},
        errors=errors or {},
        hours=settings.class_session_hours,
        display_code=display_code,
    )


@page_router.get("/advisor/classes")
def classes_page(
    request: Request, session: SessionDep, settings: SettingsDep, person: AdvisorDep
) -> Response:
    return render_list(request, session, person, settings)


@page_router.post("/advisor/classes")
def create_class(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    person: AdvisorDep,
    name: TextField = "",
    grade: TextField = "",
    school: TextField = "",
    held_on: TextField = "",
) -> Response:
    t = pages.strings(pick_language(request))
    data, error_keys = service.validate_session_input(name, grade, school, held_on, date.today())
    if data is None:
        errors = {field: t[key] for field, key in error_keys.items()}
        form = {"name": name, "grade": grade, "school": school, "held_on": held_on}
        return render_list(request, session, person, settings, form=form, errors=errors, status=422)
    row = service.create_session(
        session, person.account.id, data, hours=settings.class_session_hours, now=utc_now()
    )
    session.commit()
    return RedirectResponse(with_lang(request, f"/advisor/classes/{row.id}"), status_code=303)


def overview_for(request: Request, session: Session, row: ClassSession, settings: Settings) -> ClassOverview:
    language = pick_language(request)
    t = pages.strings(language)
    return build_overview(
        session,
        row,
        k=settings.class_min_group,
        now=utc_now(),
        language=language,
        topic_names={topic.value: t[f"class_topic_{topic.value}"] for topic in ClassTopic},
        summary_template=t["class_summary"],
        hidden_text=t["class_summary_hidden"],
    )


def render_class(
    request: Request,
    session: Session,
    settings: Settings,
    person: SignedIn,
    row: ClassSession,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    t = pages.strings(pick_language(request))
    chat_link = widget_link(settings.widget_page_url, row.code)
    return pages.render(
        request,
        "class.html",
        status=status,
        headers={"Content-Security-Policy": OVERVIEW_PAGE_POLICY},
        signed_in=person,
        errors=errors or {},
        row=row,
        active=row.is_active(utc_now()),
        ends_at_local=row.end_time().astimezone(LOCAL_TIME).strftime("%H:%M"),
        code=display_code(row.code),
        chat_link=chat_link,
        telegram_link=telegram_link(settings.telegram_bot_username, row.code),
        qr=qr_svg(chat_link, t["class_qr_alt"].format(code=display_code(row.code))),
        overview=overview_for(request, session, row, settings),
        poll_seconds=POLL_SECONDS,
        retention_days=settings.class_retention_days,
    )


@page_router.get("/advisor/classes/{session_id}")
def class_page(
    request: Request, session_id: int, session: SessionDep, settings: SettingsDep, person: AdvisorDep
) -> Response:
    row = service.own_session(session, person.account.id, session_id)
    if row is None:
        return not_found(request)
    return render_class(request, session, settings, person, row)


@page_router.get("/advisor/classes/{session_id}/overview.json", response_model=None)
def class_overview(
    request: Request, session_id: int, session: SessionDep, settings: SettingsDep, person: AdvisorDep
) -> Response:
    row = service.own_session(session, person.account.id, session_id)
    if row is None:
        return problem_response(request, "not-found", {"path": request.url.path})
    overview = overview_for(request, session, row, settings)
    return Response(
        overview.model_dump_json(),
        media_type="application/json",
        headers={"Cache-Control": "no-store", "Vary": PAGE_HEADERS["Vary"]},
    )


@page_router.post("/advisor/classes/{session_id}/end")
def end_class(request: Request, session_id: int, session: SessionDep, person: AdvisorDep) -> Response:
    row = service.own_session(session, person.account.id, session_id)
    if row is None:
        return not_found(request)
    service.end_session(row, utc_now())
    session.commit()
    return RedirectResponse(with_lang(request, f"/advisor/classes/{row.id}"), status_code=303)


@page_router.post("/advisor/classes/{session_id}/delete")
def delete_class(
    request: Request,
    session_id: int,
    session: SessionDep,
    settings: SettingsDep,
    person: AdvisorDep,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    row = service.own_session(session, person.account.id, session_id)
    if row is None:
        return not_found(request)
    if confirm != "yes":
        t = pages.strings(pick_language(request))
        return render_class(
            request,
            session,
            settings,
            person,
            row,
            status=422,
            errors={"confirm": t["class_delete_confirm_missing"]},
        )
    service.delete_session(session, row)
    session.commit()
    return RedirectResponse(with_lang(request, "/advisor/classes"), status_code=303)
