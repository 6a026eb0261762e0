"""Errors of the contact-request domain (texts in api/core/problems.yaml)."""

from __future__ import annotations

from typing import Any

from api.core.errors import ProblemError
from api.offers.exceptions import RejectedError


class ContactRequestRejectedError(RejectedError):
    problem = "contact-request-rejected"


class ContactRequestNotFoundError(ProblemError):
    problem = "contact-request-not-found"

    def __init__(self, request_id: int) -> None:
        super().__init__(request_id=request_id)


class OfferClosedError(ProblemError):
    problem = "offer-closed"

    def __init__(self, offer_id: int, status: str) -> None:
        super().__init__(offer_id=offer_id, status=status)
        self.offer_id, self.status = offer_id, status

    def extensions(self) -> dict[str, Any]:
        return {"offer_id": self.offer_id, "offer_status": self.status}


class CompanyNotContactableError(ProblemError):
    problem = "company-not-contactable"

    def __init__(self, offer_id: int) -> None:
        super().__init__(offer_id=offer_id)


class DuplicateContactRequestError(ProblemError):
    problem = "duplicate-contact-request"

    def __init__(self, offer_id: int, request_id: int) -> None:
        super().__init__(offer_id=offer_id, request_id=request_id)
        self.offer_id, self.request_id = offer_id, request_id

    def extensions(self) -> dict[str, Any]:
        return {"offer_id": self.offer_id, "request_id": self.request_id}
