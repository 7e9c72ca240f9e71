"""Permissions of the digital collection as matrices, with the expected answers written out as
tables from the rule in repository/access.py's docstring and repository/abilities.py's — not
computed by calling them.

1. Reading: role × access level × path (item page, file URL, thumbnail, API detail). A
   published item of library A with one PDF and a thumbnail; "embargo-after" is the same
   embargoed item seen with the clock moved past its date.
2. Writing: role × write action × own/other library, through the services, the pages and the
   API; a refused write leaves the database as it was.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from libcoop.core.tokens import issue_token
from libcoop.network.abilities import SYSTEM
from libcoop.network.models import StaffRole
from libcoop.repository import access, services, storage, workflow
from libcoop.repository.models import Item, ItemFile, ItemStatus
from tests.factories import UserFactory, staff
from tests.repository.deposit_world import (
    METADATA,
    World,
    deposit,
    make_world,
    pdf_bytes,
    published,
)

# ---------------------------------------------------------------------------- 1. reading

LEVELS = ["open", "network", "institution", "embargo-before", "embargo-after"]
PATHS = ["page", "file", "thumbnail", "api"]

# May this role open library A's files at this level? (A and B are in one network; C is
# outside it; the coordinator coordinates that network and works at C.) The embargo ends in
# "open". Y: every path serves the file (page links it, file URL 200, thumbnail 200, API gives
# its url); N: none does (no link, 403, 403, url null) — the metadata is shown either way.
#                    open  network  institution  embargo-before  embargo-after
READ = {
    "anonymous":      "Y     N        N            N               Y",
    "patron_own":     "Y     Y        Y            N               Y",
    "patron_other":   "Y     Y        N            N               Y",
    "patron_outside": "Y     N        N            N               Y",
    "librarian_own":  "Y     Y        Y            Y               Y",
    "librarian_other": "Y    Y        N            N               Y",
    "admin_own":      "Y     Y        Y            Y               Y",
    "admin_other":    "Y     Y        N            N               Y",
    "coordinator":    "Y     Y        N            N               Y",
    "superuser":      "Y     Y        Y            Y               Y",
}  # fmt: skip


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    return out.getvalue()


def _item_at(world: World, level: str) -> Item:
    if level.startswith("embargo"):
        until = datetime.date.today() + datetime.timedelta(days=10)
        item = published(world.own, access="embargo", embargo_until=until)
    else:
        item = published(world.own, access=level)
    thumb = storage.store_upload(_png(), name="t.png").sha256
    ItemFile.objects.filter(item=item).update(thumbnail_sha256=thumb)  # as processing does
    return item


def _client(user: Any) -> Client:
    client = Client()
    if getattr(user, "is_authenticated", False):
        client.force_login(user)
    return client


@pytest.fixture
def moved_clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    def move(days: int) -> None:
        later = datetime.date.today() + datetime.timedelta(days=days)
        monkeypatch.setattr(access, "today", lambda: later)

    return move


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", list(READ))
def test_read_matrix(db: None, role: str, level: str, moved_clock: Any) -> None:
    world = make_world()
    item = _item_at(world, level)
    if level == "embargo-after":
        moved_clock(11)
    expected = READ[role].split()[LEVELS.index(level)] == "Y"
    user = world.user(role)
    client = _client(user)
    f = item.files.get()
    file_url = f"/repository/{item.pk}/files/{f.pk}/"
    thumb_url = f"{file_url}thumbnail/"
    got: dict[str, bool] = {}

    page = client.get(f"/repository/{item.pk}/")
    assert page.status_code == 200  # published metadata is public
    got["page"] = file_url in page.content.decode()

    response = client.get(file_url)
    assert response.status_code in (200, 403)
    got["file"] = response.status_code == 200
    if got["file"]:
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]

    response = client.get(thumb_url)
    assert response.status_code in (200, 403)
    got["thumbnail"] = response.status_code == 200
    if got["thumbnail"]:
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"

    headers = {}
    if getattr(user, "is_authenticated", False):
        token = issue_token(user, "matrix", acting_user=user, scope="read")
        headers = {"Authorization": f"Bearer {token}"}
    detail = Client().get(f"/api/repository/items/{item.pk}", headers=headers)
    assert detail.status_code == 200
    api_file = detail.json()["files"][0]
    assert (api_file["url"] is not None) == (api_file["thumbnail"] is not None)
    assert detail.json()["files_open"] == (api_file["url"] is not None)
    got["api"] = api_file["url"] is not None

    assert got == dict.fromkeys(PATHS, expected), (role, level)


# Items not yet published: every path is closed to all but the library's own staff and the
# superuser; their metadata is a 404 for everyone else (its existence is not revealed).
UNPUBLISHED_SEEN_BY = {"librarian_own", "admin_own", "superuser"}


@pytest.mark.parametrize("role", list(READ))
def test_a_draft_is_seen_only_by_its_librarys_staff(db: None, role: str) -> None:
    world = make_world()
    item = deposit(world.own, files=1)
    f = item.files.get()
    client = _client(world.user(role))
    statuses = {
        client.get(f"/repository/{item.pk}/").status_code,
        client.get(f"/repository/{item.pk}/files/{f.pk}/").status_code,
    }
    user = world.user(role)
    headers = {}
    if getattr(user, "is_authenticated", False):
        token = issue_token(user, "matrix", acting_user=user, scope="read")
        headers = {"Authorization": f"Bearer {token}"}
    statuses.add(Client().get(f"/api/repository/items/{item.pk}", headers=headers).status_code)
    assert statuses == ({200} if role in UNPUBLISHED_SEEN_BY else {404})


@pytest.mark.parametrize("role", ["anonymous", "librarian_own", "coordinator"])
def test_a_withdrawn_items_files_are_gone_for_the_public(db: None, role: str) -> None:
    world = make_world()
    item = published(world.own)
    workflow.perform(item, "withdraw", acting_user=SYSTEM, reason="ซ้ำ")
    f = item.files.get()
    response = _client(world.user(role)).get(f"/repository/{item.pk}/files/{f.pk}/")
    # the library's own staff keep their files (access.py); nobody else
    assert response.status_code == (200 if role == "librarian_own" else 403)
    detail = Client().get(f"/api/repository/items/{item.pk}").json()
    assert detail["status"] == "withdrawn" and detail["withdrawn_reason"] == "ซ้ำ"
    assert detail["files"] == []


# ---------------------------------------------------------------------------- 2. writing

ROLES = ["anonymous", "patron", "librarian", "library_admin", "coordinator", "superuser"]
ACTIONS = [
    "deposit",
    "edit",
    "access",
    "add_file",
    "submit",
    "approve",
    "publish",
    "withdraw",
]
TARGETS = ["own", "other"]
INTERFACES = ["service", "page", "api"]
# The state each action starts from.
START = {
    "edit": ItemStatus.DRAFT,
    "access": ItemStatus.DRAFT,
    "add_file": ItemStatus.DRAFT,
    "submit": ItemStatus.DRAFT,
    "approve": ItemStatus.SUBMITTED,
    "publish": ItemStatus.APPROVED,
    "withdraw": ItemStatus.PUBLISHED,
}

# (role, action, target) → allowed; everything not listed is refused. The actor works at
# library A (own); B (other) is a library outside the coordinator's network.
ALLOWED = (
    {("librarian", a, "own") for a in ("deposit", "edit", "access", "add_file", "submit")}
    | {("library_admin", a, "own") for a in ACTIONS}
    | {("coordinator", "withdraw", "own")}
    | {("superuser", a, t) for a in ACTIONS for t in TARGETS}
)


class Scene:
    def __init__(self, role: str) -> None:
        world = make_world()
        self.own, self.other = world.own, world.outside
        people = {
            "anonymous": AnonymousUser(),
            "patron": staff(StaffRole.PATRON, world.own),
            "librarian": staff(StaffRole.LIBRARIAN, world.own),
            "library_admin": staff(StaffRole.LIBRARY_ADMIN, world.own),
            "coordinator": world.user("coordinator"),
        }
        if role == "superuser":
            people["superuser"] = UserFactory(is_superuser=True, is_staff=True)
            people["superuser"].save()
        self.actor = people[role]

    def library(self, target: str) -> Any:
        return self.own if target == "own" else self.other


def _prepare(scene: Scene, action: str, target: str) -> Item | None:
    if action == "deposit":
        return None
    item = deposit(scene.library(target), files=1)
    steps = {
        ItemStatus.DRAFT: [],
        ItemStatus.SUBMITTED: ["submit"],
        ItemStatus.APPROVED: ["submit", "approve"],
        ItemStatus.PUBLISHED: ["submit", "approve", "publish"],
    }[START[action]]
    for step in steps:
        workflow.perform(item, step, acting_user=SYSTEM)
    item.refresh_from_db()
    return item


def _state(scene: Scene, target: str, item: Item | None) -> Any:
    """What the action would change: the target library's items, or the item's fields."""
    if item is None:
        return Item.objects.filter(institution=scene.library(target)).count()
    item.refresh_from_db()
    return (item.title, item.version, item.access, item.status, item.files.count())


def _embargo() -> str:
    return (datetime.date.today() + datetime.timedelta(days=30)).isoformat()


def _via_service(scene: Scene, action: str, target: str, item: Item | None) -> None:
    user = scene.actor
    if action == "deposit":
        services.create_item(scene.library(target), METADATA, acting_user=user)
    elif action == "edit":
        assert item is not None
        services.update_metadata(item, {"title": "แก้แล้ว"}, acting_user=user)
    elif action == "access":
        assert item is not None
        services.change_access(item, access="embargo", embargo_until=_embargo(), acting_user=user)
    elif action == "add_file":
        assert item is not None
        services.add_file(item, services.Upload("more.pdf", pdf_bytes("m")), acting_user=user)
    else:
        assert item is not None
        workflow.perform(item, action, acting_user=user, reason="ละเมิดลิขสิทธิ์")


def _via_page(scene: Scene, action: str, target: str, item: Item | None) -> None:
    client = _client(scene.actor)
    if action == "deposit":
        client.post(
            f"/repository/deposit/?library={scene.library(target).code}",
            {
                "title": "ฝากผ่านหน้าเว็บ",
                "item_type": "thesis",
                "year": "2562",
                "language": "tha",
                "licence": "CC-BY-4.0",
                "access": "open",
                "library": scene.library(target).code,
            },
        )
        return
    assert item is not None
    base = f"/repository/{item.pk}"
    if action == "edit":
        client.post(
            f"{base}/edit/",
            {
                "title": "แก้แล้ว",
                "item_type": "thesis",
                "year": "2562",
                "language": "tha",
                "licence": "CC-BY-4.0",
            },
        )
    elif action == "access":
        client.post(f"{base}/access/", {"access": "embargo", "embargo_until": _embargo()})
    elif action == "add_file":
        client.post(
            f"{base}/files/",
            {"file": SimpleUploadedFile("more.pdf", pdf_bytes("m"), "application/pdf")},
        )
    else:
        client.post(f"{base}/do/{action}/", {"reason": "ละเมิดลิขสิทธิ์"})


def _via_api(scene: Scene, action: str, target: str, item: Item | None) -> None:
    user = scene.actor
    headers = {}
    if getattr(user, "is_authenticated", False):
        headers = {"Authorization": f"Bearer {issue_token(user, 'm', acting_user=user)}"}
    client = Client()
    json = "application/json"
    if action == "deposit":
        body = {"library": scene.library(target).code, "title": "ผ่าน API"}
        body.update({"type": "thesis", "year": "2562"})
        client.post("/api/repository/items", body, content_type=json, headers=headers)
        return
    assert item is not None
    base = f"/api/repository/items/{item.pk}"
    if action == "edit":
        client.patch(base, {"title": "แก้แล้ว"}, content_type=json, headers=headers)
    elif action == "access":
        body = {"access": "embargo", "embargo_until": _embargo()}
        client.put(f"{base}/access", body, content_type=json, headers=headers)
    elif action == "add_file":
        pdf = SimpleUploadedFile("more.pdf", pdf_bytes("m"), "application/pdf")
        client.post(f"{base}/files", {"file": pdf}, headers=headers)
    else:
        body = {"reason": "ละเมิดลิขสิทธิ์"}
        client.post(f"{base}/actions/{action}", body, content_type=json, headers=headers)


VIA = {"service": _via_service, "page": _via_page, "api": _via_api}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_write_matrix(db: None, role: str, action: str, target: str) -> None:
    scene = Scene(role)
    allowed = (role, action, target) in ALLOWED
    for interface in INTERFACES:
        item = _prepare(scene, action, target)
        before = _state(scene, target, item)
        try:
            VIA[interface](scene, action, target, item)
        except PermissionDenied:
            assert interface == "service"
        except ValidationError as exc:  # pragma: no cover - shows why in the failure
            raise AssertionError(f"{interface}: {exc}") from exc
        changed = _state(scene, target, item) != before
        assert changed == allowed, (role, action, target, interface)
