#!/usr/bin/env python3
"""LibCoop's one entry point for developers: ``python3 tools/dev.py run|test|lint|bench``.

Needs only a Python on the machine. It finds an interpreter new enough for Django 6
(Python 3.12+; the ``python3`` that starts this script may be older), makes ``.venv``,
installs LibCoop with its development tools, and then runs, tests, lints or benchmarks.
"""

from __future__ import annotations

import glob
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".libcoop-installed"
MIN_VERSION = (3, 12)


def say(message: str) -> None:
    print(f"[libcoop] {message}", flush=True)


def version_of(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys, venv; print('%d %d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    major, minor = out.stdout.split()
    return int(major), int(minor)


def find_python() -> str:
    """The newest Python >= 3.12 on this machine (PATH first, then pyenv's installs)."""
    candidates = [os.environ.get("LIBCOOP_PYTHON", ""), sys.executable]
    candidates += ["python3.14", "python3.13", "python3.12", "python3", "python"]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.*/bin/python3"), reverse=True)
    candidates += sorted(glob.glob("/usr/local/bin/python3.1[2-9]"), reverse=True)
    best: tuple[tuple[int, int], str] | None = None
    for candidate in candidates:
        if not candidate:
            continue
        version = version_of(candidate)
        if version and version >= MIN_VERSION and (best is None or version > best[0]):
            best = (version, candidate)
    if best is None:
        sys.exit(
            "LibCoop needs Python 3.12 or newer (Django 6 does). Install one, or point "
            "LIBCOOP_PYTHON at it, then run this command again."
        )
    return best[1]


def ensure_venv() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    python = BIN / "python"
    if python.exists() and (version_of(str(python)) or (0, 0)) < MIN_VERSION:
        say("existing .venv is too old; making a new one")
        import shutil

        shutil.rmtree(VENV)
    if not python.exists():
        interpreter = find_python()
        say(f"creating .venv with {interpreter}")
        subprocess.run([interpreter, "-m", "venv", str(VENV)], check=True)
    if not STAMP.exists() or STAMP.read_text() != wanted:
        say("installing LibCoop and its development tools into .venv (first run takes a minute)")
        pip = [str(python), "-m", "pip", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "install", "-e", f"{ROOT}[dev]"], check=True)
        STAMP.write_text(wanted)


def venv_run(*args: str, env: dict[str, str] | None = None) -> int:
    return subprocess.run(list(args), cwd=ROOT, env=env).returncode


def tool(name: str) -> str:
    return str(BIN / name)


def lint() -> int:
    steps = [
        [tool("ruff"), "check", "src", "tests", "tools", "bench"],
        [tool("ruff"), "format", "--check", "src", "tests", "tools", "bench"],
        [tool("mypy"), "src/libcoop"],
        [tool("libcoop"), "makemigrations", "--check", "--dry-run"],
    ]
    for step in steps:
        say(" ".join(Path(step[0]).name if i == 0 else a for i, a in enumerate(step)))
        if venv_run(*step) != 0:
            return 1
    return 0


def test(extra: list[str]) -> int:
    if lint() != 0:
        return 1
    env = dict(os.environ)
    env.pop("LIBCOOP_DATABASE_URL", None)
    env["LIBCOOP_CONN_MAX_AGE"] = "0"  # live-server threads must not keep the test DB open
    say("pytest on SQLite (the embedded default), with coverage")
    status = venv_run(
        tool("pytest"), "--cov=libcoop", "--cov-report=term:skip-covered", *extra, env=env
    )
    pg_url = os.environ.get("LIBCOOP_TEST_DATABASE_URL")
    if pg_url:
        say("pytest again on PostgreSQL (LIBCOOP_TEST_DATABASE_URL)")
        env["LIBCOOP_DATABASE_URL"] = pg_url
        status = max(status, venv_run(tool("pytest"), *extra, env=env))
    else:
        say("PostgreSQL pass skipped: LIBCOOP_TEST_DATABASE_URL is not set")
    return status


def run() -> int:
    """The demo on the embedded database: the web server and one background worker (imports,
    harvests, reminders), both stopped together by Ctrl+C."""
    if venv_run(tool("libcoop"), "demo") != 0:
        return 1
    say("starting a background worker (libcoop worker) beside the server")
    worker = subprocess.Popen([tool("libcoop"), "worker"], cwd=ROOT)
    try:
        return venv_run(tool("libcoop"), "serve", *sys.argv[2:])
    except KeyboardInterrupt:
        return 0
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        say("worker stopped")


def bench() -> int:
    return venv_run(tool("python"), "bench/run.py", *sys.argv[2:])


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command not in {"run", "test", "lint", "bench", "setup"}:
        sys.exit("usage: python3 tools/dev.py run|test|lint|bench|setup")
    ensure_venv()
    os.chdir(ROOT)
    os.environ.setdefault("LIBCOOP_HOME", str(ROOT))
    if command == "run":
        sys.exit(run())
    if command == "test":
        sys.exit(test(sys.argv[2:]))
    if command == "lint":
        sys.exit(lint())
    if command == "bench":
        sys.exit(bench())


if __name__ == "__main__":
    main()
