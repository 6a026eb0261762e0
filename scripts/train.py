"""Train the Rasa model only when its inputs changed.

The model's name carries a content hash of everything that shapes it: the Rasa config, domain
and training data, the custom NLU components and the knowledge base they read. An existing model
with the same hash is reused, so a second `make run` does not train again.

Usage: python -m scripts.train [--force]   (prints the model path on stdout)
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"

# Everything below these paths (files with these suffixes) is an input of training.
TRAINING_INPUTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bot/config.yml", ()),
    ("bot/domain", (".yml", ".yaml")),
    ("bot/data", (".yml", ".yaml")),
    ("nlu", (".py", ".txt", ".yml", ".yaml", ".json")),
    ("knowledge", (".py", ".yml", ".yaml", ".csv")),
)


def training_input_files() -> list[Path]:
    files: list[Path] = []
    for relative, suffixes in TRAINING_INPUTS:
        path = ROOT / relative
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix in suffixes and "__pycache__" not in p.parts
            )
    return sorted(set(files))


def training_hash() -> str:
    digest = hashlib.sha256()
    for path in training_input_files():
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path_for(content_hash: str) -> Path:
    return MODELS / f"berufslotse-{content_hash}.tar.gz"


def train(force: bool = False) -> Path:
    content_hash = training_hash()
    target = model_path_for(content_hash)
    if target.exists() and not force:
        print(f"[train] model is up to date: {target.name}", file=sys.stderr)
        return target
    print(f"[train] training {target.name} (inputs changed)", file=sys.stderr)
    MODELS.mkdir(exist_ok=True)
    command = [
        str(RASA),
        "train",
        "--config",
        "bot/config.yml",
        "--domain",
        "bot/domain",
        "--data",
        "bot/data",
        "--out",
        str(MODELS),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
        *(["--force"] if force else []),  # from scratch: no component reused from Rasa's cache
    ]
    # Rasa prints its progress on stdout; ours carries only the model path, for `MODEL=$(...)`.
    subprocess.run(command, cwd=ROOT, check=True, stdout=sys.stderr)
    for old in MODELS.glob("berufslotse-*.tar.gz"):
        if old != target:
            old.unlink()
    return target


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--force", action="store_true", help="train even when a model with the same inputs exists"
    )
    args = parser.parse_args()
    print(train(force=args.force))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
