"""Building the widget from Python (the demo server and the browser tests need the built files).

`npm ci` installs the locked build tools from the npm registry when they are missing or older
than package-lock.json; `npm run build` writes dist/ and fails above the size budget.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
DIST_DIR = WEB_DIR / "dist"
BUNDLE = DIST_DIR / "berufslotse-chat.js"
# Everything the built files are made from: a change in any of them means building again.
SOURCES = ("src", "demo", "build.mjs", "package.json", "package-lock.json")


class WidgetBuildError(RuntimeError):
    """npm is missing or the build failed (the message carries npm's output)."""


def _newest_mtime(paths: list[Path]) -> float:
    times = [
        p.stat().st_mtime for path in paths for p in ([path, *path.rglob("*")] if path.is_dir() else [path])
    ]
    return max(times, default=0.0)


def is_stale() -> bool:
    """True when dist/ is missing or older than one of its sources."""
    if not BUNDLE.exists():
        return True
    return _newest_mtime([WEB_DIR / name for name in SOURCES]) > _newest_mtime([DIST_DIR])


def _npm(*args: str) -> subprocess.CompletedProcess[str]:
    npm = shutil.which("npm")
    if npm is None:
        raise WidgetBuildError(
            "npm not found: install Node.js 18 or newer (Debian: apt-get install nodejs npm)"
        )
    result = subprocess.run([npm, *args], cwd=WEB_DIR, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise WidgetBuildError(f"npm {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def install_build_tools() -> None:
    """`npm ci` when node_modules is missing or older than the lock file."""
    installed = WEB_DIR / "node_modules" / ".package-lock.json"
    lock = WEB_DIR / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        _npm("ci", "--no-audit", "--no-fund")


def build() -> str:
    """Installs the build tools if needed and builds dist/; returns the build's size line."""
    install_build_tools()
    return _npm("run", "--silent", "build").stdout.strip()


def ensure_built() -> Path:
    """Builds only when the sources changed; returns the directory with the built files."""
    if is_stale():
        build()
    return DIST_DIR
