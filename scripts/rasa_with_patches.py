"""`rasa` with the project's engine patches (bot/rasa_patches.py) applied first.

A served Rasa gets them from the tracker store module its endpoints name; `rasa test core` loads no
tracker store of ours. `make test` runs the test stories through this wrapper, so the stories are
predicted by the same patched engine that answers pupils (the patches must not change a single
prediction). Usage: .venv-rasa/bin/python -m scripts.rasa_with_patches test core --model ... ;
exits with 1 when the patches could not be applied.
"""

from __future__ import annotations

import sys


def main() -> int:
    from bot import rasa_patches

    if not rasa_patches.apply():
        print("rasa_with_patches: the engine patches could not be applied", file=sys.stderr)
        return 1
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
