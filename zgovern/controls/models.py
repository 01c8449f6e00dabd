"""An organisation's controls: what each is, who owns it, the criteria it addresses, how
it is tested (automated checks, evidence requirements, policies), its manual status
override, the evidence linked to it, and the remediation tasks that close its gaps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel


class ControlStatus(models.TextChoices):
    MISSING = "missing", "Missing"
    PARTIAL = "partial", "Partially implemented"
    IMPLEMENTED = "implemented", "Implemented, not evidenced"
    EVIDENCED = "evidenced", "Implemented and evidenced"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Frequency(models.TextChoices):
    CONTINUOUS = "continuous", "Continuous"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"
    PER_EVENT = "per_event", "Per event"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


class Control(TenantModel):
    url_param = "control_id"

    key = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    domain = models.SlugField(max_length=40, blank=True)
    frequency = models.CharField(
        max_length=16, choices=Frequency.choices, default=Frequency.CONTINUOUS
    )
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    template_key = models.SlugField(max_length=80, blank=True)
    criteria = models.ManyToManyField(
        "frameworks.Criterion", through="ControlCriterion", related_name="controls"
    )
    override_status = models.CharField(max_length=16, choices=ControlStatus.choices, blank=True)
    override_justification = models.TextField(blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    override_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="control_key_per_org")
        ]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ControlCriterion(TenantModel):
    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="criterion_links")
    criterion = models.ForeignKey(
        "frameworks.Criterion", on_delete=models.CASCADE, related_name="control_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["control", "criterion"], name="control_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.control_id} -> {self.criterion_id}"


class ControlCheck(TenantModel):
    """An automated check whose results prove the control (ids from the check registry)."""

    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="checks")
    check_id = models.CharField(max_length=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["control", "check_id"], name="control_check")
        ]

    def __str__(self) -> str:
        return self.check_id


class EvidenceRequirement(TenantModel):
    """Evidence the control needs, and how fresh it must be (e.g. a review every 90 days)."""

    url_param = "requirement_id"

    control = models.ForeignKey(
        Control, on_delete=models.CASCADE, related_name="evidence_requirements"
    )
    kind = models.SlugField(max_length=60)
    description = models.CharField(max_length=300)
    freshness_days = models.PositiveIntegerField(default=365)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["control", "kind"], name="requirement_kind")]

    def __str__(self) -> str:
        return f"{self.description} (every {self.freshness_days} days)"


class ControlPolicy(TenantModel):
    """A policy the control relies on, by policy key (the policies module resolves it)."""

    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="policies")
    policy_key = models.SlugField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["control", "policy_key"], name="control_policy")
        ]

    def __str__(self) -> str:
        return self.policy_key


class ControlEvidence(TenantModel):
    """Evidence linked to a control. The link lives here, downstream of evidence, so the
    evidence store knows nothing of controls."""

    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="evidence_links")
    evidence = models.ForeignKey(
        "evidence.EvidenceItem", on_delete=models.CASCADE, related_name="control_links"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["control", "evidence"], name="control_evidence")
        ]

    def __str__(self) -> str:
        return f"{self.evidence_id} for {self.control_id}"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


class Priority(models.IntegerChoices):
    URGENT = 1, "Urgent"
    HIGH = 2, "High"
    MEDIUM = 3, "Medium"
    LOW = 4, "Low"


class RemediationTask(TenantModel):
    url_param = "task_id"

    control = models.ForeignKey(
        Control, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "status", "target_date"], name="task_due")]
        ordering = ["priority", "target_date", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
