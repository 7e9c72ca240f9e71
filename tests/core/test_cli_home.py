"""`libcoop` outside a LibCoop home (#16): a clear error, never a new empty database under
./var/ (it then failed with "no such table")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from libcoop.cli import home_problem

LIBCOOP = Path(sys.executable).with_name("libcoop")


def test_what_counts_as_a_home(tmp_path: Path) -> None:
    assert "is not a LibCoop home" in (home_problem(tmp_path, {}) or "")
    assert home_problem(tmp_path, {"LIBCOOP_HOME": str(tmp_path / "new")}) is None
    (tmp_path / "var").mkdir()
    assert home_problem(tmp_path, {}) is None
    checkout = tmp_path / "checkout"
    (checkout / "src" / "libcoop").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("[project]\nname = 'libcoop'\n")
    assert home_problem(checkout, {}) is None


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LIBCOOP_HOME", "LIBCOOP_DATABASE_URL")}
    return {**env, **extra}


def test_outside_a_home_the_console_script_stops_with_a_clear_message(tmp_path: Path) -> None:
    for args in (["migrate"], ["catalog", "search", "x"], ["help"]):
        done = subprocess.run(
            [str(LIBCOOP), *args], cwd=tmp_path, env=_env(), capture_output=True, text=True
        )
        assert done.returncode == 2, done.stderr
        assert "is not a LibCoop home" in done.stderr and "LIBCOOP_HOME" in done.stderr
        assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # no var/, no database


def test_a_named_home_is_used(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = subprocess.run(
        [str(LIBCOOP), "check"],
        cwd=tmp_path,
        env=_env(LIBCOOP_HOME=str(home)),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (home / "var").is_dir() and not (tmp_path / "var").exists()
