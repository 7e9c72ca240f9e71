"""API tokens: bearer tokens for writes through the JSON API, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, help_text=_("First characters, to tell tokens apart."))
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    # "read": GET only; "write": every method the owner's abilities allow.
    scope = models.CharField(
        _("scope"),
        max_length=8,
        choices=[("read", _("Read")), ("write", _("Read and write"))],
        default="write",
    )
    expires = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_key() -> str:
        return "lc_" + secrets.token_urlsafe(32)


ATTACHMENT_DIR = "attachments"  # under MEDIA_ROOT


def _attachment_path(instance: Attachment, filename: str) -> str:
    # A name of our own: the uploaded name never becomes part of a path.
    return f"{ATTACHMENT_DIR}/{instance.uuid.hex[:2]}/{instance.uuid.hex}"


class Attachment(models.Model):
    """A file a library uploaded: evidence, an event's minutes or slides, a photo, a document.

    Written only through :func:`libcoop.core.attachments.store_upload`, which checks size and
    sniffs the content type from the bytes (the client's name and type are never trusted).
    Who may read it is decided by the record it is attached to.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        "network.Institution", on_delete=models.PROTECT, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(max_length=16)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
