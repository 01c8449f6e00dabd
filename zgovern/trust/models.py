"""The Trust Center: an organisation's public page, who asked for its audit report, and
every download of it.

Nothing is public until an admin turns the page on, and then only what they chose: the
choices are lists of ids kept on :class:`TrustCenter` and re-checked against the
organisation's rows whenever the page is drawn, so a deleted control simply drops out.

A report link is a random token shown once in the approval email; only its SHA-256 is
stored. It works until ``link_expires_at`` and for ``downloads_allowed`` downloads, and
only after the prospect accepted the NDA (recorded on the request).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel

DEFAULT_LINK_DAYS = 7
DEFAULT_DOWNLOAD_LIMIT = 3


class TrustCenter(TenantModel):
    """One per organisation; created with everything off the first time it is saved."""

    enabled = models.BooleanField(default=False)
    headline = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    contact_email = models.EmailField(max_length=254, blank=True)
    framework_ids = models.JSONField(default=list, blank=True)
    # [{"id": control id, "description": public text}], in the order shown
    controls = models.JSONField(default=list, blank=True)
    # [{"id": policy id, "show_body": bool}]; the body only when chosen
    policies = models.JSONField(default=list, blank=True)
    show_subprocessors = models.BooleanField(default=False)
    # The report's period as entered; when empty, the latest complete audit's period.
    report_period_start = models.DateField(null=True, blank=True)
    report_period_end = models.DateField(null=True, blank=True)
    report = models.ForeignKey(
        "evidence.EvidenceItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nda_text = models.TextField(blank=True)  # empty: the default NDA of the package
    link_days = models.PositiveSmallIntegerField(default=DEFAULT_LINK_DAYS)
    download_limit = models.PositiveSmallIntegerField(default=DEFAULT_DOWNLOAD_LIMIT)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="one_trust_center_per_org")
        ]

    def __str__(self) -> str:
        return f"Trust Center of {self.organization_id}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class ReportRequest(TenantModel):
    """A prospect's request for the audit report, and what became of it."""

    url_param = "trust_request_id"

    name = models.CharField(max_length=200)
    company = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_at = models.DateTimeField(default=timezone.now)
    client_ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_label = models.CharField(max_length=254, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    downloads_allowed = models.PositiveSmallIntegerField(default=0)
    downloads_used = models.PositiveSmallIntegerField(default=0)
    nda_accepted_at = models.DateTimeField(null=True, blank=True)
    nda_name = models.CharField(max_length=200, blank=True)
    nda_company = models.CharField(max_length=200, blank=True)
    nda_ip = models.CharField(max_length=45, blank=True)
    nda_user_agent = models.CharField(max_length=300, blank=True)
    nda_sha256 = models.CharField(max_length=64, blank=True)  # of the text accepted

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status"], name="trust_request_status"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})"


class ReportDownload(TenantModel):
    """One watermarked download through a request's link."""

    url_param = "trust_download_id"

    request = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="downloads")
    report = models.ForeignKey("evidence.EvidenceItem", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    client_ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    watermark = models.CharField(max_length=600)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"download by {self.request_id} at {self.at:%Y-%m-%d %H:%M}"


class RequestHit(models.Model):
    """One submission of the public request form, by client address, for rate limiting.
    Not tenant data: counted before the organisation is known to be valid."""

    ip = models.CharField(max_length=45)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"], name="trust_hit_ip_at")]

    def __str__(self) -> str:
        return f"{self.ip} at {self.at:%Y-%m-%d %H:%M:%S}"
