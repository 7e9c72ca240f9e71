"""factory_boy factories for registry models."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from libcoop.network.models import (
    Institution,
    InstitutionKind,
    Membership,
    MembershipRole,
    Network,
    NetworkKind,
    StaffProfile,
    StaffRole,
    WorkingGroup,
    WorkingGroupKind,
)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    code = factory.Sequence(lambda n: f"LIB-{n:03d}")
    kind = InstitutionKind.UNIVERSITY_LIBRARY
    name_th = factory.Sequence(lambda n: f"ห้องสมุดมหาวิทยาลัยทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test University Library {n}")


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    code = factory.Sequence(lambda n: f"NET-{n:03d}")
    kind = NetworkKind.NETWORK
    name_th = factory.Sequence(lambda n: f"เครือข่ายทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test Network {n}")


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup

    network = factory.SubFactory(NetworkFactory)
    code = factory.Sequence(lambda n: f"WG-{n:03d}")
    kind = WorkingGroupKind.WORKING_GROUP
    name_th = factory.Sequence(lambda n: f"คณะทำงานทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test Working Group {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    institution = factory.SubFactory(InstitutionFactory)
    network = factory.SubFactory(NetworkFactory)
    role = MembershipRole.MEMBER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")


def staff(
    role: StaffRole, institution: Institution, network: Network | None = None, **kwargs: object
) -> object:
    user = UserFactory(**kwargs)
    user.save()
    StaffProfile.objects.create(user=user, institution=institution, role=role, network=network)
    return user
