"""Security training courses an organisation has adopted, and who must complete them when.

A course is copied from the shipped library (``data/courses.yaml``) when adopted; the
organisation may then change its audience and deadline. Completions are the roster's
:class:`zgovern.people.models.TrainingCompletion` rows, matched by ``course_key``; the due
dates are computed (:mod:`zgovern.training.schedule`), never stored.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel

DEFAULT_DUE_DAYS = 30
MAX_DUE_DAYS = 365


class Audience(models.TextChoices):
    EVERYONE = "everyone", "Everyone"
    EMPLOYEES = "employees", "Employees (not contractors)"
    CONTRACTORS = "contractors", "Contractors"
    DEPARTMENTS = "departments", "Some departments"


class Cadence(models.TextChoices):
    ONCE = "once", "Once"
    YEARLY = "yearly", "Every year"


class Course(TenantModel):
    url_param = "course_id"

    key = models.SlugField(max_length=80)  # TrainingCompletion.course_key
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    audience = models.CharField(max_length=16, choices=Audience.choices)
    departments = models.JSONField(default=list, blank=True)  # for Audience.DEPARTMENTS
    cadence = models.CharField(max_length=16, choices=Cadence.choices)
    due_days = models.PositiveSmallIntegerField(default=DEFAULT_DUE_DAYS)
    control = models.SlugField(max_length=80, blank=True)  # the control it evidences
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="course_key_per_org")
        ]
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title

    def audience_label(self) -> str:
        if self.audience == Audience.DEPARTMENTS:
            return ", ".join(self.departments) or "No department"
        return Audience(self.audience).label


class Certificate(TenantModel):
    """A completion certificate a person uploaded: the stored evidence item behind a
    completion."""

    completion = models.ForeignKey(
        "people.TrainingCompletion", on_delete=models.CASCADE, related_name="certificates"
    )
    evidence = models.ForeignKey(
        "evidence.EvidenceItem", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
