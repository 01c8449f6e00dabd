"""Evidence: immutable, hashed items that show a control operated.

An item is never edited; a correction is a new item that ``supersedes`` the old one.
Files are stored by the SHA-256 of their content (see :mod:`zgovern.evidence.storage`),
so the bundle's manifest and an offline verifier can prove nothing changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import AppendOnlyError, TenantModel


class EvidenceSource(models.TextChoices):
    UPLOAD = "upload", "Uploaded file"
    LINK = "link", "Link"
    RECORD = "record", "zGovern record"
    CHECK_SNAPSHOT = "check_snapshot", "Automated check snapshot"


class EvidenceItem(TenantModel):
    url_param = "evidence_id"

    kind = models.SlugField(max_length=60)  # matches a control's evidence requirement kind
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=EvidenceSource.choices)
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    link_url = models.URLField(max_length=1000, blank=True)
    record = models.JSONField(null=True, blank=True)
    # SHA-256 of the file's bytes, or of the canonical JSON of a record or snapshot.
    sha256 = models.CharField(max_length=64)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    collected_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    # Free labels for matching without knowing controls (e.g. the check ids of a snapshot).
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "kind", "-collected_at"], name="evidence_kind"),
            models.Index(fields=["organization", "-collected_at"], name="evidence_recent"),
        ]
        ordering = ["-collected_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("evidence is never edited; record a correction instead")
        super().save(*args, **kwargs)
