"""Site pages that belong to no domain: home. (``/health`` is ``ops.views.health``.)"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from libcoop.network.models import Institution, InstitutionKind, Membership, Network


def home(request: HttpRequest) -> HttpResponse:
    stats = Institution.objects.aggregate(
        libraries=Count("pk", filter=Q(kind=InstitutionKind.UNIVERSITY_LIBRARY)),
        schools=Count("pk", filter=Q(kind=InstitutionKind.SCHOOL)),
        total=Count("pk"),
    )
    return render(
        request,
        "core/home.html",
        {
            "stats": stats,
            "network_count": Network.objects.count(),
            "membership_count": Membership.objects.filter(end__isnull=True).count(),
            "networks": Network.objects.filter(parent__isnull=True).order_by("kind", "code")[:12],
        },
    )
