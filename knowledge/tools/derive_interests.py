"""Write each profile's interest scores and code from the O*NET mapping.

    python -m knowledge.tools.derive_interests           # rewrite the profiles that differ
    python -m knowledge.tools.derive_interests --check   # only report them; exit 1 if any

Reads every `knowledge/interests/onet_mapping*.yaml` and `knowledge/sources/onet_riasec_interests.csv`,
derives the six scores of each mapped occupation (`knowledge.interests`, the method is documented
there and in knowledge/README.md) and edits the profile as text: the `riasec:` line gets the
derived code, and a one-line `interests: {R: .., I: .., A: .., S: .., E: .., C: ..}` stands right
after it (inserted, or replacing an earlier `interests` entry). Every other byte stays as it was.
Profiles without a mapping entry are left alone and listed.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from knowledge import loader
from knowledge.interests import ONET_FILE, derive_interests, format_interests, load_reference, riasec_code
from knowledge.validate import display_path

_RIASEC_LINE = re.compile(r"^riasec:[^\n]*\n?", re.MULTILINE)
# A top-level `interests` entry: its line and any indented continuation lines (block style).
_INTERESTS_ENTRY = re.compile(r"^interests:[^\n]*\n?(?:[ \t]+[^\n]*\n?)*", re.MULTILINE)


class ProfileEditError(Exception):
    """The profile's text cannot be edited safely (no or several `riasec:` lines)."""


def rewrite_profile(text: str, scores: Sequence[int]) -> str:
    """`text` with the derived `riasec:` line and the `interests:` line right after it."""
    newline = "\r\n" if "\r\n" in text else "\n"
    without = _INTERESTS_ENTRY.sub("", text)
    matches = list(_RIASEC_LINE.finditer(without))
    if len(matches) != 1:
        raise ProfileEditError(f"expected one top-level 'riasec:' line, found {len(matches)}")
    match = matches[0]
    lines = f"riasec: {riasec_code(scores)}{newline}{format_interests(scores)}{newline}"
    if not match.group().endswith("\n"):  # the last line of a file without a final newline
        lines = lines[: -len(newline)]
    return without[: match.start()] + lines + without[match.end() :]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge.tools.derive_interests", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--check", action="store_true", help="only report profiles that differ; exit 1 if any"
    )
    parser.add_argument("--dir", type=Path, default=None, help="knowledge directory (default: this package)")
    args = parser.parse_args(argv)
    root: Path = args.dir or loader.KNOWLEDGE_DIR

    mapping, onet, problems = load_reference(
        root / "interests", root / "sources" / ONET_FILE, loader.read_yaml
    )
    if problems:
        for problem in problems:
            print(f"{display_path(problem.file)}: {problem.message}", file=sys.stderr)
        return 2

    changed: list[str] = []
    unmapped: list[str] = []
    for path in sorted((root / "professions").glob("*.yaml")):
        entry = mapping.get(path.stem)
        if entry is None:
            unmapped.append(path.stem)
            continue
        scores = derive_interests(entry, onet)
        text = path.read_bytes().decode("utf-8")
        try:
            new_text = rewrite_profile(text, scores)
        except ProfileEditError as error:
            print(f"{display_path(path)}: {error}", file=sys.stderr)
            return 2
        if new_text == text:
            continue
        data = yaml.safe_load(new_text)
        assert data["riasec"] == riasec_code(scores) and tuple(data["interests"].values()) == scores
        changed.append(f"{display_path(path)}: riasec {riasec_code(scores)}, {format_interests(scores)}")
        if not args.check:
            path.write_bytes(new_text.encode("utf-8"))

    for line in changed:
        print(("differs: " if args.check else "wrote: ") + line)
    if unmapped:
        print(f"not in the mapping ({len(unmapped)}): {', '.join(unmapped)}")
    verb = "differ" if args.check else "rewritten"
    print(f"{len(mapping)} mapped, {len(changed)} {verb}, {len(unmapped)} not mapped", file=sys.stderr)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
