"""Policies, their versions, approvals and acknowledgements.

A policy is adopted from a template (``data/templates/<key>.md``) or written from scratch;
its text lives in versions. A version moves draft → in_review → approved → published →
retired and is only ever edited while a draft: a change to published text is a new
version. Publishing a version retires the one it replaces (``superseded_by`` says which).

An acknowledgement ties one person to the exact version they read; a person acknowledges a
version once (unique per person and version). Who must acknowledge what is computed from
the roster (:mod:`zgovern.policies.audience`), not stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel

DEFAULT_CADENCE_MONTHS = 12
DEFAULT_WINDOW_DAYS = 30


class Audience(models.TextChoices):
    EVERYONE = "everyone", "Everyone"
    EMPLOYEES = "employees", "Employees"
    CONTRACTORS = "contractors", "Contractors"
    DEPARTMENTS = "departments", "Departments"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class AckMethod(models.TextChoices):
    PORTAL = "portal", "In the portal"
    PAPER = "paper", "On paper (scan attached)"


class Policy(TenantModel):
    url_param = "policy_id"

    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.EVERYONE)
    departments = models.JSONField(default=list, blank=True)  # when audience is departments
    review_cadence_months = models.PositiveSmallIntegerField(default=DEFAULT_CADENCE_MONTHS)
    next_review_date = models.DateField(null=True, blank=True)
    ack_window_days = models.PositiveSmallIntegerField(default=DEFAULT_WINDOW_DAYS)
    controls = models.JSONField(default=list, blank=True)  # default control keys
    criteria = models.JSONField(default=list, blank=True)  # framework:criterion refs
    template_key = models.CharField(max_length=80, blank=True)
    review_task = models.ForeignKey(
        "controls.RemediationTask", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="policy_key_per_org")
        ]
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    def current_version(self) -> PolicyVersion | None:
        """The published version, if any."""
        return self.versions.filter(status=VersionStatus.PUBLISHED).first()

    def latest_version(self) -> PolicyVersion | None:
        return self.versions.order_by("-number").first()


class PolicyVersion(TenantModel):
    url_param = "version_id"

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField()  # Markdown
    status = models.CharField(
        max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=254, blank=True)
    change_summary = models.CharField(max_length=500, blank=True)
    material = models.BooleanField(default=True)
    effective_date = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    audience_size = models.PositiveIntegerField(null=True, blank=True)  # at publication
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policy_version_number"),
            models.UniqueConstraint(
                fields=["policy"],
                condition=models.Q(status="published"),
                name="one_published_version",
            ),
        ]
        ordering = ["policy_id", "-number"]

    def __str__(self) -> str:
        return f"{self.policy.title} v{self.number}"

    @property
    def editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Approval(TenantModel):
    url_param = "approval_id"

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approver_label = models.CharField(max_length=254)
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["approved_at", "id"]


class Acknowledgement(TenantModel):
    url_param = "acknowledgement_id"

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="policy_acknowledgements"
    )
    version = models.ForeignKey(
        PolicyVersion, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="acknowledgements")
    acknowledged_at = models.DateTimeField(default=timezone.now)
    client_ip = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=8, choices=AckMethod.choices, default=AckMethod.PORTAL)
    evidence = models.ForeignKey(
        "evidence.EvidenceItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # the scan of a paper acknowledgement
    recorded_by = models.CharField(max_length=254, blank=True)  # the admin, for paper

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "version"], name="ack_once_per_version")
        ]
        indexes = [models.Index(fields=["organization", "policy"], name="ack_org_policy")]
        ordering = ["-acknowledged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person} acknowledged {self.version}"
