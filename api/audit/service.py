"""Writing and reading the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.accounts.models import Account
from api.audit.models import AuditEntry
from api.companies.models import Company
from api.core.models import utc_now

DETAIL_MAX = 500


def record(
    session: Session,
    actor: Account,
    action: str,
    *,
    company_id: int | None = None,
    subject: str = "",
    detail: str = "",
    now: datetime | None = None,
) -> AuditEntry:
    """Add one entry (the caller commits, so the entry and the change it describes go together)."""
    entry = AuditEntry(
        at=now or utc_now(),
        actor_account_id=actor.id,
        actor_email=actor.email,
        actor_role=actor.role,
        action=action,
        company_id=company_id,
        subject=subject,
        detail=detail[:DETAIL_MAX],
    )
    session.add(entry)
    return entry


def recent_entries(
    session: Session, *, company_id: int | None = None, limit: int = 200
) -> Sequence[tuple[AuditEntry, str | None]]:
    """The newest entries first, each with its company's name."""
    query = (
        select(AuditEntry, Company.name)
        .outerjoin(Company, Company.id == AuditEntry.company_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    if company_id is not None:
        query = query.where(AuditEntry.company_id == company_id)
    return [(entry, name) for entry, name in session.execute(query).all()]
