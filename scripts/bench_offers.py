"""Benchmark: offer search at 100,000 offers, on SQLite and PostgreSQL.

For each backend: a fresh database (migrations, the real knowledge base), 100,000 generated offers
(the demo generator, bulk-inserted), then p50/p95 latency per query type (near + radius,
profession, free text, kind, all combined), each measured twice:

- "api": `api.offers.service.search_offers`, what GET /api/v1/offers runs (resolving the place,
  matching the occupation, ORM statements for the count and the page, building the items);
- "raw": the same search as ONE hand-written SQL statement (text() with bound parameters; the place
  and the matched occupations resolved beforehand), page and total together (count(*) OVER ()).

Ratio = api / raw. Both must return the same ids and total (checked; a difference is reported).
Figures go to artifacts/bench/offers.json. Nothing here asserts a time.

Usage: python -m scripts.bench_offers [--offers 100000] [--companies 2000] [--repeat 20]
       [--backends sqlite,postgresql]
PostgreSQL comes from BERUFSLOTSE_TEST_POSTGRES_URL, else `scripts/services/postgres.sh url`; the
script creates and drops its own database there.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import Engine, TextClause, bindparam, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api.cli import alembic_config, read_knowledge
from api.core.db import create_db_engine
from api.core.models import UTCDateTime
from api.demo.service import DemoData, demo_inputs, generate_demo, insert_demo
from api.knowledge_sync.service import sync_knowledge
from api.offers.models import OfferKind
from api.offers.places import Region, bounding_box
from api.offers.service import DEFAULT_RADIUS_KM, Q_PROFESSION_MIN_SCORE, OfferFilters, search_offers
from api.professions.search import profession_search

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "artifacts" / "bench" / "offers.json"
PAGE = 20
EARTH_RADIUS_KM = 6371.0088

PLACES = [
    "Osnabrück",
    "Melle",
    "Bramsche",
    "Georgsmarienhütte",
    "Quakenbrück",
    "Bad Iburg",
    "Ankum",
    "Bohmte",
]
PROFESSIONS = [
    "industriemechaniker",
    "kaufmann-im-einzelhandel",
    "pflegefachmann",
    "fachkraft-fuer-lagerlogistik",
    "koch",
    "elektroniker",
    "landwirt",
    "medizinischer-fachangestellter",
]
WORDS = ["Metall", "Pflege", "Koch", "Lager", "Büro", "Praktikum", "Landwirt", "Elektro"]
KINDS = [OfferKind.INTERNSHIP, OfferKind.PRAKTIKUMSWOCHE, OfferKind.DUAL_STUDY, OfferKind.APPRENTICESHIP]

# --- the raw statements ---------------------------------------------------------------------------

_COLUMNS = """
SELECT o.id, o.title, o.start_date, c.name AS company_name, m.name AS place_name,
       p.name AS profession_name, {distance} AS distance_km, count(*) OVER () AS total
FROM offers o
JOIN companies c ON c.id = o.company_id
JOIN municipalities m ON m.slug = o.municipality_slug
JOIN professions p ON p.slug = o.profession_slug
WHERE o.status = 'active' AND o.expires_at > :now
"""
_DISTANCE = (
    "2 * 6371.0088 * asin(sqrt("
    "sin(radians(o.lat - :lat) / 2) * sin(radians(o.lat - :lat) / 2)"
    " + :cos_lat * cos(radians(o.lat)) * sin(radians(o.lon - :lon) / 2) * sin(radians(o.lon - :lon) / 2)))"
)
_NEAR = (
    " AND o.lat BETWEEN :min_lat AND :max_lat AND o.lon BETWEEN :min_lon AND :max_lon"
    f" AND {_DISTANCE} <= :radius"
)
_BY_DATE = " ORDER BY o.start_date ASC NULLS LAST, o.id LIMIT :limit OFFSET :offset"
_BY_DISTANCE = " ORDER BY distance_km, o.start_date ASC NULLS LAST, o.id LIMIT :limit OFFSET :offset"

RAW_SQL: dict[str, str] = {
    "near_radius": _COLUMNS.format(distance=_DISTANCE) + _NEAR + _BY_DISTANCE,
    "profession": _COLUMNS.format(distance="NULL") + " AND o.profession_slug IN :slugs" + _BY_DATE,
    "q": _COLUMNS.format(distance="NULL")
    + " AND (o.title {like} :pattern OR o.description {like} :pattern OR c.name {like} :pattern"
    + " OR o.profession_slug IN :slugs)"
    + _BY_DATE,
    "kind": _COLUMNS.format(distance="NULL") + " AND o.kind = :kind" + _BY_DATE,
    "combined": _COLUMNS.format(distance=_DISTANCE)
    + " AND o.kind = :kind AND o.profession_slug IN :slugs AND o.start_date >= :start_from"
    + _NEAR
    + _BY_DISTANCE,
}


def raw_statement(query_type: str, dialect: str) -> TextClause:
    # ILIKE on PostgreSQL; SQLite's LIKE ignores case already (ASCII, like lower() there).
    sql = RAW_SQL[query_type].replace("{like}", "ILIKE" if dialect == "postgresql" else "LIKE")
    statement = text(sql).bindparams(bindparam("now", type_=UTCDateTime()))
    if ":slugs" in sql:
        statement = statement.bindparams(bindparam("slugs", expanding=True))
    return statement


# --- one query, both ways -------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchQuery:
    query_type: str
    filters: OfferFilters


def build_queries(rng: random.Random, repeat: int) -> list[BenchQuery]:
    queries: list[BenchQuery] = []
    later = date.today() + timedelta(days=90)
    for _ in range(repeat):
        place = rng.choice(PLACES)
        profession = rng.choice(PROFESSIONS)
        queries += [
            BenchQuery("near_radius", OfferFilters(near=place, radius_km=rng.choice([10.0, 25.0]))),
            BenchQuery("profession", OfferFilters(profession=profession)),
            BenchQuery("q", OfferFilters(q=rng.choice(WORDS))),
            BenchQuery("kind", OfferFilters(kind=rng.choice(KINDS))),
            BenchQuery(
                "combined",
                OfferFilters(
                    profession=profession,
                    near=place,
                    radius_km=30.0,
                    kind=OfferKind.APPRENTICESHIP,
                    start_from=later if rng.random() < 0.5 else date.today(),
                ),
            ),
        ]
    return queries


def raw_parameters(session: Session, query: BenchQuery, now: datetime) -> dict[str, Any]:
    """The inputs of the raw statement, resolved as the service resolves them (not timed)."""
    filters = query.filters
    values: dict[str, Any] = {"now": now, "limit": PAGE, "offset": 0}
    if filters.near:
        origin = Region.load(session).resolve(filters.near)
        assert origin is not None, filters.near
        radius = filters.radius_km or DEFAULT_RADIUS_KM
        min_lat, max_lat, min_lon, max_lon = bounding_box(origin.lat, origin.lon, radius)
        values |= {
            "lat": origin.lat,
            "lon": origin.lon,
            "cos_lat": math.cos(math.radians(origin.lat)),
            "radius": radius,
            "min_lat": min_lat,
            "max_lat": max_lat,
            "min_lon": min_lon,
            "max_lon": max_lon,
        }
    if filters.profession:
        values["slugs"] = [filters.profession]
    if filters.q:
        values["pattern"] = f"%{filters.q}%"
        hits = profession_search.search(session, filters.q)
        values["slugs"] = [hit.slug for hit in hits if hit.score >= Q_PROFESSION_MIN_SCORE] or ["-"]
    if filters.kind:
        values["kind"] = filters.kind.value
    if filters.start_from:
        values["start_from"] = filters.start_from
    return values


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


def elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def measure(engine: Engine, queries: Sequence[BenchQuery]) -> dict[str, Any]:
    now = datetime.now(UTC)
    timings: dict[str, dict[str, list[float]]] = {}
    mismatches: list[str] = []
    statements = {name: raw_statement(name, engine.dialect.name) for name in RAW_SQL}
    with Session(engine) as session:
        for query in list(queries[: len(RAW_SQL)]) * 2:  # warm-up: caches, the matcher, the planner
            search_offers(session, query.filters, limit=PAGE, offset=0, now=now)
            session.execute(statements[query.query_type], raw_parameters(session, query, now)).all()
        for query in queries:
            started = time.perf_counter()
            page = search_offers(session, query.filters, limit=PAGE, offset=0, now=now)
            api_ms = elapsed_ms(started)
            parameters = raw_parameters(session, query, now)
            started = time.perf_counter()
            rows = session.execute(statements[query.query_type], parameters).all()
            raw_ms = elapsed_ms(started)
            bucket = timings.setdefault(query.query_type, {"api": [], "raw": []})
            bucket["api"].append(api_ms)
            bucket["raw"].append(raw_ms)
            raw_ids = [row.id for row in rows]
            raw_total = rows[0].total if rows else 0
            if [item.id for item in page.items] != raw_ids or page.total != raw_total:
                mismatches.append(f"{query.query_type} {query.filters}")
    results: dict[str, Any] = {}
    for name, bucket in timings.items():
        api_p50, raw_p50 = statistics.median(bucket["api"]), statistics.median(bucket["raw"])
        api_p95, raw_p95 = percentile(bucket["api"], 0.95), percentile(bucket["raw"], 0.95)
        results[name] = {
            "runs": len(bucket["api"]),
            "api_p50_ms": round(api_p50, 2),
            "api_p95_ms": round(api_p95, 2),
            "raw_p50_ms": round(raw_p50, 2),
            "raw_p95_ms": round(raw_p95, 2),
            "ratio_p50": round(api_p50 / raw_p50, 2) if raw_p50 else None,
            "ratio_p95": round(api_p95 / raw_p95, 2) if raw_p95 else None,
        }
    return {"queries": results, "mismatches": mismatches}


# --- databases ------------------------------------------------------------------------------------


def postgres_server_url() -> str | None:
    url = os.environ.get("BERUFSLOTSE_TEST_POSTGRES_URL", "").strip()
    if url:
        return url
    script = ROOT / "scripts" / "services" / "postgres.sh"
    result = subprocess.run(["bash", str(script), "url"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or None


@contextmanager
def bench_database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    server = postgres_server_url()
    if server is None:
        raise RuntimeError("no PostgreSQL server: run scripts/services/postgres.sh start")
    name = f"berufslotse_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    quoted = admin.dialect.identifier_preparer.quote(name)  # DDL names cannot be bound parameters
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {quoted}"))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
        admin.dispose()


class Generated:
    """The demo generator's rows, made once and inserted into every backend."""

    def __init__(self, offers: int, companies: int) -> None:
        self.offers = offers
        self.companies = companies
        self._data: DemoData | None = None

    def __call__(self, session: Session) -> DemoData:
        if self._data is None:
            started = time.perf_counter()
            places, professions = demo_inputs(session)
            self._data = generate_demo(2024, self.companies, self.offers, places, professions, date.today())
            print(
                f"generated {self.offers:,} offers in {time.perf_counter() - started:.1f} s", file=sys.stderr
            )
        return self._data


def prepare(url: str, data: Generated) -> dict[str, float]:
    started = time.perf_counter()
    command.upgrade(alembic_config(url, configure_logging=False), "head")
    engine = create_db_engine(url)
    try:
        with Session(engine) as session, session.begin():
            sync_knowledge(session, read_knowledge())
        knowledge_s = time.perf_counter() - started
        with Session(engine) as session, session.begin():
            offers = data(session)
            started = time.perf_counter()
            insert_demo(session, offers, batch_size=5000)
        insert_s = time.perf_counter() - started
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    finally:
        engine.dispose()
    return {"migrate_and_knowledge_s": round(knowledge_s, 1), "bulk_insert_s": round(insert_s, 1)}


def bench_backend(backend: str, args: argparse.Namespace, data: Generated) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder, bench_database(backend, Path(folder)) as url:
        print(f"[{backend}] preparing {args.offers:,} offers ...", file=sys.stderr)
        setup = prepare(url, data)
        print(f"[{backend}] {setup}; measuring ...", file=sys.stderr)
        engine = create_db_engine(url)
        profession_search.clear()
        try:
            figures = measure(engine, build_queries(random.Random(7), args.repeat))
        finally:
            engine.dispose()
    return {"setup": setup, **figures}


def print_report(report: dict[str, Any]) -> None:
    print(f"\nOffer search at {report['offers']:,} offers: api (service + ORM) vs one raw SQL statement")
    columns = ("api p50", "raw p50", "ratio", "api p95", "raw p95", "ratio")
    print(f"{'backend':<11}{'query':<13}" + "".join(f"{name:>9}" for name in columns) + "   (ms)")
    for backend, figures in report["backends"].items():
        if "error" in figures:
            print(f"{backend:<11}skipped: {figures['error']}")
            continue
        for name, row in figures["queries"].items():
            print(
                f"{backend:<11}{name:<13}{row['api_p50_ms']:>9.1f}{row['raw_p50_ms']:>9.1f}{row['ratio_p50']:>8.2f}x"
                f"{row['api_p95_ms']:>9.1f}{row['raw_p95_ms']:>9.1f}{row['ratio_p95']:>8.2f}x"
            )
        if figures["mismatches"]:
            differing = figures["mismatches"]
            print(f"{backend:<11}WARNING: {len(differing)} queries differ, e.g. {differing[:3]}")
    sqlite, postgres = report["backends"].get("sqlite", {}), report["backends"].get("postgresql", {})
    if "queries" in sqlite and "queries" in postgres:
        print("\nPostgreSQL / SQLite (api p50):")
        for name, row in sqlite["queries"].items():
            other = postgres["queries"].get(name)
            if other and row["api_p50_ms"]:
                print(f"  {name:<13}{other['api_p50_ms'] / row['api_p50_ms']:>6.2f}x")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=20, help="queries per type and backend")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "offers": args.offers,
        "companies": args.companies,
        "page_size": PAGE,
        "repeat": args.repeat,
        "backends": {},
    }
    started = time.perf_counter()
    data = Generated(args.offers, args.companies)
    for backend in [name.strip() for name in args.backends.split(",") if name.strip()]:
        try:
            report["backends"][backend] = bench_backend(backend, args, data)
        except Exception as error:  # a missing server must not lose the other backend's figures
            print(f"[{backend}] failed: {error}", file=sys.stderr)
            report["backends"][backend] = {"error": str(error)}
    report["total_s"] = round(time.perf_counter() - started, 1)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(report, indent=2, default=str))
    print_report(report)
    print(f"\nfigures written to {OUT} ({report['total_s']} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
