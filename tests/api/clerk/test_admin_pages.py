"""The admin's pages: a new company's offers are shown only after it is verified; a suspended
company's offers are hidden, its clerks cannot sign in or change anything, its API keys fail;
every action is in the audit log."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit.models import AuditEntry
from api.companies.models import Company
from api.offers.service import OfferFilters, search_offers
from tests.api.accounts.support import PASSWORD, csrf_from, sign_in
from tests.api.clerk.conftest import AccountFactory
from tests.api.exchange.support import CompanyFactory, OfferFactory, bearer


def found_ids(session: Session) -> list[int]:
    return [
        item.id for item in search_offers(session, OfferFilters(near="Osnabrück"), limit=50, offset=0).items
    ]


async def admin_token(client: httpx.AsyncClient, make_person: AccountFactory) -> str:
    admin = make_person("admin", None, email="admin@berufslotse.example")
    assert (await sign_in(client, admin.email)).status_code == 303
    return csrf_from((await client.get("/admin/companies")).text)


async def test_a_new_companys_offers_are_hidden_until_an_admin_verifies_it(
    client: httpx.AsyncClient,
    session: Session,
    make_person: AccountFactory,
    make_company: CompanyFactory,
    make_offer: OfferFactory,
    service_headers: dict[str, str],
) -> None:
    newcomer = make_company(name="Tischlerei Neu", verified=False)
    offer = make_offer(newcomer)
    assert found_ids(session) == []
    assert (await client.get(f"/api/v1/offers/{offer.id}")).status_code == 404
    listed = await client.get("/api/v1/offers", params={"near": "Osnabrück"})
    assert listed.json()["total"] == 0
    refused = await client.post(
        "/api/v1/contact-requests",
        headers=service_headers,
        json={"offer_id": offer.id, "pupil_ref": "p1", "email": "a@b.example", "consent_text": "ja"},
    )
    assert refused.status_code == 404 and refused.json()["type"] == "/problems/offer-not-found"

    token = await admin_token(client, make_person)
    page = (await client.get("/admin/companies")).text
    assert "Tischlerei Neu" in page and "noch nicht geprüft" in page
    verified = await client.post(f"/admin/companies/{newcomer.id}/verify", data={"csrf_token": token})
    assert verified.status_code == 303
    session.refresh(newcomer)
    assert newcomer.verified is True
    assert found_ids(session) == [offer.id]
    assert (await client.get(f"/api/v1/offers/{offer.id}")).status_code == 200
    (entry,) = session.scalars(select(AuditEntry)).all()
    assert (entry.action, entry.company_id, entry.actor_email) == (
        "company.verify",
        newcomer.id,
        "admin@berufslotse.example",
    )
    audit = (await client.get("/admin/audit")).text
    assert "company.verify" in audit and "Tischlerei Neu" in audit


async def test_a_suspended_company_is_hidden_and_locked_out(
    client: httpx.AsyncClient,
    app: object,
    session: Session,
    make_person: AccountFactory,
    make_offer: OfferFactory,
    issue_key: Callable[[Company], str],
    bakery: Company,
) -> None:
    offer = make_offer(bakery)
    key = issue_key(bakery)
    clerk = make_person("company", bakery, email="clerk@sonne.example")
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as clerk_client:
        assert (await sign_in(clerk_client, clerk.email)).status_code == 303
        clerk_token = csrf_from((await clerk_client.get("/company")).text)
        assert found_ids(session) == [offer.id]

        token = await admin_token(client, make_person)
        suspended = await client.post(f"/admin/companies/{bakery.id}/suspend", data={"csrf_token": token})
        assert suspended.status_code == 303
        session.refresh(bakery)
        assert bakery.suspended_at is not None
        assert found_ids(session) == []
        assert (await client.get(f"/api/v1/offers/{offer.id}")).status_code == 404

        # the clerk's open session has ended: no page, no change
        assert (await clerk_client.get("/company")).status_code == 401
        withdrawn = await clerk_client.post(
            f"/company/offers/{offer.id}/withdraw", data={"csrf_token": clerk_token}
        )
        assert withdrawn.status_code == 401
        session.refresh(offer)
        assert offer.status == "active"
        # and a new sign-in is refused like a wrong password
        again = await sign_in(clerk_client, clerk.email, PASSWORD)
        assert again.status_code == 422
        # the company's software is refused too
        api = await clerk_client.get("/api/v1/company/offers", headers=bearer(key))
        assert api.status_code == 403 and api.json()["type"] == "/problems/company-suspended"

        reinstated = await client.post(f"/admin/companies/{bakery.id}/reinstate", data={"csrf_token": token})
        assert reinstated.status_code == 303
        assert found_ids(session) == [offer.id]
        assert (await sign_in(clerk_client, clerk.email)).status_code == 303
        assert (await clerk_client.get("/api/v1/company/offers", headers=bearer(key))).status_code == 200

    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["company.suspend", "company.reinstate"]


async def test_admin_pages_need_the_admin_role_and_the_csrf_token(
    client: httpx.AsyncClient, session: Session, make_person: AccountFactory, bakery: Company
) -> None:
    for path in ("/admin/companies", "/admin/audit"):
        assert (await client.get(path)).status_code == 401
    clerk = make_person("company", bakery)
    await sign_in(client, clerk.email)
    clerk_token = csrf_from((await client.get("/company")).text)
    for path in ("/admin/companies", "/admin/audit"):
        assert (await client.get(path)).status_code == 403
    attempt = await client.post(f"/admin/companies/{bakery.id}/suspend", data={"csrf_token": clerk_token})
    assert attempt.status_code == 403
    token = await admin_token(client, make_person)
    for action in ("verify", "unverify", "suspend", "reinstate"):
        response = await client.post(f"/admin/companies/{bakery.id}/{action}")
        assert response.status_code == 403 and response.json()["type"] == "/problems/csrf-failed"
    session.refresh(bakery)
    assert bakery.suspended_at is None and bakery.verified is True
    for path in ("/admin/companies/999999/verify", f"/admin/companies/{bakery.id}/delete"):
        assert (await client.post(path, data={"csrf_token": token})).status_code == 404
    english = await client.get("/admin/companies", params={"lang": "en"})
    assert "Verify" in english.text or "Withdraw verification" in english.text
