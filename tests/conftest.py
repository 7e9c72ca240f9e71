"""Suite-wide fixtures and the LIBCOOP_REQUIRE_ALL rule.

On a laptop, tests that need something missing (PostgreSQL, Chromium, yaz) skip with a
reason. CI sets ``LIBCOOP_REQUIRE_ALL=1``: then every skip is reported as a failure, so a
missing service can never turn a red build green.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

REQUIRE_ALL = os.environ.get("LIBCOOP_REQUIRE_ALL") == "1"


# Fixtures that reach the database: a test that uses none of them (directly or through its
# own fixtures) and has no django_db mark gives the same result on every database.
# server_database: the API contract test's live server gets a database of its own.
DB_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_setup",
        "live_server",
        "postgres_connection",
        "server_database",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The second pass (on PostgreSQL) runs the tests that touch a database; the others ran in
    the first pass already and would prove nothing new (they are deselected, not skipped)."""
    url = os.environ.get("LIBCOOP_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    keep, drop = [], []
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        uses_db = item.get_closest_marker("django_db") is not None or bool(DB_FIXTURES & names)
        (keep if uses_db else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"LIBCOOP_REQUIRE_ALL=1 turns this skip into a failure: {reason}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """PBKDF2's deliberate slowness is for production logins, not for hundreds of test users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_in_the_request(settings: Any) -> None:
    """Tests see a task's effect at once; tests of the worker use the database queue."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def english() -> Iterator[None]:
    """Run the test body in English: services' messages are checked in English, while Thai
    is the site's default language. Requests through the test client still choose their own."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def demo_registry(db: None) -> None:
    """The demo network (the seed's libraries, networks and schools) loaded from its file."""
    from libcoop.network.loader import load_provinces, load_registry

    load_provinces()
    load_registry()
