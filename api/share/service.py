"""Sharing a pupil's result: the hand-off to an advisor (with consent) and the result as a PDF.

Hand-off, step by step (docs/handoff.md):
1. `preview_handoff` builds what would be sent from the pupil's saved check result (scores, the
   strongest types, the first suggested occupations, the occupations the pupil asked about) and
   the pupil's optional question, finds the recipient (the advisor of the pupil's class session,
   else the region's advisers) and returns it as the lines the pupil reads, with a digest.
2. `send_handoff` builds the same again; only when its digest equals the one the pupil confirmed is
   it stored (replacing the pupil's previous one), so nothing is sent that the pupil did not see.
3. `withdraw_handoffs` deletes it: it leaves the inbox at once. The email said only that there
   is something new, so nothing of it stays in a mailbox.
Shares end at `expires_at` (retention after sending, or after the class ended), `purge_handoffs`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from api.accounts.models import Account, Role
from api.check import chart, scoring
from api.check import service as check_service
from api.check.exceptions import CheckResultNotFoundError
from api.check.models import CheckResult, CheckType
from api.check.schemas import Language
from api.core.config import Settings
from api.core.models import utc_now
from api.core.pdf import data_url, pdf_strings, render_pdf
from api.professions.models import Profession
from api.share import classes
from api.share.exceptions import HandoffChangedError, UnknownOccupationError
from api.share.models import Handoff, Recipient, RegionAdviser, ResultLink

SUGGESTED_OCCUPATIONS = 3  # the first suggestions of the result that go into a hand-off
MAX_OCCUPATIONS = 6  # suggested + asked about, together
PDF_SUGGESTIONS = 5  # suggestions in "Mein Ergebnis als PDF"
LOCAL_ZONE = ZoneInfo("Europe/Berlin")


# --- the summary -------------------------------------------------------------------------------


def saved_result(session: Session, pupil_ref: str) -> CheckResult:
    row = session.scalar(select(CheckResult).where(CheckResult.pupil_ref == pupil_ref))
    if row is None:
        raise CheckResultNotFoundError()
    return row


def _matches(session: Session, row: CheckResult, limit: int) -> list[Any]:
    """The pupil's first suggestions, as the chat showed them (with the saved answers as reasons)."""
    context = check_service.MatchContext(answers=row.answers) if row.answers else None
    filters = check_service.MatchFilters(certificate=row.certificate)
    page = check_service.find_matches(session, row.scores(), filters, limit=limit, offset=0, context=context)
    return list(page.items)


def build_summary(session: Session, row: CheckResult, asked_about: Sequence[str]) -> dict[str, Any]:
    """What a hand-off holds besides the question: codes, scores, slugs; no text."""
    known = set(session.scalars(select(Profession.slug).where(Profession.slug.in_(list(asked_about)))))
    unknown = [slug for slug in asked_about if slug not in known]
    if unknown:
        raise UnknownOccupationError(unknown)
    occupations: list[str] = []
    for slug in [*(match.slug for match in _matches(session, row, SUGGESTED_OCCUPATIONS)), *asked_about]:
        if slug not in occupations:
            occupations.append(slug)
    scores = row.scores()
    return {
        "scores": {code: scores[code] for code in scoring.RIASEC},
        "holland_code": scoring.holland_code(scores),
        "occupations": occupations[:MAX_OCCUPATIONS],
        "completed_on": row.completed_on.isoformat(),
    }


@dataclass(frozen=True)
class Addressee:
    recipient: str
    advisor_id: int | None
    class_session_id: int | None
    class_name: str | None
    class_ends_at: datetime | None


def addressee_for(session: Session, pupil_ref: str, now: datetime, settings: Settings) -> Addressee:
    """The advisor of the pupil's class session, else the region's advisers."""
    kept_after_end = timedelta(days=settings.handoff_after_class_days)
    joined = classes.current_class(session, pupil_ref, now, kept_after_end)
    if joined is not None:
        return Addressee(Recipient.CLASS, joined.advisor_id, joined.session_id, joined.name, joined.ends_at)
    return Addressee(Recipient.REGION, None, None, None, None)


def digest_of(addressee: Addressee, language: str, summary: Mapping[str, Any], question: str | None) -> str:
    """A fingerprint of exactly what is sent and to whom: the pupil confirms this one."""
    canonical = json.dumps(
        {
            "recipient": addressee.recipient,
            "advisor_id": addressee.advisor_id,
            "class_session_id": addressee.class_session_id,
            "language": language,
            "summary": summary,
            "question": question,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _type_names(session: Session, language: str) -> dict[str, str]:
    types = session.scalars(select(CheckType)).all()
    return {row.code: row.name_en if language == "en" else row.name_de for row in types}


def _occupation_names(session: Session, slugs: Sequence[str], language: str) -> list[str]:
    rows = {
        row.slug: row for row in session.scalars(select(Profession).where(Profession.slug.in_(list(slugs))))
    }
    names = []
    for slug in slugs:
        row = rows.get(slug)
        if row is not None:
            names.append((row.name_en or row.name) if language == "en" else row.name)
    return names


@dataclass(frozen=True)
class SummaryView:
    """A hand-off as people read it: in the pupil's language, the same for the pupil and the advisor."""

    language: str
    recipient: str
    recipient_label: str
    completed_on: str
    top_types: list[str]
    scores: list[tuple[str, str]]
    occupations: list[str]
    question: str | None

    def lines(self, strings: Mapping[str, str]) -> list[str]:
        lines = [
            f"{strings['handoff_to']}: {self.recipient_label}",
            f"{strings['handoff_check_on']}: {self.completed_on}",
            f"{strings['handoff_top_types']}: {', '.join(self.top_types) or '–'}",
            f"{strings['handoff_scores']}: " + "; ".join(f"{name} {value}" for name, value in self.scores),
            f"{strings['handoff_occupations']}: {', '.join(self.occupations) or '–'}",
            f"{strings['handoff_question']}: {self.question or strings['handoff_no_question']}",
        ]
        return lines


def view_of(
    session: Session,
    *,
    language: str,
    recipient: str,
    class_name: str | None,
    summary: Mapping[str, Any],
    question: str | None,
) -> SummaryView:
    strings = pdf_strings("share", language)
    names = _type_names(session, language)
    scores: dict[str, float | None] = dict(summary["scores"])
    top = [names.get(code, code) for code in summary["holland_code"]]
    label = (
        strings["handoff_to_class"].format(name=class_name or "")
        if recipient == Recipient.CLASS
        else strings["handoff_to_region"]
    )
    completed = datetime.fromisoformat(summary["completed_on"]).date()
    return SummaryView(
        language=language,
        recipient=recipient,
        recipient_label=label,
        completed_on=completed.strftime("%d.%m.%Y") if language == "de" else completed.isoformat(),
        top_types=top,
        scores=[
            (names.get(code, code), chart.score_label(scores.get(code)))
            for code in sorted(scoring.RIASEC, key=lambda code: -(scores.get(code) or -1))
        ],
        occupations=_occupation_names(session, summary["occupations"], language),
        question=question,
    )


@dataclass(frozen=True)
class HandoffDraft:
    addressee: Addressee
    language: str
    summary: dict[str, Any]
    question: str | None
    digest: str


def draft_handoff(
    session: Session,
    pupil_ref: str,
    language: str,
    question: str | None,
    asked_about: Sequence[str],
    now: datetime,
    settings: Settings,
) -> HandoffDraft:
    row = saved_result(session, pupil_ref)
    summary = build_summary(session, row, asked_about)
    addressee = addressee_for(session, pupil_ref, now, settings)
    question = " ".join(question.split()) if question and question.strip() else None
    return HandoffDraft(
        addressee, language, summary, question, digest_of(addressee, language, summary, question)
    )


def draft_view(session: Session, draft: HandoffDraft) -> SummaryView:
    return view_of(
        session,
        language=draft.language,
        recipient=draft.addressee.recipient,
        class_name=draft.addressee.class_name,
        summary=draft.summary,
        question=draft.question,
    )


def expiry(addressee: Addressee, settings: Settings, now: datetime) -> datetime:
    """Retention after sending, or after the class session ends, whichever comes first."""
    expires = now + timedelta(days=settings.handoff_retention_days)
    if addressee.class_ends_at is not None:
        expires = min(expires, addressee.class_ends_at + timedelta(days=settings.handoff_after_class_days))
    return expires


def send_handoff(
    session: Session,
    pupil_ref: str,
    language: str,
    question: str | None,
    asked_about: Sequence[str],
    confirmed_digest: str,
    settings: Settings,
    now: datetime | None = None,
) -> Handoff:
    """Store the hand-off the pupil confirmed (replacing their previous one); the caller commits."""
    now = now or utc_now()
    draft = draft_handoff(session, pupil_ref, language, question, asked_about, now, settings)
    if not secrets.compare_digest(draft.digest, confirmed_digest):
        raise HandoffChangedError()
    session.execute(delete(Handoff).where(Handoff.pupil_ref == pupil_ref))
    row = Handoff(
        pupil_ref=pupil_ref,
        recipient=draft.addressee.recipient,
        advisor_id=draft.addressee.advisor_id,
        class_session_id=draft.addressee.class_session_id,
        language=language,
        summary=draft.summary,
        question=draft.question,
        created_at=now,
        expires_at=expiry(draft.addressee, settings, now),
    )
    session.add(row)
    session.flush()
    return row


def pupil_handoffs(session: Session, pupil_ref: str, now: datetime | None = None) -> list[Handoff]:
    now = now or utc_now()
    return list(
        session.scalars(select(Handoff).where(Handoff.pupil_ref == pupil_ref, Handoff.expires_at > now))
    )


def withdraw_handoffs(session: Session, pupil_ref: str) -> int:
    """Delete the pupil's hand-offs (withdrawal and "lösch meine Daten"); the caller commits."""
    result = session.execute(
        delete(Handoff).where(Handoff.pupil_ref == pupil_ref).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- the advisors' side ------------------------------------------------------------------------


def is_region_adviser(session: Session, account: Account) -> bool:
    return session.get(RegionAdviser, account.id) is not None


def inbox(session: Session, account: Account, now: datetime | None = None) -> list[Handoff]:
    """What this advisor may read: what was sent to them, and the region's when they serve it."""
    now = now or utc_now()
    if account.role != Role.ADVISOR.value:
        return []
    visible = [Handoff.advisor_id == account.id]
    if is_region_adviser(session, account):
        visible.append(Handoff.recipient == Recipient.REGION)
    query = (
        select(Handoff)
        .where(or_(*visible), Handoff.expires_at > now)
        .order_by(Handoff.created_at.desc(), Handoff.id.desc())
    )
    return list(session.scalars(query))


def visible_handoff(session: Session, account: Account, handoff_id: int) -> Handoff | None:
    return next((row for row in inbox(session, account) if row.id == handoff_id), None)


def handoff_view(session: Session, row: Handoff) -> SummaryView:
    return view_of(
        session,
        language=row.language,
        recipient=row.recipient,
        class_name=classes.class_name(session, row.class_session_id),
        summary=row.summary,
        question=row.question,
    )


def recipients_of(session: Session, row: Handoff, settings: Settings) -> list[str]:
    """Whom to tell that there is a new hand-off: the class's advisor, or the region's advisers
    (and the configured address). Disabled accounts get nothing."""
    if row.advisor_id is not None:
        accounts = [session.get(Account, row.advisor_id)]
    else:
        accounts = list(
            session.scalars(select(Account).join(RegionAdviser, RegionAdviser.account_id == Account.id))
        )
    emails = [account.email for account in accounts if account is not None and account.disabled_at is None]
    if row.recipient == Recipient.REGION and settings.handoff_region_address:
        emails.append(settings.handoff_region_address)
    return sorted(set(emails))


def set_region_adviser(session: Session, email: str, *, serves: bool) -> Account:
    account = session.scalar(select(Account).where(Account.email == email.strip().lower()))
    if account is None or account.role != Role.ADVISOR.value:
        raise LookupError(f"no advisor account with the address {email}")
    current = session.get(RegionAdviser, account.id)
    if serves and current is None:
        session.add(RegionAdviser(account_id=account.id))
    elif not serves and current is not None:
        session.delete(current)
    session.flush()
    return account


def region_advisers(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Account.email)
            .join(RegionAdviser, RegionAdviser.account_id == Account.id)
            .order_by(Account.email)
        )
    )


def purge_handoffs(session: Session, now: datetime | None = None) -> int:
    """Delete hand-offs past their time, and those of class sessions that are gone or ended long enough."""
    now = now or utc_now()
    result = session.execute(
        delete(Handoff).where(Handoff.expires_at <= now).execution_options(synchronize_session=False)
    )
    deleted = int(getattr(result, "rowcount", 0) or 0)
    return deleted + classes.purge_ended_class_handoffs(session, now)


# --- "Mein Ergebnis als PDF" -------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def create_result_link(
    session: Session, pupil_ref: str, language: str, settings: Settings, now: datetime | None = None
) -> tuple[str, datetime]:
    """A link to the pupil's result as a PDF that works for a while (the chat shows it; the
    Telegram bridge downloads it). The link holds a random token, never the pupil's pseudonym."""
    now = now or utc_now()
    saved_result(session, pupil_ref)  # 404 before a link to nothing is made
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(minutes=settings.result_link_valid_minutes)
    session.add(
        ResultLink(
            token_hash=_token_hash(token),
            pupil_ref=pupil_ref,
            language=language,
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    return token, expires_at


def open_result_link(session: Session, token: str, now: datetime | None = None) -> ResultLink | None:
    now = now or utc_now()
    row = session.get(ResultLink, _token_hash(token))
    if row is None or row.expires_at <= now:
        return None
    return row


def delete_result_links(session: Session, pupil_ref: str) -> int:
    result = session.execute(
        delete(ResultLink)
        .where(ResultLink.pupil_ref == pupil_ref)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def purge_result_links(session: Session, now: datetime | None = None) -> int:
    now = now or utc_now()
    result = session.execute(
        delete(ResultLink).where(ResultLink.expires_at <= now).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def result_context(session: Session, pupil_ref: str, language: str) -> dict[str, Any]:
    """Everything the PDF of a pupil's result shows, as plain data (tests read it too)."""
    row = saved_result(session, pupil_ref)
    scores = row.scores()
    labels = check_service.chart_labels(session, Language(language))
    types = check_service.type_details(scores, check_service.interest_types(session))
    suggestions = []
    for match in _matches(session, row, PDF_SUGGESTIONS):
        reason = (
            match.reason.en
            if (match.reason and language == "en")
            else (match.reason.de if match.reason else None)
        )
        suggestions.append(
            {
                "name": (match.name_en or match.name) if language == "en" else match.name,
                "reason": reason,
                "needs_higher_certificate": match.needs_higher_certificate,
            }
        )
    completed = row.completed_on
    return {
        "completed_on": completed.strftime("%d.%m.%Y") if language == "de" else completed.isoformat(),
        "holland_code": scoring.holland_code(scores),
        "chart": data_url(chart.render_chart(scores, labels), "image/png"),
        "chart_alt": chart.describe_chart(scores, labels),
        "top_types": [
            {
                "name": item.name.en if language == "en" else item.name.de,
                "score": chart.score_label(item.score),
                "explanation": item.explanation.en if language == "en" else item.explanation.de,
            }
            for item in types
        ],
        "suggestions": suggestions,
    }


def result_pdf(session: Session, pupil_ref: str, language: str) -> bytes:
    return render_pdf("share/result.html", result_context(session, pupil_ref, language), language)


def class_overview_pdf(overview: Mapping[str, Any], language: str) -> bytes:
    """The class overview for the lesson (aggregates only; see `class_pdf.overview_context`)."""
    from api.share.class_pdf import overview_context

    return render_pdf("share/class_overview.html", overview_context(overview, language), language)


def local_date(moment: datetime, language: str) -> str:
    """A day as people in Osnabrück read it (Europe/Berlin)."""
    day = moment.astimezone(LOCAL_ZONE).date()
    return day.strftime("%d.%m.%Y") if language == "de" else day.isoformat()
