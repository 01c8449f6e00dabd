"""Security incidents, their timelines and response figures.

Each organisation has its own severity table (name, description, response target in
hours; the defaults are in ``data/severities.yaml``). An incident's ``due_at`` is its
detection time plus its severity's response target, stored so that "open past its
target" is an indexed query; the services keep it current when the detection time, the
severity or the severity's target changes.

Times: ``started_at`` (when it began, if known) ≤ ``detected_at`` ≤ ``reported_at``, and
``detected_at`` ≤ ``contained_at`` ≤ ``resolved_at``. The timeline is append-only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from zgovern.risks.models import owner_email, owner_label
from zgovern.tenancy.models import TenantModel


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONTAINED = "contained", "Contained"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


ACTIVE_STATUSES = (IncidentStatus.OPEN, IncidentStatus.CONTAINED)


class Severity(TenantModel):
    name = models.CharField(max_length=20)
    rank = models.PositiveSmallIntegerField()  # 1 is the most severe
    description = models.CharField(max_length=1000)
    response_target_hours = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="severity_name_per_org")
        ]
        ordering = ["rank", "name"]

    def __str__(self) -> str:
        return self.name


class Incident(TenantModel):
    url_param = "incident_id"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    severity = models.ForeignKey(Severity, on_delete=models.PROTECT, related_name="incidents")
    status = models.CharField(
        max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    started_at = models.DateTimeField(null=True, blank=True)
    detected_at = models.DateTimeField()
    reported_at = models.DateTimeField(null=True, blank=True)
    contained_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()  # detected_at + the severity's response target
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    owner_person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    affected_systems = models.TextField(blank=True)
    affected_data = models.TextField(blank=True)
    customers_notified = models.BooleanField(default=False)
    customers_notified_at = models.DateTimeField(null=True, blank=True)
    root_cause = models.TextField(blank=True)
    lessons_learned = models.TextField(blank=True)
    risks = models.ManyToManyField("risks.Risk", blank=True, related_name="incidents")
    controls = models.ManyToManyField("controls.Control", blank=True, related_name="incidents")
    evidence = models.ForeignKey(
        "evidence.EvidenceItem", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip  # the closed incident's record
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "status", "due_at"], name="incident_org_due"),
            models.Index(fields=["organization", "detected_at"], name="incident_org_detected"),
            models.Index(fields=["organization", "severity"], name="incident_org_severity"),
            models.Index(fields=["organization", "title"], name="incident_org_title"),
            models.Index(fields=["organization", "updated_at"], name="incident_org_updated"),
        ]
        ordering = ["-detected_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_label(self) -> str:
        return owner_label(self.owner_user, self.owner_person)

    @property
    def owner_email(self) -> str:
        return owner_email(self.owner_user, self.owner_person)

    def past_target(self, now: datetime | None = None) -> bool:
        """Still open or only contained after its severity's response target."""
        return self.status in ACTIVE_STATUSES and self.due_at < (now or timezone.now())

    # Derived figures (see zgovern.incidents.figures for the definitions).
    @property
    def time_to_detect(self) -> timedelta | None:
        return _between(self.started_at, self.detected_at)

    @property
    def time_to_report(self) -> timedelta | None:
        return _between(self.detected_at, self.reported_at)

    @property
    def time_to_contain(self) -> timedelta | None:
        return _between(self.detected_at, self.contained_at)

    @property
    def time_to_resolve(self) -> timedelta | None:
        return _between(self.detected_at, self.resolved_at)


def _between(start: datetime | None, end: datetime | None) -> timedelta | None:
    return end - start if start is not None and end is not None else None


class AppendOnly(RuntimeError):
    pass


class TimelineEntry(TenantModel):
    """One response action: who did what, when. Entries are only ever added."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()  # when the action happened
    action = models.TextField()
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    by_label = models.CharField(max_length=300)  # who did it, as recorded
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.CharField(max_length=300)  # the actor who entered it

    class Meta:
        indexes = [models.Index(fields=["incident", "at"], name="incident_timeline_at")]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.by_label}: {self.action[:60]}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("Timeline entries are never changed; add another.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Timeline entries are never deleted.")
