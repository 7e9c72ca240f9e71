"""Demo data of the registry (loaded first by ``libcoop demo``): the provinces, the demo
network of ``data/demo_network.yaml`` and the demo staff accounts, one per role, so every
permission can be tried by hand."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from libcoop.network.abilities import SYSTEM
from libcoop.network.loader import load_provinces, load_registry
from libcoop.network.models import Institution, Network, StaffRole
from libcoop.network.services import set_staff_role

DEMO_PASSWORD = "libcoop-demo"  # noqa: S105 - printed on purpose; demo databases only

# username, institution code, role, network code (for network roles)
DEMO_ACCOUNTS: list[tuple[str, str, StaffRole | None, str | None]] = [
    ("admin", "MFU-LIB", None, None),
    ("mfu.admin", "MFU-LIB", StaffRole.LIBRARY_ADMIN, None),
    ("mfu.librarian", "MFU-LIB", StaffRole.LIBRARIAN, None),
    ("cmu.admin", "CMU-LIB", StaffRole.LIBRARY_ADMIN, None),
    ("gln.coordinator", "MFU-LIB", StaffRole.NETWORK_COORDINATOR, "GLN"),
    ("pulinet.coordinator", "CMU-LIB", StaffRole.NETWORK_COORDINATOR, "PULINET"),
    ("gln.assessor", "CMU-LIB", StaffRole.ASSESSOR, "GLN"),
    ("mfu.patron", "MFU-LIB", StaffRole.PATRON, None),
    ("thanthip.teacher", "THANTHIP-SCH", StaffRole.SCHOOL_CONTACT, None),
]


@transaction.atomic
def ensure_demo_accounts() -> list[tuple[str, str]]:
    """Create the demo accounts that are missing; return (username, description) pairs."""
    user_model = get_user_model()
    out: list[tuple[str, str]] = []
    for username, inst_code, role, network_code in DEMO_ACCOUNTS:
        institution = Institution.objects.get(code=inst_code)
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(username=username, is_staff=role is None, is_superuser=role is None)
            user.set_password(DEMO_PASSWORD)
            user.save()
        if role is None:
            out.append((username, "superuser (Django admin)"))
            continue
        network = Network.objects.get(code=network_code) if network_code else None
        set_staff_role(user, institution, role, network=network, acting_user=SYSTEM)
        scope = network.code if network else institution.code
        out.append((username, f"{role.label} — {scope}"))
    return out


def load_demo() -> str:
    """Load the provinces, the demo registry and the demo accounts; return a summary."""
    provinces = load_provinces()
    registry = load_registry()
    ensure_demo_accounts()
    return f"Provinces: {provinces.summary()}\nRegistry: {registry.summary()}"


def logins() -> str:
    """The demo logins, for the end of ``libcoop demo``'s output."""
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for username, inst_code, role, network_code in DEMO_ACCOUNTS:
        if role is None:
            description = "superuser (Django admin)"
        else:
            description = f"{role.label} — {network_code or inst_code}"
        lines.append(f"  {username:22} {description}")
    return "\n".join(lines)
