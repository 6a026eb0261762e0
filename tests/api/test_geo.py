"""GET /api/v1/municipalities."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from knowledge import schema


async def test_municipalities_in_slug_order_with_every_field(
    client: httpx.AsyncClient,
    load: Callable[..., object],
    make_municipality: Callable[..., schema.Municipality],
) -> None:
    load(
        municipalities=[
            make_municipality(
                "quakenbrueck",
                "Quakenbrück",
                kind="stadt",
                samtgemeinde="Samtgemeinde Artland",
                postcodes=("49610",),
                lat=52.675,
                lon=7.9498,
            ),
            make_municipality("melle", "Melle", kind="stadt", postcodes=("49324", "49326", "49328")),
            make_municipality("samtgemeinde-artland", "Samtgemeinde Artland", kind="samtgemeinde"),
        ]
    )
    response = await client.get("/api/v1/municipalities")
    assert response.status_code == 200
    body = response.json()
    assert [item["slug"] for item in body] == ["melle", "quakenbrueck", "samtgemeinde-artland"]
    assert body[1] == {
        "slug": "quakenbrueck",
        "name": "Quakenbrück",
        "kind": "stadt",
        "samtgemeinde": "Samtgemeinde Artland",
        "postcodes": ["49610"],
        "lat": 52.675,
        "lon": 7.9498,
    }
    assert body[0]["postcodes"] == ["49324", "49326", "49328"]
    assert body[0]["samtgemeinde"] is None


async def test_no_municipalities_is_an_empty_list(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/municipalities")
    assert response.status_code == 200
    assert response.json() == []
