"""Rows of the ability table (``network.abilities``) for green-library assessment.

Who may do what:

* a library's own staff (library admin, librarian) open, edit and submit its self-assessment,
  editing only while it is a draft, and record its environmental figures;
* an assessor of the standard's issuing network (or of a network above it) scores and publishes
  an assessment, when the library is a member of that network in the assessed year and is not
  the assessor's own library;
* coordinators and assessors of the issuing network see submitted assessments and the network
  dashboard; nobody outside the library sees a draft;
* the library (and the network's coordinators) see scores only once the result is published.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from libcoop.network.abilities import (
    assessor_of,
    coordinator_of,
    profile_of,
    staff_of,
)
from libcoop.network.models import Institution, Membership, Network

if TYPE_CHECKING:
    from libcoop.greenlib.models import Assessment


def member_in_year(institution: Institution, network: Network, year: int) -> bool:
    """Did *institution* belong to *network* at some time in *year* (CE)?"""
    return (
        Membership.objects.filter(institution=institution, network=network)
        .filter(Q(start__isnull=True) | Q(start__year__lte=year))
        .filter(Q(end__isnull=True) | Q(end__year__gte=year))
        .exists()
    )


def _is_draft(assessment: Assessment) -> bool:
    from libcoop.greenlib.models import AssessmentStatus

    return bool(assessment.status == AssessmentStatus.DRAFT)


def _is_published(assessment: Assessment) -> bool:
    from libcoop.greenlib.models import AssessmentStatus

    return bool(assessment.status == AssessmentStatus.PUBLISHED)


def _own_staff(user: Any, assessment: Assessment) -> bool:
    return staff_of(user, assessment.institution_id)


def _network_officer(user: Any, assessment: Assessment) -> bool:
    """A coordinator or assessor of the issuing network, over a member library."""
    issuer = assessment.standard.issuer
    if issuer is None:
        return False
    if not (coordinator_of(user, issuer) or assessor_of(user, issuer)):
        return False
    return member_in_year(assessment.institution, issuer, assessment.year)


def _assessor(user: Any, assessment: Assessment) -> bool:
    """An assessor of the issuing network over a member library that is not their own."""
    issuer = assessment.standard.issuer
    if issuer is None or not assessor_of(user, issuer):
        return False
    profile = profile_of(user)
    if profile is None or profile.institution_id == assessment.institution_id:
        return False  # nobody assesses their own library
    return member_in_year(assessment.institution, issuer, assessment.year)


def _view_assessment(user: Any, obj: Assessment) -> bool:
    if _own_staff(user, obj):
        return True
    return not _is_draft(obj) and _network_officer(user, obj)


def _edit_assessment(user: Any, obj: Assessment) -> bool:
    return _own_staff(user, obj) and _is_draft(obj)


def _view_scores(user: Any, obj: Assessment) -> bool:
    if _is_draft(obj):
        return False
    if _assessor(user, obj):
        return True
    return _is_published(obj) and (_own_staff(user, obj) or _network_officer(user, obj))


def _open_assessment(user: Any, obj: Institution) -> bool:
    return staff_of(user, obj.pk)


def _load_standard(user: Any, obj: Network | None) -> bool:
    return obj is not None and coordinator_of(user, obj)


def _view_dashboard(user: Any, obj: Network) -> bool:
    return coordinator_of(user, obj) or assessor_of(user, obj)


def _view_env(user: Any, obj: Institution) -> bool:
    if staff_of(user, obj.pk):
        return True
    profile = profile_of(user)
    if profile is None or profile.network_id is None:
        return False
    networks = Network.objects.filter(memberships__institution=obj).select_related("parent")
    return any(coordinator_of(user, n) or assessor_of(user, n) for n in networks)


def _record_env(user: Any, obj: Institution) -> bool:
    return staff_of(user, obj.pk)


ABILITIES: dict[str, Callable[[Any, Any], bool]] = {
    # obj: Network (the issuer named in the file). Its coordinators load standard files.
    "greenlib.load_standard": _load_standard,
    # obj: Institution. Its staff open a self-assessment for a year.
    "greenlib.open_assessment": _open_assessment,
    # obj: Assessment. Its library's staff, and once submitted the issuing network's officers.
    "greenlib.view_assessment": _view_assessment,
    # obj: Assessment. Its library's staff change narratives and evidence while it is a draft.
    "greenlib.edit_assessment": _edit_assessment,
    # obj: Assessment. Its library's staff hand it in (the workflow table allows it from draft).
    "greenlib.submit": _own_staff,
    # obj: Assessment. An assessor of the issuing network, not from the library itself.
    "greenlib.score": _assessor,
    # obj: Assessment. The assessor publishes the result (and reopens it to correct a score).
    "greenlib.publish": _assessor,
    # obj: Assessment. Scores: the assessor while reviewing; the library once published.
    "greenlib.view_scores": _view_scores,
    # obj: Network. Its coordinators and assessors see the network dashboard.
    "greenlib.view_dashboard": _view_dashboard,
    # obj: Institution. Its staff, and officers of networks it belongs to, see its figures.
    "greenlib.view_env": _view_env,
    # obj: Institution. Its staff record its monthly environmental figures.
    "greenlib.record_env": _record_env,
}
