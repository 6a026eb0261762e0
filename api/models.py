"""Every ORM model of the API, imported in one place so that the metadata is complete.

Alembic's env.py and the tests use `Base.metadata` from here; application code imports models from
their own domain package.
"""

from __future__ import annotations

from api.accounts.models import Account, AccountSession, SignInLink
from api.alerts.models import AnnouncedOffer, SavedSearch
from api.audit.models import AuditEntry
from api.check.models import CheckAnswerOption, CheckItem, CheckResult, CheckText, CheckType
from api.classes.models import ClassMember, ClassMemberTopic, ClassSession
from api.companies.models import ApiKey, Company
from api.contacts.models import ContactRequest
from api.core.models import Base
from api.geo.models import Municipality
from api.knowledge_sync.models import KnowledgeMeta
from api.monitoring.models import CheckSignal, HandoffSignal, InterestAggregate, InterestSignal
from api.offers.models import Offer
from api.pay.models import MinimumPay
from api.professions.models import Profession, ProfessionTopic, Topic, VocabularyTerm
from api.search.models import SearchDocument
from api.share.models import Handoff, RegionAdviser, ResultLink

__all__ = [
    "Account",
    "AccountSession",
    "AnnouncedOffer",
    "ApiKey",
    "AuditEntry",
    "Base",
    "CheckAnswerOption",
    "CheckItem",
    "CheckResult",
    "CheckSignal",
    "CheckText",
    "CheckType",
    "ClassMember",
    "ClassMemberTopic",
    "ClassSession",
    "Company",
    "ContactRequest",
    "Handoff",
    "HandoffSignal",
    "InterestAggregate",
    "InterestSignal",
    "KnowledgeMeta",
    "MinimumPay",
    "Municipality",
    "Offer",
    "Profession",
    "ProfessionTopic",
    "RegionAdviser",
    "ResultLink",
    "SavedSearch",
    "SearchDocument",
    "SignInLink",
    "Topic",
    "VocabularyTerm",
]
