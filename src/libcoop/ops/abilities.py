"""Rows of the ability table for operations.

* see the operations page (schedules with last run, next run and last error; live workers;
  the queue; harvest sources): Django staff users and network coordinators (the network runs
  on it) — it shows no library's data;
* run a periodic job now: superusers only (through the ``SYSTEM``-like power of the job).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from libcoop.network.abilities import profile_of
from libcoop.network.models import StaffRole


def _view(user: Any, obj: Any) -> bool:
    if getattr(user, "is_staff", False):
        return True
    profile = profile_of(user)
    return profile is not None and profile.role == StaffRole.NETWORK_COORDINATOR


def _nobody(user: Any, obj: Any) -> bool:
    return False


ABILITIES: dict[str, Callable[[Any, Any], bool]] = {
    # obj: None. The operations page.
    "ops.view": _view,
    # obj: Schedule. Queue a periodic job at once.
    "ops.run_now": _nobody,
}
