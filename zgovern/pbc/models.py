"""The auditor's request (PBC, "provided by client") list and the exceptions of an audit.

A request's response clock starts at its creation, restarts when it is (re)assigned or
reopened, and stops at its answer: ``target_at`` is the clock's start plus the audit's
response target, stored so that "late" is one indexed filter. An exception carries
management's response on the same row (one response per exception, rewritten in place;
every version is in the activity log).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel

DEFAULT_TARGET_HOURS = 48


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    ANSWERED = "answered", "Answered"
    ACCEPTED = "accepted", "Accepted by the auditor"
    REOPENED = "reopened", "Rejected, reopened"


class Origin(models.TextChoices):
    AUDITOR = "auditor", "Auditor"
    STAFF = "staff", "Staff"


class PbcSettings(TenantModel):
    """Per-audit settings of the request list (absent means the defaults)."""

    audit = models.OneToOneField("audits.Audit", on_delete=models.CASCADE, related_name="pbc")
    target_hours = models.PositiveIntegerField(default=DEFAULT_TARGET_HOURS)

    def __str__(self) -> str:
        return f"{self.audit_id}: {self.target_hours} h"


class AuditRequest(TenantModel):
    url_param = "request_id"

    audit = models.ForeignKey("audits.Audit", on_delete=models.CASCADE, related_name="requests")
    reference = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    criteria_refs = models.JSONField(default=list, blank=True)
    due_date = models.DateField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.STAFF)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    clock_started_at = models.DateTimeField(default=timezone.now)
    target_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    evidence = models.ManyToManyField(
        "evidence.EvidenceItem", through="RequestEvidence", related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audit", "reference"], name="pbc_reference_per_audit")
        ]
        indexes = [models.Index(fields=["audit", "answered_at", "target_at"], name="pbc_late")]
        ordering = ["audit_id", "reference", "id"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def is_late(self, now=None) -> bool:
        """Unanswered past the target, or answered after it."""
        end = self.answered_at or now or timezone.now()
        return end > self.target_at

    @property
    def overdue(self) -> bool:
        """Still waiting for an answer and past the target: what the contact must chase."""
        return self.answered_at is None and timezone.now() > self.target_at


class RequestEvidence(TenantModel):
    """Evidence that answers a request; ``via`` says how it was chosen."""

    request = models.ForeignKey(AuditRequest, on_delete=models.CASCADE, related_name="links")
    evidence = models.ForeignKey(
        "evidence.EvidenceItem", on_delete=models.PROTECT, related_name="+"
    )
    via = models.CharField(max_length=12, default="library")  # library, upload, suggestion
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "evidence"], name="pbc_request_evidence")
        ]
        ordering = ["linked_at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} <- {self.evidence_id}"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ResponseKind(models.TextChoices):
    ACCEPTED = "accepted", "Accepted (risk accepted)"
    COMPENSATING = "compensating", "Compensating control"
    REMEDIATED = "remediated", "Already remediated"


class AuditException(TenantModel):
    url_param = "exception_id"

    audit = models.ForeignKey("audits.Audit", on_delete=models.CASCADE, related_name="exceptions")
    control = models.ForeignKey("controls.Control", on_delete=models.PROTECT, related_name="+")
    description = models.TextField()
    period_from = models.DateField()
    period_to = models.DateField()
    severity = models.CharField(max_length=8, choices=Severity.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Management's response; empty kind means none yet.
    response_kind = models.CharField(max_length=16, choices=ResponseKind.choices, blank=True)
    response_text = models.TextField(blank=True)
    responded_on = models.DateField(null=True, blank=True)
    remediated_on = models.DateField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response_evidence = models.ManyToManyField(
        "evidence.EvidenceItem", through="ExceptionEvidence", blank=True, related_name="+"
    )

    class Meta:
        ordering = ["audit_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"exception {self.pk} on {self.control_id}"


class ExceptionEvidence(TenantModel):
    exception = models.ForeignKey(AuditException, on_delete=models.CASCADE, related_name="links")
    evidence = models.ForeignKey(
        "evidence.EvidenceItem", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exception", "evidence"], name="pbc_exception_evidence")
        ]

    def __str__(self) -> str:
        return f"{self.exception_id} <- {self.evidence_id}"


class DigestSent(TenantModel):
    """One late-request digest per audit and day: the row is written in the transaction
    that sends it, so a repeated or concurrent run sends nothing more."""

    audit = models.ForeignKey("audits.Audit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    recipient = models.EmailField(max_length=254)
    late = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["audit", "day"], name="pbc_digest_per_day")]

    def __str__(self) -> str:
        return f"{self.audit_id} {self.day}"
