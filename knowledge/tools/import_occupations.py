"""One-off importer: writes a profile skeleton per recognised occupation from the shared facts.

The facts (names, duration, KldB code, regulation) are copied from ``sources/ausbildungsberufe.csv``;
all texts a pupil reads are written by hand into the generated files afterwards. Existing files
are never overwritten, so re-running only adds profiles for new rows.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import yaml

from knowledge.slugs import slugify

HERE = Path(__file__).resolve().parent.parent
PLACEHOLDER = "TODO"


def skeleton_from_row(row: dict[str, str]) -> dict:
    codes = [c for c in row["kldb2010_code"].split(";") if c]
    masc = row["name_masc"] or row["name_de"]
    return {
        "slug": slugify(masc),
        "training_type": "dual",
        "names": {
            "masc": masc,
            "fem": row["name_fem"] or masc,
            "short": PLACEHOLDER,
            "en": PLACEHOLDER,
        },
        "synonyms": [],
        "duration_months": int(row["duration_months"]),
        "kldb": {
            "code": codes[0] if len(codes) == 1 else PLACEHOLDER,
            "candidates": codes if len(codes) > 1 else [],
            "field": row["berufsbereich_code"] or PLACEHOLDER,
        },
        "certificate": {"typical": PLACEHOLDER, "required": "none"},
        "subjects": [],
        "riasec": PLACEHOLDER,
        "pay": {"legal_minimum": True},
        "related": [],
        "regulation": {
            "year": int(row["regulation_year"]),
            "title": row["regulation_title"],
            "source": row["source_law_file"],
        },
        "text": {lang: {"description": PLACEHOLDER, "tasks": [], "workplaces": []} for lang in ("de", "en")},
    }


def main() -> int:
    target = HERE / "professions"
    with open(HERE / "sources" / "ausbildungsberufe.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    written = 0
    for row in rows:
        profile = skeleton_from_row(row)
        path = target / f"{profile['slug']}.yaml"
        if path.exists():
            continue
        path.write_text(yaml.safe_dump(profile, allow_unicode=True, sort_keys=False, width=100))
        written += 1
    print(f"{written} new skeletons, {len(rows)} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
