"""A clerk acts for their own company only: every page and form of /company, tried with another
company's offer and request ids, answers 404 (never 500) and changes nothing; every form needs
the session's CSRF token; other roles and strangers are turned away."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from api.clerk.router import router
from api.companies.models import Company
from api.contacts.models import ContactRequest
from api.offers.models import Offer
from tests.api.accounts.support import csrf_from, sign_in
from tests.api.clerk.conftest import AccountFactory
from tests.api.clerk.test_clerk_pages import offer_fields
from tests.api.exchange.support import OfferFactory

# Every route of the clerk's pages; a new one fails this list until the tests below cover it.
CLERK_ROUTES = {
    ("GET", "/company"),
    ("GET", "/company/profile"),
    ("POST", "/company/profile"),
    ("GET", "/company/offers"),
    ("GET", "/company/offers/new"),
    ("POST", "/company/offers/new"),
    ("GET", "/company/offers/{offer_id}"),
    ("POST", "/company/offers/{offer_id}"),
    ("POST", "/company/offers/{offer_id}/withdraw"),
    ("POST", "/company/offers/{offer_id}/filled"),
    ("GET", "/company/contacts"),
    ("GET", "/company/contacts/{request_id}"),
    ("POST", "/company/contacts/{request_id}/status"),
    ("POST", "/company/contacts/{request_id}/reply"),
    ("GET", "/company/import"),
    ("POST", "/company/import"),
}


def test_the_list_of_clerk_routes_is_complete() -> None:
    found = {
        (method, route.path)
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    assert found == CLERK_ROUTES


@pytest.fixture
def others(
    make_offer: OfferFactory, make_contact_request: Callable[..., ContactRequest], garage: Company
) -> tuple[int, int]:
    """Another company's offer and contact request."""
    offer = make_offer(garage, title="Ausbildung Kfz-Mechatroniker/in bei Mond")
    request = make_contact_request(offer, name="Lea", email="lea@schule.example")
    return offer.id, request.id


async def test_another_companys_ids_are_not_found_on_every_page(
    client: httpx.AsyncClient,
    session: Session,
    make_person: AccountFactory,
    make_offer: OfferFactory,
    bakery: Company,
    others: tuple[int, int],
) -> None:
    offer_id, request_id = others
    make_offer(bakery, title="Eigenes Angebot")
    clerk = make_person("company", bakery)
    assert (await sign_in(client, clerk.email)).status_code == 303
    token = csrf_from((await client.get("/company")).text)
    forms = {
        "/company/offers/{offer_id}": {**offer_fields(title="Übernommen"), "csrf_token": token},
        "/company/contacts/{request_id}/status": {"status": "answered", "csrf_token": token},
        "/company/contacts/{request_id}/reply": {"reply": "Hallo", "csrf_token": token},
    }
    tried = 0
    for method, path in sorted(CLERK_ROUTES):
        if "{" not in path:
            continue
        url = path.format(offer_id=offer_id, request_id=request_id)
        if method == "GET":
            response = await client.get(url)
        else:
            response = await client.post(url, data=forms.get(path, {"csrf_token": token}))
        assert response.status_code == 404, (method, path, response.status_code)
        assert "Mond" not in response.text and "Lea" not in response.text
        tried += 1
    assert tried == 7
    # copying another company's offer is not found either
    copy = await client.get("/company/offers/new", params={"copy_of": offer_id})
    assert copy.status_code == 404 and "Mond" not in copy.text
    # and the lists show only the clerk's own
    for path in ("/company", "/company/offers", "/company/contacts"):
        page = await client.get(path)
        assert page.status_code == 200 and "Mond" not in page.text and "Lea" not in page.text
    offer = session.get_one(Offer, offer_id)
    request = session.get_one(ContactRequest, request_id)
    assert (offer.title, offer.status) == ("Ausbildung Kfz-Mechatroniker/in bei Mond", "active")
    assert request.status == "new"


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", "99999999999", "2147483647"])
async def test_odd_ids_are_refused_without_a_server_error(
    client: httpx.AsyncClient, make_person: AccountFactory, bakery: Company, bad_id: str
) -> None:
    clerk = make_person("company", bakery)
    await sign_in(client, clerk.email)
    token = csrf_from((await client.get("/company")).text)
    for method, path in sorted(CLERK_ROUTES):
        if "{" not in path:
            continue
        url = path.replace("{offer_id}", bad_id).replace("{request_id}", bad_id)
        response = await client.request(method, url, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code in {404, 422}, (method, url, response.status_code)


async def test_every_form_needs_the_csrf_token(
    client: httpx.AsyncClient,
    session: Session,
    make_person: AccountFactory,
    make_offer: OfferFactory,
    make_contact_request: Callable[..., ContactRequest],
    bakery: Company,
) -> None:
    offer = make_offer(bakery)
    request = make_contact_request(offer)
    clerk = make_person("company", bakery)
    await sign_in(client, clerk.email)
    for method, path in sorted(CLERK_ROUTES):
        if method != "POST":
            continue
        url = path.format(offer_id=offer.id, request_id=request.id)
        for token in (None, "0" * 64):
            data = {**offer_fields(), "status": "answered", "reply": "Hallo", "name": "X"}
            if token:
                data["csrf_token"] = token
            response = await client.post(url, data=data)
            assert response.status_code == 403, (path, token, response.status_code)
            assert response.json()["type"] == "/problems/csrf-failed"
    session.refresh(offer)
    session.refresh(request)
    session.refresh(bakery)
    assert (offer.status, request.status, bakery.name) == ("active", "new", "Bäckerei Sonne GmbH")


@pytest.mark.parametrize("role", ["advisor", "district", "admin"])
async def test_other_roles_get_403_and_strangers_401(
    client: httpx.AsyncClient, make_person: AccountFactory, role: str
) -> None:
    for method, path in sorted(CLERK_ROUTES):
        url = path.format(offer_id=1, request_id=1)
        response = await client.request(method, url)
        assert response.status_code == 401, (method, path)
    person = make_person(role, None)
    await sign_in(client, person.email)
    token = csrf_from((await client.get("/account")).text)
    for method, path in sorted(CLERK_ROUTES):
        url = path.format(offer_id=1, request_id=1)
        response = await client.request(method, url, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 403, (role, method, path)
