"""Every ORM model of the API, imported in one place so that the metadata is complete.

Alembic's env.py and the tests use `Base.metadata` from here; application code imports models from
their own domain package.
"""

from __future__ import annotations

from api.core.models import Base
from api.geo.models import Municipality
from api.knowledge_sync.models import KnowledgeMeta
from api.pay.models import MinimumPay
from api.professions.models import Profession, VocabularyTerm

__all__ = ["Base", "KnowledgeMeta", "MinimumPay", "Municipality", "Profession", "VocabularyTerm"]
