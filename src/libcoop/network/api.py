"""Registry endpoints. Reads are public; writes need a token and go through services."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from libcoop.core.api import Error, token_auth
from libcoop.core.dates import PartialDate
from libcoop.network import services
from libcoop.network.models import (
    Institution,
    InstitutionKind,
    Membership,
    MembershipRole,
    Network,
    Province,
    Seat,
    SeatRole,
    WorkingGroup,
)
from libcoop.network.queries import get_institution, get_network, networks_with_counts

router = Router(tags=["registry"])


class InstitutionOut(Schema):
    code: str
    kind: str
    name_th: str
    name_en: str
    short_name: str
    province: str | None = Field(None, alias="province_id")
    district_th: str
    district_en: str
    website: str
    opac_url_template: str


class NetworkOut(Schema):
    code: str
    kind: str
    name_th: str
    name_en: str
    acronym: str
    parent: str | None
    host: str | None
    purposes: list[str]
    website: str

    @staticmethod
    def resolve_parent(obj: Network) -> str | None:
        return obj.parent.code if obj.parent else None

    @staticmethod
    def resolve_host(obj: Network) -> str | None:
        return obj.host.code if obj.host else None

    @staticmethod
    def resolve_purposes(obj: Network) -> list[str]:
        return obj.purpose_codes()


class MembershipOut(Schema):
    id: int
    institution: str
    network: str
    role: str
    start: date | None
    start_precision: str
    end: date | None
    end_precision: str

    @staticmethod
    def resolve_institution(obj: Membership) -> str:
        return obj.institution.code

    @staticmethod
    def resolve_network(obj: Membership) -> str:
        return obj.network.code


class SeatOut(Schema):
    id: int
    working_group: str
    institution: str
    role: str
    person_th: str
    person_en: str
    start: date | None
    end: date | None

    @staticmethod
    def resolve_working_group(obj: Seat) -> str:
        return obj.working_group.code

    @staticmethod
    def resolve_institution(obj: Seat) -> str:
        return obj.institution.code


class WorkingGroupOut(Schema):
    code: str
    kind: str
    name_th: str
    name_en: str
    seats: list[SeatOut]

    @staticmethod
    def resolve_seats(obj: WorkingGroup) -> list[Seat]:
        return list(obj.seats.all())


class NetworkDetailOut(NetworkOut):
    memberships: list[MembershipOut]
    working_groups: list[WorkingGroupOut]

    @staticmethod
    def resolve_memberships(obj: Network) -> list[Membership]:
        return list(obj.memberships.all())

    @staticmethod
    def resolve_working_groups(obj: Network) -> list[WorkingGroup]:
        return list(obj.working_groups.all())


class InstitutionDetailOut(InstitutionOut):
    memberships: list[MembershipOut]
    seats: list[SeatOut]

    @staticmethod
    def resolve_memberships(obj: Institution) -> list[Membership]:
        return list(obj.memberships.all())

    @staticmethod
    def resolve_seats(obj: Institution) -> list[Seat]:
        return list(obj.seats.all())


class InstitutionPatch(Schema):
    name_th: str | None = None
    name_en: str | None = None
    short_name: str | None = None
    province: str | None = Field(None, description="ISO 3166-2:TH code, e.g. TH-57")
    district_th: str | None = None
    district_en: str | None = None
    website: str | None = None
    opac_url_template: str | None = Field(
        None, description="e.g. https://opac.example.ac.th/record={local_id}; {isbn}, {barcode}"
    )


class NetworkPatch(Schema):
    name_th: str | None = None
    name_en: str | None = None
    acronym: str | None = None
    website: str | None = None
    description_th: str | None = None
    description_en: str | None = None


class MembershipIn(Schema):
    institution: str
    role: MembershipRole = MembershipRole.MEMBER
    start: str | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD (Common Era)")


class EndIn(Schema):
    end: str = Field(..., description="YYYY, YYYY-MM or YYYY-MM-DD (Common Era)")


class SeatIn(Schema):
    institution: str
    role: SeatRole = SeatRole.MEMBER
    start: str | None = None
    person_th: str = ""
    person_en: str = ""


@router.get("/institutions", response=list[InstitutionOut])
def list_institutions(request: HttpRequest, kind: InstitutionKind | None = None) -> object:
    qs = Institution.objects.order_by("code")
    return qs.filter(kind=kind) if kind else qs


@router.get("/institutions/{code}", response={200: InstitutionDetailOut, 404: Error})
def institution_detail(request: HttpRequest, code: str) -> object:
    return get_institution(code)


@router.patch(
    "/institutions/{code}",
    auth=token_auth,
    response={200: InstitutionOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def patch_institution(request: HttpRequest, code: str, payload: InstitutionPatch) -> object:
    institution = get_object_or_404(Institution, code=code)
    changes = payload.dict(exclude_unset=True)
    if "province" in changes:
        code_ = changes.pop("province")
        changes["province"] = get_object_or_404(Province, code=code_) if code_ else None
    services.update_institution(institution, acting_user=request.user, **changes)
    institution.refresh_from_db()
    return institution


@router.get("/networks", response=list[NetworkOut])
def list_networks(request: HttpRequest) -> object:
    return networks_with_counts()


@router.get("/networks/{code}", response={200: NetworkDetailOut, 404: Error})
def network_detail(request: HttpRequest, code: str) -> object:
    return get_network(code)


@router.patch(
    "/networks/{code}",
    auth=token_auth,
    response={200: NetworkOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def patch_network(request: HttpRequest, code: str, payload: NetworkPatch) -> object:
    network = get_object_or_404(Network, code=code)
    services.update_network(network, acting_user=request.user, **payload.dict(exclude_unset=True))
    network.refresh_from_db()
    return network


def _date(value: str | None, name: str) -> PartialDate | None:
    try:
        return PartialDate.parse(value)
    except ValidationError as exc:
        raise ValidationError(f"{name}: {exc.messages[0]}") from exc


@router.post(
    "/networks/{code}/memberships",
    auth=token_auth,
    response={201: MembershipOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def add_membership(request: HttpRequest, code: str, payload: MembershipIn) -> object:
    network = get_object_or_404(Network, code=code)
    institution = get_object_or_404(Institution, code=payload.institution)
    membership = services.add_membership(
        network,
        institution,
        role=payload.role,
        start=_date(payload.start, "start"),
        acting_user=request.user,
    )
    return Status(201, membership)


@router.post(
    "/memberships/{pk}/end",
    auth=token_auth,
    response={200: MembershipOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def end_membership(request: HttpRequest, pk: int, payload: EndIn) -> object:
    membership = get_object_or_404(
        Membership.objects.select_related("network", "institution"), pk=pk
    )
    end = _date(payload.end, "end")
    if end is None:
        raise ValidationError(_("%(name)s: required") % {"name": "end"})
    return services.end_membership(membership, end, acting_user=request.user)


@router.post(
    "/working-groups/{code}/seats",
    auth=token_auth,
    response={201: SeatOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def add_seat(request: HttpRequest, code: str, payload: SeatIn) -> object:
    group = get_object_or_404(WorkingGroup.objects.select_related("network"), code=code)
    institution = get_object_or_404(Institution, code=payload.institution)
    seat = services.add_seat(
        group,
        institution,
        role=payload.role,
        start=_date(payload.start, "start"),
        person_th=payload.person_th,
        person_en=payload.person_en,
        acting_user=request.user,
    )
    return Status(201, seat)
