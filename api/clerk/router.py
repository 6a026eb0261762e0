"""The company clerk's pages (role `company`): start page, profile, offers, contact requests, and
the upload of a Bundesagentur für Arbeit file.

Every page acts for the clerk's own company only: an id of another company's offer or request is
"not found" (404), exactly like an id that does not exist. The rules are the API's: offers go
through api/offers/service.py, so the page shows the API's own messages beside each field. Every
form carries the session's CSRF token (checked by `require_role`); every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from api.accounts.dependencies import SignedIn, require_role
from api.accounts.models import Role
from api.accounts.router import with_language
from api.audit import service as audit
from api.clerk import service
from api.clerk.forms import OfferForm, as_create, as_update, messages, parse_offer_form
from api.clerk.pages import CLERK_PAGE_HEADERS, pages
from api.companies.models import COMPANY_SIZES, Company
from api.companies.service import PROFILE_FIELDS, ProfileRejectedError, update_profile
from api.contacts import service as contacts
from api.contacts.exceptions import ContactRequestNotFoundError
from api.contacts.models import ContactStatus
from api.core.config import SettingsDep
from api.core.db import SessionDep
from api.core.limits import UPLOAD_MAX_BYTES
from api.core.models import utc_now
from api.core.pages import pick_language
from api.geo.models import Municipality
from api.imports.service import ImportFileError, import_ba, parse_ba_json
from api.offers import service as offers
from api.offers.exceptions import OfferNotFoundError, OfferRejectedError, Violation
from api.offers.models import OfferKind, OfferStatus
from api.offers.schemas import OfferUpdate
from api.offers.service import is_company_shown
from api.professions.models import VocabularyKind
from api.professions.service import vocabulary

router = APIRouter(prefix="/company", include_in_schema=False)

ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@dataclass(frozen=True)
class Clerk:
    person: SignedIn
    company: Company


def current_clerk(
    session: SessionDep, person: Annotated[SignedIn, Depends(require_role(Role.COMPANY))]
) -> Clerk:
    """The signed-in clerk and their company (a suspended company's clerks never get this far:
    their sessions end and cannot start, api/accounts/service.py `account_usable`)."""
    company = session.get(Company, person.account.company_id) if person.account.company_id else None
    if company is None:  # the constraint and the cascade make this a hand-edited database
        raise ContactRequestNotFoundError(0)
    return Clerk(person=person, company=company)


ClerkDep = Annotated[Clerk, Depends(current_clerk)]


def render(
    request: Request, clerk: Clerk, template: str, *, status: int = 200, **context: object
) -> HTMLResponse:
    return pages.render(
        request,
        template,
        status=status,
        headers=CLERK_PAGE_HEADERS,
        signed_in=clerk.person,
        company=clerk.company,
        company_shown=is_company_shown(clerk.company),
        **context,
    )


def redirect(request: Request, path: str) -> RedirectResponse:
    return RedirectResponse(with_language(request, path), status_code=303)


def not_found(request: Request, clerk: Clerk) -> HTMLResponse:
    t = pages.strings(pick_language(request))
    return render(
        request,
        clerk,
        "clerk_message.html",
        status=404,
        title=t["not_found_title"],
        message=t["not_found_text"],
    )


# --- start page -------------------------------------------------------------------------------


@router.get("")
def start_page(request: Request, session: SessionDep, clerk: ClerkDep) -> Response:
    return render(
        request,
        clerk,
        "clerk_start.html",
        expiring=service.expiring_offers(session, clerk.company),
        new_requests=service.new_request_count(session, clerk.company),
        notice_days=service.EXPIRY_NOTICE_DAYS,
    )


# --- profile ----------------------------------------------------------------------------------


def profile_values(session: Session, company: Company) -> dict[str, str]:
    place = session.get(Municipality, company.municipality_slug) if company.municipality_slug else None
    values = {name: getattr(company, name) or "" for name in PROFILE_FIELDS if name != "municipality"}
    values["municipality"] = place.name if place else ""
    return values


@router.get("/profile")
def profile_page(
    request: Request, session: SessionDep, clerk: ClerkDep, done: Annotated[str, Query(max_length=40)] = ""
) -> Response:
    t = pages.strings(pick_language(request))
    notice = t["profile_saved"] if done == "saved" else None
    return render(
        request,
        clerk,
        "clerk_profile.html",
        form=profile_values(session, clerk.company),
        sizes=COMPANY_SIZES,
        notice=notice,
    )


@router.post("/profile")
def save_profile(
    request: Request,
    session: SessionDep,
    clerk: ClerkDep,
    name: Annotated[str, Form(max_length=1000)] = "",
    street: Annotated[str, Form(max_length=1000)] = "",
    postcode: Annotated[str, Form(max_length=1000)] = "",
    municipality: Annotated[str, Form(max_length=1000)] = "",
    sector: Annotated[str, Form(max_length=1000)] = "",
    size: Annotated[str, Form(max_length=40)] = "",
    contact_person: Annotated[str, Form(max_length=1000)] = "",
    email: Annotated[str, Form(max_length=1000)] = "",
    phone: Annotated[str, Form(max_length=1000)] = "",
    website: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    language = pick_language(request)
    t = pages.strings(language)
    values = {
        "name": name,
        "street": street,
        "postcode": postcode,
        "municipality": municipality,
        "sector": sector,
        "size": size,
        "contact_person": contact_person,
        "email": email,
        "phone": phone,
        "website": website,
    }
    try:
        update_profile(session, clerk.company, clerk.person.account, values)
    except ProfileRejectedError as error:
        session.rollback()
        labels = {field: t[f"profile_{field}"] for field in PROFILE_FIELDS}
        return render(
            request,
            clerk,
            "clerk_profile.html",
            status=422,
            form={key: value[:1000] for key, value in values.items()},
            sizes=COMPANY_SIZES,
            errors=messages(error.violations, language, labels),
            notice=None,
        )
    return redirect(request, "/company/profile?done=saved")


# --- offers -----------------------------------------------------------------------------------


OFFER_LABEL_KEYS = (
    "kind",
    "profession",
    "title",
    "description",
    "start_date",
    "places",
    "municipality",
    "certificate_expected",
    "apply_url",
    "apply_contact",
    "expires_on",
)


def offer_form_context(session: Session, language: str) -> dict[str, object]:
    certificates = vocabulary(session, VocabularyKind.CERTIFICATE)
    return {
        "kinds": [kind.value for kind in OfferKind],
        "occupations": service.occupation_choices(session, language),
        "certificates": [
            (code, term.label_en if language == "en" else term.label_de)
            for code, term in certificates.items()
        ],
    }


def render_offer_form(
    request: Request,
    session: Session,
    clerk: Clerk,
    form: OfferForm,
    *,
    action: str,
    heading: str,
    status: int = 200,
    errors: dict[str, str] | None = None,
    offer_id: int | None = None,
) -> HTMLResponse:
    language = pick_language(request)
    return render(
        request,
        clerk,
        "clerk_offer_form.html",
        status=status,
        form=form,
        action=action,
        heading=heading,
        errors=errors or {},
        offer_id=offer_id,
        **offer_form_context(session, language),
    )


def offer_errors(request: Request, violations: list[Violation]) -> dict[str, str]:
    language = pick_language(request)
    t = pages.strings(language)
    return messages(violations, language, {key: t[f"offer_{key}"] for key in OFFER_LABEL_KEYS})


@router.get("/offers")
def offers_page(
    request: Request,
    session: SessionDep,
    clerk: ClerkDep,
    status: Annotated[OfferStatus | None, Query()] = None,
    done: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    page = offers.list_own_offers(session, clerk.company, status=status, limit=100, offset=0)
    t = pages.strings(pick_language(request))
    notice = t.get(f"offer_done_{done}") if done else None
    expiring = {offer.id for offer in service.expiring_offers(session, clerk.company)}
    return render(
        request,
        clerk,
        "clerk_offers.html",
        offers=page.items,
        total=page.total,
        status_filter=status.value if status else "",
        statuses=[item.value for item in OfferStatus],
        expiring=expiring,
        notice=notice,
        notice_days=service.EXPIRY_NOTICE_DAYS,
    )


@router.get("/offers/new")
def new_offer_page(
    request: Request,
    session: SessionDep,
    clerk: ClerkDep,
    copy_of: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    t = pages.strings(pick_language(request))
    form = OfferForm()
    heading = t["offer_new_title"]
    if copy_of is not None:
        try:
            original = offers.get_own_offer(session, clerk.company, copy_of)
        except OfferNotFoundError:
            return not_found(request, clerk)
        form = OfferForm.from_offer(original, next_year=True)
        heading = t["offer_copy_title"]
    return render_offer_form(request, session, clerk, form, action="/company/offers/new", heading=heading)


@router.post("/offers/new")
def create_offer(
    request: Request, session: SessionDep, clerk: ClerkDep, form: Annotated[OfferForm, Form()]
) -> Response:
    t = pages.strings(pick_language(request))
    parsed = parse_offer_form(form)
    try:
        if parsed.violations:
            # run the API's own checks too, so the clerk sees every problem at once
            try:
                offers.check_offer(session, parsed.values, None, utc_now())
            except OfferRejectedError as error:
                raise OfferRejectedError(parsed.violations + error.violations) from error
            raise OfferRejectedError(parsed.violations)
        created = offers.create_offer(session, clerk.company, as_create(parsed))
    except OfferRejectedError as error:
        session.rollback()
        return render_offer_form(
            request,
            session,
            clerk,
            form,
            action="/company/offers/new",
            heading=t["offer_new_title"],
            status=422,
            errors=offer_errors(request, error.violations),
        )
    audit.record(
        session,
        clerk.person.account,
        "offer.create",
        company_id=clerk.company.id,
        subject=f"offer:{created.id}",
    )
    session.commit()
    return redirect(request, "/company/offers?done=created")


@router.get("/offers/{offer_id}")
def edit_offer_page(request: Request, session: SessionDep, clerk: ClerkDep, offer_id: ItemId) -> Response:
    t = pages.strings(pick_language(request))
    try:
        offer = offers.get_own_offer(session, clerk.company, offer_id)
    except OfferNotFoundError:
        return not_found(request, clerk)
    return render_offer_form(
        request,
        session,
        clerk,
        OfferForm.from_offer(offer),
        action=f"/company/offers/{offer_id}",
        heading=t["offer_edit_title"],
        offer_id=offer_id,
    )


@router.post("/offers/{offer_id}")
def save_offer(
    request: Request,
    session: SessionDep,
    clerk: ClerkDep,
    offer_id: ItemId,
    form: Annotated[OfferForm, Form()],
) -> Response:
    t = pages.strings(pick_language(request))
    try:
        current = offers.own_offer(session, clerk.company, offer_id)
    except OfferNotFoundError:
        return not_found(request, clerk)
    place = session.get(Municipality, current.municipality_slug)
    parsed = parse_offer_form(form)
    try:
        if parsed.violations:
            raise OfferRejectedError(parsed.violations)
        offers.update_offer(
            session, clerk.company, offer_id, as_update(parsed, current, place.name if place else "")
        )
    except OfferRejectedError as error:
        session.rollback()
        return render_offer_form(
            request,
            session,
            clerk,
            form,
            action=f"/company/offers/{offer_id}",
            heading=t["offer_edit_title"],
            status=422,
            errors=offer_errors(request, error.violations),
            offer_id=offer_id,
        )
    audit.record(
        session,
        clerk.person.account,
        "offer.update",
        company_id=clerk.company.id,
        subject=f"offer:{offer_id}",
    )
    session.commit()
    return redirect(request, "/company/offers?done=saved")


@router.post("/offers/{offer_id}/withdraw")
def withdraw_offer(request: Request, session: SessionDep, clerk: ClerkDep, offer_id: ItemId) -> Response:
    try:
        offers.withdraw_offer(session, clerk.company, offer_id)
    except OfferNotFoundError:
        return not_found(request, clerk)
    audit.record(
        session,
        clerk.person.account,
        "offer.withdraw",
        company_id=clerk.company.id,
        subject=f"offer:{offer_id}",
    )
    session.commit()
    return redirect(request, "/company/offers?done=withdrawn")


@router.post("/offers/{offer_id}/filled")
def mark_filled(request: Request, session: SessionDep, clerk: ClerkDep, offer_id: ItemId) -> Response:
    try:
        offers.update_offer(session, clerk.company, offer_id, OfferUpdate(status="filled"))
    except OfferNotFoundError:
        return not_found(request, clerk)
    audit.record(
        session,
        clerk.person.account,
        "offer.filled",
        company_id=clerk.company.id,
        subject=f"offer:{offer_id}",
    )
    session.commit()
    return redirect(request, "/company/offers?done=filled")


# --- contact requests -------------------------------------------------------------------------


@router.get("/contacts")
def contacts_page(
    request: Request,
    session: SessionDep,
    clerk: ClerkDep,
    status: Annotated[ContactStatus | None, Query()] = None,
) -> Response:
    page = contacts.company_requests(
        session, clerk.company, status=status, offer_id=None, limit=100, offset=0
    )
    return render(
        request,
        clerk,
        "clerk_contacts.html",
        requests=page.items,
        total=page.total,
        status_filter=status.value if status else "",
        statuses=[item.value for item in ContactStatus],
    )


def render_contact(
    request: Request,
    clerk: Clerk,
    found: service.OwnRequest,
    *,
    status: int = 200,
    reply: str = "",
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        clerk,
        "clerk_contact.html",
        status=status,
        item=found.request,
        offer=found.offer,
        reply=reply,
        errors=errors or {},
        notice=notice,
        statuses=[item.value for item in ContactStatus],
    )


@router.get("/contacts/{request_id}")
def contact_page(
    request: Request,
    session: SessionDep,
    clerk: ClerkDep,
    request_id: ItemId,
    done: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    try:
        found = service.own_request(session, clerk.company, request_id)
    except ContactRequestNotFoundError:
        return not_found(request, clerk)
    service.mark_seen(session, clerk.person.account, found)
    t = pages.strings(pick_language(request))
    notice = t.get(f"contact_done_{done}") if done else None
    return render_contact(request, clerk, found, notice=notice)


@router.post("/contacts/{request_id}/status")
def contact_status(
    request: Request,
    session: SessionDep,
    clerk: ClerkDep,
    request_id: ItemId,
    status: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    try:
        found = service.own_request(session, clerk.company, request_id)
    except ContactRequestNotFoundError:
        return not_found(request, clerk)
    if status not in {item.value for item in ContactStatus}:
        t = pages.strings(pick_language(request))
        return render_contact(request, clerk, found, status=422, errors={"status": t["error_status_unknown"]})
    service.set_status(session, clerk.person.account, found, ContactStatus(status))
    return redirect(request, f"/company/contacts/{request_id}?done=status")


@router.post("/contacts/{request_id}/reply")
def contact_reply(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clerk: ClerkDep,
    request_id: ItemId,
    reply: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Send the reply by email now (this route runs in a worker thread, so smtplib may block) and
    tell the clerk honestly whether it went out."""
    try:
        found = service.own_request(session, clerk.company, request_id)
    except ContactRequestNotFoundError:
        return not_found(request, clerk)
    try:
        service.send_reply(session, settings, clerk.person.account, clerk.company, found, reply)
    except service.ReplyError as error:
        t = pages.strings(pick_language(request))
        message = t[f"error_{error.code.replace('-', '_')}"].format(limit=service.REPLY_MAX)
        return render_contact(
            request,
            clerk,
            found,
            status=422,
            reply=reply[: service.REPLY_MAX + 100],
            errors={"reply": message},
        )
    return redirect(request, f"/company/contacts/{request_id}?done=replied")


# --- the Bundesagentur für Arbeit upload ------------------------------------------------------


@router.get("/import")
def import_page(request: Request, clerk: ClerkDep) -> Response:
    return render(
        request, clerk, "clerk_import.html", report=None, limit_mib=UPLOAD_MAX_BYTES // (1024 * 1024)
    )


@router.post("/import")
def upload_import(
    request: Request,
    session: SessionDep,
    clerk: ClerkDep,
    file: Annotated[UploadFile | None, File()] = None,
    angebotsart: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Import the company's offers from a BA job search file: the CLI's importer with the clerk's
    company as the owner of every offer (refnr keeps it idempotent)."""
    t = pages.strings(pick_language(request))
    limit_mib = UPLOAD_MAX_BYTES // (1024 * 1024)
    if file is None or not file.filename:
        return render(
            request,
            clerk,
            "clerk_import.html",
            status=422,
            report=None,
            limit_mib=limit_mib,
            errors={"file": t["error_file_missing"]},
        )
    content = file.file.read(UPLOAD_MAX_BYTES + 1)
    default_type = int(angebotsart) if angebotsart in {"4", "34"} else None
    try:
        result = parse_ba_json(content, file.filename[:200])
    except ImportFileError:
        return render(
            request,
            clerk,
            "clerk_import.html",
            status=422,
            report=None,
            limit_mib=limit_mib,
            errors={"file": t["error_file_not_ba"]},
        )
    report = import_ba(session, result, default_offer_type=default_type, owner=clerk.company)
    detail = (
        f"{report.created} new, {report.updated} changed, "
        f"{report.unchanged} unchanged, {report.skipped} skipped"
    )
    audit.record(session, clerk.person.account, "import.ba", company_id=clerk.company.id, detail=detail)
    session.commit()
    unknown = sorted(report.unknown_occupations.items(), key=lambda item: (-item[1], item[0]))
    return render(request, clerk, "clerk_import.html", report=report, unknown=unknown, limit_mib=limit_mib)
