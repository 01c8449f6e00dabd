"""The roster: people (employees and contractors), their background checks and their
security-training completions.

A person's work email is stored lower-cased, so the unique constraint per organisation is
case-insensitive. ``status`` is stored, but the dates win: a person whose end date has
passed counts as terminated (see :meth:`Person.current_status`).
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel


class EmploymentType(models.TextChoices):
    EMPLOYEE = "employee", "Employee"
    CONTRACTOR = "contractor", "Contractor"
    INTERN = "intern", "Intern"
    TEMPORARY = "temporary", "Temporary"


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_LEAVE = "on_leave", "On leave"
    TERMINATED = "terminated", "Terminated"


class PersonSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    CSV = "csv", "Roster upload"
    HR = "hr", "HR system"


class Person(TenantModel):
    url_param = "person_id"

    full_name = models.CharField(max_length=200)
    work_email = models.EmailField(max_length=254)  # lower-cased by the services
    employment_type = models.CharField(max_length=16, choices=EmploymentType.choices)
    department = models.CharField(max_length=120, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)  # the last day worked
    status = models.CharField(
        max_length=16, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    source = models.CharField(max_length=16, choices=PersonSource.choices)
    external_id = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "work_email"], name="person_email_per_org"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "full_name"], name="person_org_name"),
            models.Index(fields=["organization", "department"], name="person_org_dept"),
            models.Index(fields=["organization", "status"], name="person_org_status"),
        ]
        ordering = ["full_name", "id"]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.work_email}>"

    def current_status(self, today: date | None = None) -> str:
        """The stored status, except that a passed end date means terminated."""
        today = today or timezone.localdate()
        if self.end_date is not None and self.end_date < today:
            return PersonStatus.TERMINATED
        return self.status

    def get_current_status_display(self) -> str:
        return PersonStatus(self.current_status()).label


class CheckStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CLEAR = "clear", "Clear"
    CONSIDER = "consider", "Consider"
    FAILED = "failed", "Failed"


class BackgroundCheck(TenantModel):
    url_param = "background_check_id"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="background_checks")
    status = models.CharField(max_length=16, choices=CheckStatus.choices)
    completed_on = models.DateField(null=True, blank=True)  # empty while pending
    provider = models.CharField(max_length=120, blank=True)
    reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"background check of {self.person.full_name}: {self.status}"


class TrainingCompletion(TenantModel):
    url_param = "training_id"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="trainings")
    course_key = models.SlugField(max_length=80)
    course_title = models.CharField(max_length=200)
    completed_on = models.DateField()
    source = models.CharField(
        max_length=16, choices=PersonSource.choices, default=PersonSource.MANUAL
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "course_key", "completed_on"], name="training_once_per_day"
            )
        ]
        ordering = ["-completed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.course_title} completed by {self.person.full_name}"
