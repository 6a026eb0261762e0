"""Every ORM model of the API, imported in one place so that the metadata is complete.

Alembic's env.py and the tests use `Base.metadata` from here; application code imports models from
their own domain package.
"""

from __future__ import annotations

from api.accounts.models import Account, AccountSession, SignInLink
from api.alerts.models import AnnouncedOffer, SavedSearch
from api.check.models import CheckAnswerOption, CheckItem, CheckResult, CheckText, CheckType
from api.companies.models import ApiKey, Company
from api.contacts.models import ContactRequest
from api.core.models import Base
from api.geo.models import Municipality
from api.knowledge_sync.models import KnowledgeMeta
from api.offers.models import Offer
from api.pay.models import MinimumPay
from api.professions.models import Profession, ProfessionTopic, Topic, VocabularyTerm
from api.search.models import SearchDocument

__all__ = [
    "Account",
    "AccountSession",
    "AnnouncedOffer",
    "ApiKey",
    "Base",
    "CheckAnswerOption",
    "CheckItem",
    "CheckResult",
    "CheckText",
    "CheckType",
    "Company",
    "ContactRequest",
    "KnowledgeMeta",
    "MinimumPay",
    "Municipality",
    "Offer",
    "Profession",
    "ProfessionTopic",
    "SavedSearch",
    "SearchDocument",
    "SignInLink",
    "Topic",
    "VocabularyTerm",
]
