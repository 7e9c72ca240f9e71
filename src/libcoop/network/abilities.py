"""Named permission checks — the one place that says who may do what in the registry.

Every write service calls :func:`require` with an ability name; views may call :func:`can` to
hide a button. An unknown ability name is a programming error and raises ``KeyError`` (as
Weblate's ``has_perm`` does), so a typo can never silently allow or deny.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

from libcoop.network.models import Institution, Network, StaffProfile, StaffRole


class SystemActor:
    """The acting user of trusted code paths: data loaders and operator commands."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemActor()

Actor = AbstractBaseUser | AnonymousUser | SystemActor


def profile_of(user: Actor) -> StaffProfile | None:
    if isinstance(user, SystemActor) or not user.is_authenticated:
        return None
    try:
        return user.staff_profile  # type: ignore[attr-defined]
    except StaffProfile.DoesNotExist:
        return None


def _is_superuser(user: Actor) -> bool:
    return isinstance(user, SystemActor) or bool(getattr(user, "is_superuser", False))


def _admin_of(user: Actor, institution: Institution) -> bool:
    profile = profile_of(user)
    return (
        profile is not None
        and profile.role == StaffRole.LIBRARY_ADMIN
        and profile.institution_id == institution.pk
    )


def _coordinator_of(user: Actor, network: Network) -> bool:
    """A coordinator of a network also coordinates the networks under it."""
    profile = profile_of(user)
    if profile is None or profile.role != StaffRole.NETWORK_COORDINATOR:
        return False
    return profile.network_id == network.pk or any(
        a.pk == profile.network_id for a in network.ancestors()
    )


def staff_of(user: Actor, institution_id: int | None) -> bool:
    """A library admin or librarian acting for their own institution (for the apps' tables)."""
    return _staff_of(user, institution_id)


def coordinator_of(user: Actor, network: Network) -> bool:
    """A coordinator of *network* or of a network above it (for the apps' tables)."""
    return _coordinator_of(user, network)


def assessor_of(user: Actor, network: Network) -> bool:
    """An assessor of *network* or of a network above it."""
    profile = profile_of(user)
    if profile is None or profile.role != StaffRole.ASSESSOR:
        return False
    return profile.network_id == network.pk or any(
        a.pk == profile.network_id for a in network.ancestors()
    )


def school_contact_of(user: Actor, institution_id: int | None) -> bool:
    """The contact person of a partner school, acting for that school."""
    profile = profile_of(user)
    return (
        profile is not None
        and profile.role == StaffRole.SCHOOL_CONTACT
        and profile.institution_id == institution_id
    )


def _staff_of(user: Actor, institution_id: int | None) -> bool:
    """A library admin or librarian acting for their own institution."""
    profile = profile_of(user)
    return (
        profile is not None
        and profile.role in (StaffRole.LIBRARY_ADMIN, StaffRole.LIBRARIAN)
        and profile.institution_id == institution_id
    )


def _edit_institution(user: Actor, obj: Any) -> bool:
    return _admin_of(user, obj)


def _manage_patrons(user: Actor, obj: Any) -> bool:
    return _staff_of(user, obj.pk)


def _manage_network(user: Actor, obj: Any) -> bool:
    return _coordinator_of(user, obj)


def _nobody(user: Actor, obj: Any) -> bool:
    """Only superusers and trusted operator code (SYSTEM) may."""
    return False


ABILITIES: Final[dict[str, Callable[[Actor, Any], bool]]] = {
    # obj: None. Load a whole registry file (creates institutions and networks).
    "registry.load": _nobody,
    # obj: Institution. A library admin edits their own institution's record.
    "institution.edit": _edit_institution,
    # obj: Institution. Its librarians and admin create its patrons' accounts.
    "institution.manage_patrons": _manage_patrons,
    # obj: Network. A coordinator edits their network's description and details.
    "network.edit": _manage_network,
    # obj: Network. A coordinator adds, changes and ends memberships of their network.
    "network.manage_members": _manage_network,
    # obj: Network. A coordinator creates working groups and manages their seats.
    "network.manage_working_groups": _manage_network,
    # obj: None. Lift a login lock-out (too many failed logins): operators only.
    "accounts.unlock": _nobody,
}


# Apps whose own ``abilities.py`` adds rows to the table (``ABILITIES: dict[str, check]``).
# The table is still one table: it is assembled once, and a name defined twice is an error.
APP_ABILITY_MODULES: Final = (
    "libcoop.catalog.abilities",
    "libcoop.knowledge.abilities",
    "libcoop.events.abilities",
    "libcoop.outreach.abilities",
    "libcoop.greenlib.abilities",
    "libcoop.ops.abilities",
    "libcoop.ill.abilities",
    "libcoop.repository.abilities",
)
_TABLE: dict[str, Callable[[Actor, Any], bool]] | None = None


def ability_table() -> dict[str, Callable[[Actor, Any], bool]]:
    """Every named ability of LibCoop: the registry's own and the apps' rows."""
    global _TABLE
    if _TABLE is None:
        from importlib import import_module

        table = dict(ABILITIES)
        for module_name in APP_ABILITY_MODULES:
            rows: dict[str, Callable[[Actor, Any], bool]] = import_module(module_name).ABILITIES
            twice = table.keys() & rows.keys()
            if twice:
                raise RuntimeError(f"abilities defined twice: {sorted(twice)}")
            table.update(rows)
        _TABLE = table
    return _TABLE


def can(user: Actor, ability: str, obj: Any) -> bool:
    check = ability_table()[ability]  # KeyError for an unknown ability, on purpose
    return _is_superuser(user) or check(user, obj)


def require(user: Actor, ability: str, obj: Any) -> None:
    if not can(user, ability, obj):
        raise PermissionDenied(f"Not allowed: {ability} on {obj}")
