"""Deleting what the API and the chat hold about one pupil (one conversation id).

That is the contact requests, the saved searches, the saved check result, the class membership, the
summaries sent to an advisor (and the links to the result as a PDF), the still individual monitoring
signals and, when `tracker_store_url` is set, the conversation's events in Rasa's SQL tracker store.
Rasa's `SQLTrackerStore` keeps every event in one table `events` with the conversation id in
`sender_id`; we declare just the columns we need.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, Engine, Integer, MetaData, String, Table, delete, inspect
from sqlalchemy.orm import Session

from api.alerts.service import delete_pupil_searches
from api.check.service import delete_pupil_results
from api.classes.service import delete_pupil_membership
from api.contacts.service import delete_pupil_requests
from api.core.config import Settings
from api.core.db import truncate_sqlite_log
from api.monitoring.signals import delete_contributions
from api.privacy.schemas import ConversationDeleted, DeletedCounts
from api.share.service import delete_result_links, withdraw_handoffs

TRACKER_EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
)


def delete_tracker_events(connection: Connection, pupil_ref: str) -> int:
    """Delete the conversation's events on `connection` (the caller's transaction)."""
    if not inspect(connection).has_table(TRACKER_EVENTS.name):
        return 0  # Rasa creates the table on its first conversation
    result = connection.execute(delete(TRACKER_EVENTS).where(TRACKER_EVENTS.c.sender_id == pupil_ref))
    return int(result.rowcount or 0)


def delete_conversation(
    session: Session,
    pupil_ref: str,
    tracker_store: Engine | Connection | None,
    settings: Settings | None = None,
) -> ConversationDeleted:
    contact_requests = delete_pupil_requests(session, pupil_ref)
    check_results = delete_pupil_results(session, pupil_ref)
    handoffs = withdraw_handoffs(session, pupil_ref)
    delete_result_links(session, pupil_ref)
    class_memberships = delete_pupil_membership(session, pupil_ref)
    signals = delete_contributions(session, settings, pupil_ref) if settings is not None else 0
    saved_searches = delete_pupil_searches(session, pupil_ref)
    session.commit()
    truncate_sqlite_log(session.get_bind())
    tracker_events: int | None = None
    if isinstance(tracker_store, Engine):
        with tracker_store.begin() as connection:
            tracker_events = delete_tracker_events(connection, pupil_ref)
        truncate_sqlite_log(tracker_store)
    elif isinstance(tracker_store, Connection):
        tracker_events = delete_tracker_events(tracker_store, pupil_ref)
    return ConversationDeleted(
        pupil_ref=pupil_ref,
        deleted=DeletedCounts(
            contact_requests=contact_requests,
            check_results=check_results,
            handoffs=handoffs,
            class_memberships=class_memberships,
            tracker_events=tracker_events,
            signals=signals,
            saved_searches=saved_searches,
        ),
    )
