"""The periodic jobs LibCoop knows, in one registry: what each does and how often by default.

Apps add their own rows (interlibrary-loan rota time-outs and embargo ends will) by naming a
module in ``JOB_MODULES`` whose ``JOBS`` maps a key to a :class:`PeriodicJob`, the way apps add
abilities. A job is called with no arguments, acts as the trusted operator (``SYSTEM``) and
returns a one-line summary.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PeriodicJob:
    run: Callable[[], str]
    every_minutes: int
    title: str | Promise


def _remind() -> str:
    from libcoop.events.reminders import send_reminders
    from libcoop.network.abilities import SYSTEM

    run = send_reminders(acting_user=SYSTEM)
    return f"{len(run.sent)} reminder(s) sent"


def _sweep_attachments() -> str:
    from libcoop.core.attachments import sweep_orphans

    return f"{len(sweep_orphans(datetime.timedelta(hours=24)))} orphaned file(s) removed"


def _sweep_uploads() -> str:
    from libcoop.catalog.uploads import sweep_uploads

    return f"{len(sweep_uploads().removed)} uploaded MARC file(s) removed"


def _repository_fixity() -> str:
    from libcoop.repository.fixity import periodic

    return periodic()


def _harvest_due() -> str:
    from libcoop.interop.harvest.service import due_sources, harvest
    from libcoop.network.abilities import SYSTEM

    done = []
    for source in due_sources():
        run = harvest(source, acting_user=SYSTEM)
        done.append(f"{source.library.code}: {run.status}")
    return "; ".join(done) or "no source due"


JOBS: Final[dict[str, PeriodicJob]] = {
    # Each source's own schedule (daily, weekly, manual) is data on the source; this job
    # harvests the sources that are due by it.
    "interop.harvest": PeriodicJob(_harvest_due, 15, _("OAI-PMH harvests that are due")),
    "events.remind": PeriodicJob(_remind, 60, _("Event reminders by e-mail")),
    "core.sweep_attachments": PeriodicJob(
        _sweep_attachments, 24 * 60, _("Remove files of rolled-back uploads")
    ),
    "catalog.sweep_uploads": PeriodicJob(
        _sweep_uploads, 24 * 60, _("Remove uploaded MARC files past their retention")
    ),
    "repository.fixity": PeriodicJob(
        _repository_fixity, 7 * 24 * 60, _("Check that the collection's stored files are intact")
    ),
}

# Apps whose ``periodic.py`` adds rows (``JOBS: dict[str, PeriodicJob]``).
JOB_MODULES: Final[tuple[str, ...]] = ("libcoop.ill.periodic", "libcoop.repository.periodic")


def all_jobs() -> dict[str, PeriodicJob]:
    table = dict(JOBS)
    for name in JOB_MODULES:
        rows: dict[str, PeriodicJob] = import_module(name).JOBS
        twice = table.keys() & rows.keys()
        if twice:
            raise RuntimeError(f"periodic jobs defined twice: {sorted(twice)}")
        table.update(rows)
    return table
