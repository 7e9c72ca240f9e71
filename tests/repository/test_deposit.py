"""Deposit and edit of collection items through the services and the pages: metadata cleaned
once (B.E. or C.E. years, lists, codes or names), versions and audit entries, files stored
content-addressed, access with embargoes, the item page in Thai (B.E.) and English, the
tombstone, the library's list and the review queue."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from libcoop.audit.models import AuditEvent, AuditVerb
from libcoop.network.abilities import SYSTEM
from libcoop.repository import services, storage, workflow
from libcoop.repository.metadata import clean_metadata, parse_year
from libcoop.repository.models import Item, ItemStatus, ItemVersion
from tests.repository.deposit_world import METADATA, World, deposit, pdf_bytes, published, world

__all__ = ["world"]


def _client(user: Any) -> Client:
    client = Client()
    if getattr(user, "is_authenticated", False):
        client.force_login(user)
    return client


# ---------------------------------------------------------------------------- years


@pytest.mark.parametrize(
    ("given", "ce"),
    [
        ("2562", 2019),
        ("2019", 2019),
        (2562, 2019),
        ("พ.ศ. 2562", 2019),
        ("2562 BE", 2019),
        ("ค.ศ. 2019", 2019),
        ("2019 CE", 2019),
        ("๒๕๖๒", 2019),
        ("2443", 1900),  # an old local document: B.E. 2443
    ],
)
def test_years_in_either_era(given: object, ce: int) -> None:
    assert parse_year(given) == ce


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("2300", "ambiguous"),  # 2300 C.E. or 2300 B.E. (1757 C.E.)?
        ("พ.ศ. 2019", "marked B.E. but looks like a C.E. year"),
        ("ค.ศ. 2562", "in the future"),
        ("2150", "in the future"),
        ("62", "Not a year"),
        ("soon", "Not a year"),
        ("", "Not a year"),
    ],
)
def test_unclear_years_are_refused_with_a_reason(english: None, given: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        parse_year(given)


def test_metadata_is_cleaned_once_for_every_path(english: None) -> None:
    cleaned = clean_metadata(
        {
            **METADATA,
            "type": "วิทยานิพนธ์",
            "degree": "ปริญญาโท",
            "language": "th",
            "issued": "2562-05-01",
        }
    )
    assert cleaned["item_type"] == "thesis"
    assert cleaned["degree_level"] == "master"
    assert cleaned["language"] == "tha"
    assert cleaned["year"] == 2019
    assert cleaned["issued"] == datetime.date(2019, 5, 1)
    assert cleaned["creators"] == ["สมชาย ใจดี", "Jane Doe"]
    assert cleaned["contributors"] == [{"name": "รศ.ดร. สมหญิง รักษ์โลก", "role": "advisor"}]
    assert cleaned["keywords_en"] == ["waste", "green library"]


def test_every_problem_is_reported_at_once(english: None) -> None:
    with pytest.raises(ValidationError) as caught:
        clean_metadata({"title": "", "type": "novel", "year": "2300", "colour": "red"})
    assert set(caught.value.error_dict) == {"title", "item_type", "year", "colour"}


# ---------------------------------------------------------------------------- services


def test_deposit_through_the_service(world: World) -> None:
    item = deposit(world.own, files=2, acting_user=world.user("librarian_own"))
    assert item.status == ItemStatus.DRAFT
    assert item.year == 2019 and item.version == 1
    assert [f.original_name for f in item.files.all()] == ["thesis-0.pdf", "thesis-1.pdf"]
    for f in item.files.all():
        assert f.kind == "pdf" and storage.exists(f.sha256)
    assert ItemVersion.objects.filter(item=item, number=1).exists()
    event = AuditEvent.objects.get(verb=AuditVerb.REPO_ITEM_DEPOSITED)
    assert event.object_id == str(item.pk) and len(event.data["files"]) == 2
    assert event.actor == world.user("librarian_own")


def test_same_bytes_are_stored_once(world: World) -> None:
    a = deposit(world.own, files=1)
    b = deposit(world.other, files=1)
    assert a.files.get().sha256 == b.files.get().sha256


def test_deposit_refuses_bad_files_and_writes_nothing(world: World, english: None) -> None:
    bad = services.Upload("page.html", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError, match="not accepted"):
        services.create_item(world.own, METADATA, [bad], acting_user=SYSTEM)
    assert not Item.objects.exists()
    assert not AuditEvent.objects.filter(verb=AuditVerb.REPO_ITEM_DEPOSITED).exists()


def test_a_librarian_deposits_only_for_their_own_library(world: World) -> None:
    with pytest.raises(PermissionDenied):
        deposit(world.other, acting_user=world.user("librarian_own"))
    assert not Item.objects.exists()


def test_edit_makes_a_version_and_an_audit_entry(world: World) -> None:
    item = deposit(world.own)
    librarian = world.user("librarian_own")
    services.update_metadata(
        item, {"title": "ชื่อใหม่", "year": "2563"}, acting_user=librarian, note="typo"
    )
    item.refresh_from_db()
    assert item.title == "ชื่อใหม่" and item.year == 2020 and item.version == 2
    v2 = ItemVersion.objects.get(item=item, number=2)
    assert v2.metadata["title"] == "ชื่อใหม่" and v2.note == "typo" and v2.created_by == librarian
    event = AuditEvent.objects.get(verb=AuditVerb.REPO_ITEM_CHANGED)
    assert event.data["changes"]["year"] == [2019, 2020]
    # no change: no version, no entry
    services.update_metadata(item, {"title": "ชื่อใหม่"}, acting_user=librarian)
    item.refresh_from_db()
    assert item.version == 2
    assert AuditEvent.objects.filter(verb=AuditVerb.REPO_ITEM_CHANGED).count() == 1
    history = services.versions(item)
    assert [v.number for v, _changed in history] == [2, 1]
    assert set(history[0][1]) == {"title", "year"}


def test_other_library_may_not_edit(world: World) -> None:
    item = deposit(world.own)
    for role in ("librarian_other", "admin_other", "coordinator", "patron_own"):
        with pytest.raises(PermissionDenied):
            services.update_metadata(item, {"title": "x"}, acting_user=world.user(role))
    item.refresh_from_db()
    assert item.version == 1


def test_files_added_and_removed_are_audited(world: World) -> None:
    item = deposit(world.own)
    librarian = world.user("librarian_own")
    f = services.add_file(
        item, services.Upload("scan.pdf", pdf_bytes("x"), "Full text"), acting_user=librarian
    )
    assert f.label == "Full text" and f.position == 0
    g = services.add_file(item, services.Upload("b.pdf", pdf_bytes("y")), acting_user=librarian)
    assert g.position == 1
    services.remove_file(f, acting_user=librarian)
    assert list(item.files.values_list("pk", flat=True)) == [g.pk]
    verbs = list(
        AuditEvent.objects.filter(object_id=str(item.pk))
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs[-3:] == [
        AuditVerb.REPO_FILE_ADDED,
        AuditVerb.REPO_FILE_ADDED,
        AuditVerb.REPO_FILE_REMOVED,
    ]


def test_embargo_needs_a_future_date_and_a_level_after(world: World, english: None) -> None:
    item = deposit(world.own)
    librarian = world.user("librarian_own")
    today = datetime.date.today()
    with pytest.raises(ValidationError, match="the date it ends"):
        services.change_access(item, access="embargo", acting_user=librarian)
    with pytest.raises(ValidationError, match="after today"):
        services.change_access(item, access="embargo", embargo_until=today, acting_user=librarian)
    with pytest.raises(ValidationError, match="After an embargo"):
        services.change_access(
            item,
            access="embargo",
            embargo_until=today + datetime.timedelta(days=30),
            access_after_embargo="embargo",
            acting_user=librarian,
        )
    with pytest.raises(ValidationError, match="only for an embargo"):
        services.change_access(
            item, access="open", embargo_until="2030-01-01", acting_user=librarian
        )
    until = today + datetime.timedelta(days=365)
    services.change_access(
        item,
        access="embargo",
        embargo_until=until,
        access_after_embargo="network",
        acting_user=librarian,
    )
    item.refresh_from_db()
    assert (item.access, item.embargo_until, item.access_after_embargo) == (
        "embargo",
        until,
        "network",
    )
    event = AuditEvent.objects.get(verb=AuditVerb.REPO_ITEM_ACCESS_CHANGED)
    assert event.data["changes"]["access"] == ["open", "embargo"]


def test_a_withdrawn_item_cannot_be_changed(world: World, english: None) -> None:
    item = published(world.own)
    services.withdraw(item, "Duplicate of another deposit", acting_user=SYSTEM)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.update_metadata(item, {"title": "x"}, acting_user=SYSTEM)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.change_access(item, access="institution", acting_user=SYSTEM)


def test_after_commit_the_files_are_processed_and_the_item_indexed(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from libcoop.repository import search, tasks

    processed: list[int] = []
    indexed: list[int] = []

    class FakeTask:
        def enqueue(self, file_id: int) -> None:
            processed.append(file_id)

    monkeypatch.setattr(tasks, "process_file", FakeTask())
    monkeypatch.setattr(search, "index_item", indexed.append)
    with django_capture_on_commit_callbacks(execute=True):
        item = deposit(world.own, files=2)
    assert sorted(processed) == sorted(item.files.values_list("pk", flat=True))
    assert indexed == [item.pk]


# ---------------------------------------------------------------------------- pages


def _form(**extra: Any) -> dict[str, Any]:
    data = {
        "title": "การจัดการขยะในห้องสมุด",
        "title_alternative": "Waste in libraries",
        "item_type": "thesis",
        "creators": "สมชาย ใจดี\nJane Doe",
        "advisors": "สมหญิง รักษ์โลก",
        "year": "2562",
        "language": "tha",
        "abstract_th": "บทคัดย่อ",
        "keywords_th": "ขยะ; ห้องสมุด",
        "degree_level": "master",
        "licence": "CC-BY-4.0",
        "access": "open",
        "access_after_embargo": "open",
    }
    data.update(extra)
    return data


def test_deposit_through_the_page_with_files(world: World) -> None:
    client = _client(world.user("librarian_own"))
    assert client.get("/repository/deposit/").status_code == 200
    files = [
        SimpleUploadedFile("บทที่1.pdf", pdf_bytes("one"), "application/pdf"),
        SimpleUploadedFile("บทที่2.pdf", pdf_bytes("two"), "application/pdf"),
    ]
    response = client.post("/repository/deposit/", {**_form(), "documents": files})
    assert response.status_code == 302, response.content.decode()[:2000]
    item = Item.objects.get()
    assert response["Location"] == f"/repository/{item.pk}/"
    assert item.institution == world.own and item.year == 2019
    assert item.creators == ["สมชาย ใจดี", "Jane Doe"]
    assert item.contributors == [{"name": "สมหญิง รักษ์โลก", "role": "advisor"}]
    assert item.files.count() == 2


def test_deposit_page_shows_the_services_errors_on_the_fields(world: World) -> None:
    client = _client(world.user("librarian_own"))
    client.cookies["libcoop_language"] = "en"
    response = client.post(
        "/repository/deposit/", {**_form(year="2300", access="embargo"), "documents": []}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "year" in form.errors and "embargo_until" in form.errors
    assert not Item.objects.exists()


@pytest.mark.parametrize("role", ["anonymous", "patron_own", "coordinator"])
def test_only_library_staff_open_the_deposit_page(world: World, role: str) -> None:
    response = _client(world.user(role)).get("/repository/deposit/")
    assert response.status_code in (302, 403)
    if role != "anonymous":
        assert response.status_code == 403


def test_item_page_in_thai_shows_the_buddhist_era(world: World) -> None:
    item = published(world.own)
    client = Client()
    client.cookies["libcoop_language"] = "th"
    page = client.get(f"/repository/{item.pk}/").content.decode()
    assert "2562" in page and item.title in page
    assert f"/repository/{item.pk}/files/" in page  # open: a download link
    client.cookies["libcoop_language"] = "en"
    page = client.get(f"/repository/{item.pk}/").content.decode()
    assert ">2019<" in page


def test_restricted_files_are_listed_without_links(world: World) -> None:
    item = published(world.own, access="institution")
    page = Client().get(f"/repository/{item.pk}/").content.decode()
    assert "thesis-0.pdf" in page
    assert f"/repository/{item.pk}/files/" not in page


def test_withdrawn_item_shows_its_tombstone(world: World) -> None:
    item = published(world.own)
    services.withdraw(item, "ละเมิดลิขสิทธิ์", acting_user=world.user("admin_own"))
    response = Client().get(f"/repository/{item.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="tombstone"' in page and "ละเมิดลิขสิทธิ์" in page
    assert 'id="files"' not in page and "thesis-0.pdf" not in page


def test_edit_page_saves_a_new_version(world: World) -> None:
    item = deposit(world.own)
    client = _client(world.user("librarian_own"))
    assert client.get(f"/repository/{item.pk}/edit/").status_code == 200
    response = client.post(
        f"/repository/{item.pk}/edit/", {**_form(title="แก้ชื่อ"), "note": "แก้คำผิด"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "แก้ชื่อ" and item.version == 2
    page = client.get(f"/repository/{item.pk}/").content.decode()
    assert 'id="versions"' in page and "แก้คำผิด" in page


def test_the_review_walk_through_the_pages(world: World) -> None:
    item = deposit(world.own, files=1)
    librarian, admin = _client(world.user("librarian_own")), _client(world.user("admin_own"))
    assert librarian.post(f"/repository/{item.pk}/do/submit/").status_code == 302
    queue = admin.get("/repository/review/").content.decode()
    assert item.title in queue
    assert world.user("librarian_other") is not None
    other_admin = _client(world.user("admin_other")).get("/repository/review/").content.decode()
    assert item.title not in other_admin
    admin.post(f"/repository/{item.pk}/do/approve/")
    admin.post(f"/repository/{item.pk}/do/publish/")
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    admin.post(f"/repository/{item.pk}/do/withdraw/", {"reason": "ซ้ำ"})
    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN and item.withdrawn_reason == "ซ้ำ"


def test_library_list_shows_own_items_in_every_state(world: World) -> None:
    draft = deposit(world.own)
    other = deposit(world.other)
    page = _client(world.user("librarian_own")).get("/repository/library/").content.decode()
    assert f"/repository/{draft.pk}/" in page and f"/repository/{other.pk}/" not in page


def test_drafts_are_hidden_from_other_libraries(world: World) -> None:
    draft = deposit(world.own)
    for role in ("anonymous", "librarian_other", "coordinator", "patron_own"):
        assert _client(world.user(role)).get(f"/repository/{draft.pk}/").status_code == 404


def test_collection_page_lists_published_items(world: World) -> None:
    shown = published(world.own)
    hidden = deposit(world.own)
    page = Client().get("/repository/").content.decode()
    assert f"/repository/{shown.pk}/" in page and f"/repository/{hidden.pk}/" not in page


def test_workflow_button_refused_for_another_library(world: World) -> None:
    item = deposit(world.own)
    response = _client(world.user("admin_other")).post(f"/repository/{item.pk}/do/submit/")
    assert response.status_code == 404  # a draft of another library is not even seen
    workflow.perform(item, "submit", acting_user=SYSTEM)
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED


# ---------------------------------------------------------------------------- API


def _token(user: Any, scope: str = "write") -> dict[str, str]:
    from libcoop.core.tokens import issue_token

    return {"Authorization": f"Bearer {issue_token(user, 'test', acting_user=user, scope=scope)}"}


def test_deposit_through_the_api(world: World) -> None:
    librarian = world.user("librarian_own")
    client = Client()
    body = {
        "title": "รายงานการวิจัยเรื่องห้องสมุดสีเขียว",
        "type": "research_report",
        "creators": ["สมชาย ใจดี"],
        "advisors": ["สมหญิง รักษ์โลก"],
        "year": "2565",
        "keywords_th": ["ห้องสมุดสีเขียว"],
        "access": "embargo",
        "embargo_until": (datetime.date.today() + datetime.timedelta(days=90)).isoformat(),
        "access_after_embargo": "network",
    }
    response = client.post(
        "/api/repository/items", body, content_type="application/json", headers=_token(librarian)
    )
    assert response.status_code == 201, response.content
    data = response.json()
    item = Item.objects.get(pk=data["id"])
    assert item.institution == world.own and item.year == 2022 and item.status == "draft"
    assert data["contributors"] == [{"name": "สมหญิง รักษ์โลก", "role": "advisor"}]
    assert data["access"] == "embargo" and data["access_after_embargo"] == "network"
    # a file, then the walk
    pdf = SimpleUploadedFile("report.pdf", pdf_bytes("r"), "application/pdf")
    response = client.post(
        f"/api/repository/items/{item.pk}/files",
        {"file": pdf, "label": "ฉบับเต็ม"},
        headers=_token(librarian),
    )
    assert response.status_code == 201, response.content
    assert response.json()["url"] == f"/repository/{item.pk}/files/{response.json()['id']}/"
    admin = world.user("admin_own")
    for action, who in (("submit", librarian), ("approve", admin), ("publish", admin)):
        response = client.post(
            f"/api/repository/items/{item.pk}/actions/{action}",
            {},
            content_type="application/json",
            headers=_token(who),
        )
        assert response.status_code == 200, (action, response.content)
    assert response.json()["status"] == "published"
    # anonymous: the metadata, the file listed without its address (embargoed)
    anonymous = Client().get(f"/api/repository/items/{item.pk}").json()
    assert anonymous["files_open"] is False and anonymous["files"][0]["url"] is None
    assert anonymous["files"][0]["thumbnail"] is None


def test_api_change_makes_a_version(world: World) -> None:
    item = deposit(world.own)
    response = Client().patch(
        f"/api/repository/items/{item.pk}",
        {"title": "ชื่อใหม่", "note": "แก้"},
        content_type="application/json",
        headers=_token(world.user("librarian_own")),
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2 and response.json()["title"] == "ชื่อใหม่"
    item.refresh_from_db()
    assert item.year == 2019  # untouched fields stay


def test_api_refusals(world: World) -> None:
    item = deposit(world.own)
    client = Client()
    url = f"/api/repository/items/{item.pk}"
    # another library's librarian: the draft is not even there
    other = _token(world.user("librarian_other"))
    assert (
        client.patch(
            url, {"title": "x"}, content_type="application/json", headers=other
        ).status_code
        == 404
    )
    # a read-only token may not write
    read = _token(world.user("librarian_own"), scope="read")
    assert (
        client.patch(url, {"title": "x"}, content_type="application/json", headers=read).status_code
        == 403
    )
    # no token
    assert client.patch(url, {"title": "x"}, content_type="application/json").status_code == 401
    # bad input: 400 with the reason
    own = _token(world.user("librarian_own"))
    response = client.patch(url, {"year": "2300"}, content_type="application/json", headers=own)
    assert response.status_code == 400 and "2300" in response.json()["detail"]
    # a step the librarian may not take
    response = client.post(
        f"{url}/actions/approve", {}, content_type="application/json", headers=own
    )
    assert response.status_code == 403
    response = client.post(
        f"{url}/actions/explode", {}, content_type="application/json", headers=own
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.version == 1 and item.status == "draft"


def test_api_list_applies_the_access_rule(world: World) -> None:
    shown = published(world.own)
    draft = deposit(world.own)
    ids = {i["id"] for i in Client().get("/api/repository/items").json()}
    assert shown.pk in ids and draft.pk not in ids
    own = Client().get("/api/repository/items", headers=_token(world.user("librarian_own"), "read"))
    assert {shown.pk, draft.pk} <= {i["id"] for i in own.json()}


@pytest.mark.parametrize("bad", ["a\x00b", "x\ud800"])
def test_text_no_database_can_store_is_refused(english: None, bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        clean_metadata({**METADATA, "title": bad, "keywords_th": ["ok", bad]})
    assert set(caught.value.error_dict) == {"title", "keywords_th"}
    assert "NUL" in caught.value.error_dict["title"][0].messages[0]


def test_a_superuser_first_picks_the_library(world: World) -> None:
    client = _client(world.user("superuser"))
    page = client.get("/repository/deposit/").content.decode()
    assert f"/repository/deposit/?library={world.own.code}" in page
    response = client.get(f"/repository/deposit/?library={world.other.code}")
    assert response.status_code == 200 and response.context["institution"] == world.other
    listing = client.get("/repository/library/").content.decode()
    assert f"/repository/library/?library={world.own.code}" in listing


def test_file_views_answer_plainly_when_something_is_missing(world: World) -> None:
    item = published(world.own)
    f = item.files.get()
    client = Client()
    base = f"/repository/{item.pk}/files/{f.pk}/"
    assert client.get(f"{base}thumbnail/").status_code == 404  # not made yet
    viewed = client.get(f"{base}?inline=1")
    assert viewed.status_code == 200 and viewed["Content-Disposition"].startswith("inline;")
    assert viewed["Content-Type"] == "application/pdf"
    assert client.get(f"/repository/{item.pk}/files/{f.pk + 999}/").status_code == 404
    storage.store_backend().delete(storage.name_of(f.sha256))  # lost on disk
    assert client.get(base).status_code == 404
