"""Vendor inventory, compliance documents and security assessments.

A vendor keeps three denormalised facts that the inventory filters and sorts on without a
join (so a list of 10,000 vendors stays one indexed query): ``last_assessed_at`` and
``next_review_due`` (from its newest completed assessment) and ``soc2_expires_on`` (the
latest expiry among its SOC 2 reports). Only :mod:`zgovern.vendors.services` writes them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from zgovern.tenancy.models import TenantModel


class VendorCriticality(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class VendorDataCategory(models.TextChoices):
    CUSTOMER_DATA = "customer_data", "Customer data"
    PERSONAL_DATA = "personal_data", "Personal data"
    EMPLOYEE_DATA = "employee_data", "Employee data"
    FINANCIAL_DATA = "financial_data", "Financial data"
    SOURCE_CODE = "source_code", "Source code"
    CREDENTIALS = "credentials", "Credentials and secrets"
    PRODUCTION_ACCESS = "production_access", "Production systems"


class Vendor(TenantModel):
    url_param = "vendor_id"

    name = models.CharField(max_length=200)
    service = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    criticality = models.CharField(max_length=16, choices=VendorCriticality.choices)
    # Comma-wrapped keys (",customer_data,source_code,") so "accesses X" is one portable
    # LIKE on SQLite and PostgreSQL alike; read through ``data_category_list``.
    data_categories = models.CharField(max_length=300, blank=True)
    contract_start = models.DateField(null=True, blank=True)
    contract_end = models.DateField(null=True, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(max_length=254, blank=True)
    is_subprocessor = models.BooleanField(default=False)
    public_description = models.CharField(max_length=500, blank=True)  # for the Trust Center
    last_assessed_at = models.DateTimeField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    soc2_expires_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("name"), "organization", name="vendor_name_per_org")
        ]
        indexes = [
            models.Index(fields=["organization", "name"], name="vendor_org_name"),
            models.Index(fields=["organization", "criticality"], name="vendor_org_crit"),
            models.Index(fields=["organization", "next_review_due"], name="vendor_org_due"),
        ]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def data_category_list(self) -> list[str]:
        return [key for key in self.data_categories.split(",") if key]

    def data_category_labels(self) -> list[str]:
        labels = dict(VendorDataCategory.choices)
        return [labels.get(key, key) for key in self.data_category_list]


class VendorDocumentKind(models.TextChoices):
    SOC2_TYPE1 = "soc2_type1", "SOC 2 Type 1 report"
    SOC2_TYPE2 = "soc2_type2", "SOC 2 Type 2 report"
    ISO27001 = "iso27001", "ISO 27001 certificate"
    OTHER = "other", "Other"


SOC2_KINDS = (VendorDocumentKind.SOC2_TYPE1, VendorDocumentKind.SOC2_TYPE2)


class VendorDocument(TenantModel):
    """A vendor's own compliance document, stored as an evidence file."""

    url_param = "document_id"

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=VendorDocumentKind.choices)
    title = models.CharField(max_length=200)
    period_start = models.DateField(null=True, blank=True)  # a SOC 2 report's period
    period_end = models.DateField(null=True, blank=True)
    expires_on = models.DateField()
    evidence = models.ForeignKey(
        "evidence.EvidenceItem", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-expires_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.vendor.name}"

    def is_expired(self, today=None) -> bool:
        return self.expires_on < (today or timezone.localdate())


class VendorAssessmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "Being filled in internally"
    SENT = "sent", "Sent to the vendor"
    SUBMITTED = "submitted", "Answers in, awaiting review"
    COMPLETED = "completed", "Completed"


class VendorConclusion(models.TextChoices):
    ACCEPTABLE = "acceptable", "Acceptable"
    WITH_CONDITIONS = "acceptable_with_conditions", "Acceptable with conditions"
    NOT_ACCEPTABLE = "not_acceptable", "Not acceptable"


class Assessment(TenantModel):
    """One questionnaire put to one vendor. ``questions`` is a copy of the template as it
    was when the assessment started, so a later change to the template never changes what
    the vendor answered. ``answers`` maps a question id to ``{"answer", "comment"}``."""

    url_param = "assessment_id"

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="assessments")
    questionnaire_key = models.SlugField(max_length=60)
    questionnaire_title = models.CharField(max_length=200)
    questions = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=VendorAssessmentStatus.choices)
    answers = models.JSONField(default=dict, blank=True)
    # Only the SHA-256 of the emailed link's token: the database alone cannot open it.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.EmailField(max_length=254, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.CharField(max_length=300, blank=True)
    conclusion = models.CharField(max_length=32, choices=VendorConclusion.choices, blank=True)
    review_notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    evidence = models.ForeignKey(
        "evidence.EvidenceItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "status"], name="vendor_assess_status")]

    def __str__(self) -> str:
        return f"{self.questionnaire_title} of {self.vendor.name}"


class AssessmentAttachment(TenantModel):
    """A file given with one answer, stored as an evidence file."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="attachments")
    question_id = models.CharField(max_length=60)
    evidence = models.ForeignKey(
        "evidence.EvidenceItem", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["question_id", "id"]


DEFAULT_REVIEW_MONTHS = {
    VendorCriticality.CRITICAL: 12,
    VendorCriticality.HIGH: 12,
    VendorCriticality.MEDIUM: 24,
    VendorCriticality.LOW: 36,
}


class ReviewCadence(TenantModel):
    """How many months after an assessment the next one is due, per criticality. An
    organisation without a row uses :data:`DEFAULT_REVIEW_MONTHS`."""

    low = models.PositiveSmallIntegerField(default=DEFAULT_REVIEW_MONTHS[VendorCriticality.LOW])
    medium = models.PositiveSmallIntegerField(
        default=DEFAULT_REVIEW_MONTHS[VendorCriticality.MEDIUM]
    )
    high = models.PositiveSmallIntegerField(default=DEFAULT_REVIEW_MONTHS[VendorCriticality.HIGH])
    critical = models.PositiveSmallIntegerField(
        default=DEFAULT_REVIEW_MONTHS[VendorCriticality.CRITICAL]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="one_review_cadence_per_org")
        ]

    def months(self) -> dict[str, int]:
        return {level: getattr(self, level) for level in VendorCriticality.values}


class LinkHit(models.Model):
    """One request to the public assessment page, by client address, for rate limiting.
    Not tenant data: an unknown token belongs to no organisation."""

    ip = models.CharField(max_length=45)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"], name="vendor_link_hit_ip_at")]

    def __str__(self) -> str:
        return f"{self.ip} at {self.at:%Y-%m-%d %H:%M:%S}"
