"""The identity graph: one account per user in each connected system (Okta, Google
Workspace, GitHub, AWS IAM, or any system whose user list is uploaded as CSV), linked to the
person it belongs to, or marked a service account with an owner.

An account is never deleted because a sync no longer sees it: it becomes ``removed`` with
the time it was first missed, so offboarding can prove when access ended. When a system
could not be synced, its accounts keep their last known state and are marked ``stale``.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel


class AccountStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"  # disabled, deactivated, locked out by an admin
    REMOVED = "removed", "Removed"  # no longer listed by the system


class MfaState(models.TextChoices):
    ENABLED = "enabled", "Enabled"
    DISABLED = "disabled", "Not enabled"
    UNKNOWN = "unknown", "Unknown"  # the system does not say (e.g. a CSV without the column)


class LinkMethod(models.TextChoices):
    NONE = "", "Not linked"
    EMAIL = "email", "Work email"
    ALIAS = "alias", "Known alias"
    MANUAL = "manual", "Linked by hand"


class Account(TenantModel):
    url_param = "account_id"

    system = models.SlugField(max_length=60)  # "okta", "google", "github", "aws", or a CSV's
    integration = models.ForeignKey(
        "integrations.Integration", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="accounts",
    )  # fmt: skip
    external_id = models.CharField(max_length=255)  # stable id in the system
    username = models.CharField(max_length=255)
    email = models.CharField(max_length=254, blank=True)  # lower-cased
    display_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=AccountStatus.choices)
    mfa = models.CharField(max_length=16, choices=MfaState.choices, default=MfaState.UNKNOWN)
    privileged = models.BooleanField(default=False)
    last_login_at = models.DateTimeField(null=True, blank=True)
    attributes = models.JSONField(default=dict, blank=True)  # roles, groups, provider extras

    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="accounts",
    )  # fmt: skip
    link_method = models.CharField(
        max_length=16, choices=LinkMethod.choices, blank=True, default=LinkMethod.NONE
    )
    is_service = models.BooleanField(default=False)
    service_owner = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_service_accounts",
    )  # fmt: skip
    service_note = models.CharField(max_length=500, blank=True)

    stale = models.BooleanField(default=False)  # the last sync of its system failed
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)  # left "active"
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "system", "external_id"], name="account_per_system"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "system", "status"], name="account_sys_status"),
            models.Index(fields=["organization", "email"], name="account_email"),
            models.Index(fields=["organization", "person"], name="account_person"),
        ]
        ordering = ["system", "username", "id"]

    def __str__(self) -> str:
        return f"{self.username} ({self.system})"

    @property
    def is_active(self) -> bool:
        return self.status == AccountStatus.ACTIVE


class PersonAlias(TenantModel):
    """Another address or username a person is known by (an old email, a GitHub login)."""

    url_param = "alias_id"

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=254)  # lower-cased
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "alias"], name="alias_per_org")
        ]
        ordering = ["alias", "id"]

    def __str__(self) -> str:
        return self.alias


class IdentitySettings(TenantModel):
    """The organisation's windows for the workforce checks (one row, made on first use)."""

    revocation_business_days = models.PositiveSmallIntegerField(default=1)
    onboarding_days = models.PositiveSmallIntegerField(default=30)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="identity_settings_per_org")
        ]

    def __str__(self) -> str:
        return f"identity settings of {self.organization_id}"
