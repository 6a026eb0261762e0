"""/admin/companies (verify a new company before its offers are shown; suspend a company: its
offers hidden, its clerks locked out, its API keys refused) and /admin/audit (who did what, when).

Every action is a POST with the session's CSRF token (checked by `require_role`) and is audited in
the same transaction as the change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.accounts.dependencies import SignedIn, require_role
from api.accounts.models import Role
from api.accounts.router import with_language
from api.audit.service import recent_entries
from api.clerk.pages import berlin_time
from api.companies import service as companies
from api.companies.models import Company
from api.core.db import SessionDep
from api.core.pages import Pages, pick_language

router = APIRouter(prefix="/admin", include_in_schema=False)
pages = Pages(Path(__file__).parent)
pages.templates.env.filters["berlin"] = berlin_time

AdminDep = Annotated[SignedIn, Depends(require_role(Role.ADMIN))]
CompanyId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
ACTIONS = ("verify", "unverify", "suspend", "reinstate")


def render_companies(
    request: Request,
    session: SessionDep,
    person: SignedIn,
    *,
    status: int = 200,
    notice: str | None = None,
    include_demo: bool = False,
) -> HTMLResponse:
    return pages.render(
        request,
        "admin_companies.html",
        status=status,
        signed_in=person,
        companies=companies.list_companies(session, include_demo=include_demo),
        include_demo=include_demo,
        notice=notice,
    )


@router.get("/companies")
def companies_page(
    request: Request,
    session: SessionDep,
    person: AdminDep,
    done: Annotated[str, Query(max_length=40)] = "",
    demo: Annotated[bool, Query()] = False,
) -> Response:
    t = pages.strings(pick_language(request))
    notice = t.get(f"done_{done}") if done in ACTIONS else None
    return render_companies(request, session, person, notice=notice, include_demo=demo)


@router.post("/companies/{company_id}/{action}")
def company_action(
    request: Request, session: SessionDep, person: AdminDep, company_id: CompanyId, action: str
) -> Response:
    company = session.get(Company, company_id)
    if company is None or action not in ACTIONS:
        t = pages.strings(pick_language(request))
        return pages.render(
            request,
            "admin_message.html",
            status=404,
            signed_in=person,
            title=t["not_found_title"],
            message=t["not_found_text"],
        )
    if action in ("verify", "unverify"):
        companies.set_verified(session, company, person.account, action == "verify")
    elif action == "suspend":
        companies.suspend_company(session, company, person.account)
    else:
        companies.reinstate_company(session, company, person.account)
    return RedirectResponse(with_language(request, f"/admin/companies?done={action}"), status_code=303)


@router.get("/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    person: AdminDep,
    company: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    return pages.render(
        request,
        "admin_audit.html",
        signed_in=person,
        entries=recent_entries(session, company_id=company),
        company_filter=company,
    )
