"""An organisation's adopted frameworks: a copy of a library's criteria tree, its scoping
decisions, and the system description.

Adoption copies the library (built-in or custom) into these rows, so an organisation's
scope and not-applicable decisions live beside its own copy and a later library release
never silently changes an audit in progress.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel


class Framework(TenantModel):
    url_param = "framework_id"

    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=60)
    description = models.TextField(blank=True)
    is_custom = models.BooleanField(default=False)
    adopted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="framework_key_per_org")
        ]
        ordering = ["adopted_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class Category(TenantModel):
    """A part of a framework that is scoped in or out as a whole (SOC 2's Availability…)."""

    url_param = "category_id"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="categories")
    key = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    always_in_scope = models.BooleanField(default=False)
    in_scope = models.BooleanField(default=False)
    scope_reason = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["framework", "key"], name="category_key_per_framework")
        ]
        ordering = ["framework_id", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Criterion(TenantModel):
    """One node of the criteria tree. Only assessable nodes (the leaves, such as CC6.1) are
    mapped to controls; the others (CC6, A.5) group them."""

    url_param = "criterion_id"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="criteria")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    ref = models.CharField(max_length=64)  # as long as the library format allows
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    assessable = models.BooleanField(default=True)
    not_applicable = models.BooleanField(default=False)
    na_justification = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["framework", "ref"], name="criterion_ref_per_framework")
        ]
        ordering = ["framework_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class SystemDescription(TenantModel):
    """The system in scope, as the auditor's report will describe it. Never edited: each
    save is a new version, and the highest version is the current one."""

    url_param = "system_description_id"

    version = models.PositiveIntegerField()
    services = models.TextField(blank=True)
    infrastructure = models.TextField(blank=True)
    data = models.TextField(blank=True)
    people = models.TextField(blank=True)
    third_parties = models.TextField(blank=True)
    boundaries = models.TextField(blank=True)
    narrative = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "version"], name="system_description_version"
            )
        ]
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"system description v{self.version}"
