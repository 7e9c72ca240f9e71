"""Deployment settings: `libcoop check --deploy` is clean under the README's settings, and
every page carries the Content-Security-Policy."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]

DEPLOYMENT = {
    "LIBCOOP_HTTPS": "1",
    "LIBCOOP_DEBUG": "0",
    "LIBCOOP_ALLOWED_HOSTS": "libcoop.example.ac.th",
    "LIBCOOP_SITE_URL": "https://libcoop.example.ac.th",
    "LIBCOOP_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def _check(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LIBCOOP_") or k in ("LIBCOOP_DATABASE_URL",)
    }
    env.update(
        DEPLOYMENT,
        LIBCOOP_SECRET_KEY=secrets.token_urlsafe(50),
        LIBCOOP_HOME=str(tmp_path),
        DJANGO_SETTINGS_MODULE="libcoop.settings",
        PYTHONPATH=str(ROOT / "src"),
        **extra,
    )
    return subprocess.run(
        [sys.executable, "-m", "libcoop.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_the_documented_settings(tmp_path: Path) -> None:
    done = _check(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_fails_without_https(tmp_path: Path) -> None:
    """The check is real: the same settings without LIBCOOP_HTTPS are refused."""
    done = _check(tmp_path, LIBCOOP_HTTPS="0")
    assert done.returncode != 0
    assert "SESSION_COOKIE_SECURE" in done.stderr + done.stdout


@pytest.mark.django_db
def test_pages_carry_a_strict_script_policy() -> None:
    response = Client().get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    html = response.content.decode()
    assert "onchange=" not in html and "<script>" not in html


def test_no_template_has_an_inline_script_or_handler() -> None:
    import re

    handler = re.compile(r"""<[^>]*\son[a-z]+\s*=|<script(?![^>]*\ssrc=)[^>]*>(?!\s*</script>)""")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "src" / "libcoop").rglob("templates/**/*.html")
        if handler.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
