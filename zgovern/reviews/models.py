"""Access-review campaigns with an APPROVE or REVOKE per account.

A campaign reviews the accounts of one or more systems. Starting it copies every in-scope
account into a :class:`ReviewItem` (who the account belongs to, what it may do, when it
was last used, and the flags a reviewer should look at), so a later sync never changes what
was reviewed. Each item is assigned a reviewer (per system, or the person's manager). A
REVOKE opens a remediation task; :func:`zgovern.reviews.services.verify_revocations`
closes it once a sync shows the account removed or suspended, or flags the item as an
exception when the account is still active after the campaign's revocation window.

A completed campaign is locked: its decisions can no longer change, and its evidence
package (the decisions as CSV and a summary record) is linked to the access-review
controls.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from zgovern.tenancy.models import TenantModel


class Cadence(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    SEMIANNUAL = "semiannual", "Every six months"
    ANNUAL = "annual", "Yearly"
    NONE = "none", "Once (no next campaign)"


CADENCE_MONTHS = {
    Cadence.MONTHLY: 1,
    Cadence.QUARTERLY: 3,
    Cadence.SEMIANNUAL: 6,
    Cadence.ANNUAL: 12,
}


class ReviewerMode(models.TextChoices):
    SYSTEM = "system", "One reviewer per system"
    MANAGER = "manager", "Each person's manager"


class CampaignStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed"


class Decision(models.TextChoices):
    PENDING = "", "Not decided"
    APPROVE = "approve", "Approve"
    REVOKE = "revoke", "Revoke"


class Revocation(models.TextChoices):
    NONE = "", "—"
    PENDING = "pending", "Waiting for a sync"
    VERIFIED = "verified", "Verified"
    EXCEPTION = "exception", "Still active after the window"


# Item flags, in the order pages show them: (field, label).
FLAGS = (
    ("flag_terminated", "Terminated person"),
    ("flag_unlinked", "No linked person"),
    ("flag_privileged", "Privileged"),
    ("flag_dormant", "Dormant 90 days"),
    ("flag_contractor", "Contractor"),
)
FLAG_KEYS = {name.removeprefix("flag_"): name for name, _ in FLAGS}


class Campaign(TenantModel):
    url_param = "campaign_id"

    title = models.CharField(max_length=200)
    systems = models.JSONField(default=list)  # system slugs, sorted
    reviewer_mode = models.CharField(max_length=16, choices=ReviewerMode.choices)
    # Reviews what no assignment covers (a system without its own reviewer, a person
    # without a manager who is a member) and owns the remediation of such systems.
    default_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField()
    cadence = models.CharField(max_length=16, choices=Cadence.choices, default=Cadence.QUARTERLY)
    revocation_days = models.PositiveSmallIntegerField(default=1)  # business days
    status = models.CharField(
        max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    # The campaign this one was scheduled from: one successor per campaign at most, which
    # is what makes the scheduler idempotent.
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="successor"
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    evidence_csv = models.ForeignKey(
        "evidence.EvidenceItem", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    evidence_summary = models.ForeignKey(
        "evidence.EvidenceItem", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    class Meta:
        indexes = [models.Index(fields=["organization", "status", "due_date"], name="campaign_due")]
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.status == CampaignStatus.COMPLETED

    def is_late(self, today: date | None = None) -> bool:
        """Open past its due date."""
        today = today or timezone.localdate()
        return self.status == CampaignStatus.OPEN and self.due_date < today


class SystemAssignment(TenantModel):
    """Who reviews a system's accounts in a campaign, and who removes the revoked ones."""

    url_param = ""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    system = models.SlugField(max_length=60)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "system"], name="assignment_per_system")
        ]
        ordering = ["system", "id"]


class ReviewItem(TenantModel):
    """One account as it was when the campaign started, and the reviewer's decision."""

    url_param = "item_id"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    account = models.ForeignKey(
        "identity.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The account, copied.
    system = models.SlugField(max_length=60)
    username = models.CharField(max_length=255)
    account_email = models.CharField(max_length=254, blank=True)
    display_name = models.CharField(max_length=200, blank=True)
    account_status = models.CharField(max_length=16)
    mfa = models.CharField(max_length=16, blank=True)
    privileged = models.BooleanField(default=False)
    roles = models.CharField(max_length=500, blank=True)  # from the account's attributes
    last_login_at = models.DateTimeField(null=True, blank=True)
    is_service = models.BooleanField(default=False)
    # The person (or a service account's owner), copied.
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person_name = models.CharField(max_length=200, blank=True)
    person_email = models.CharField(max_length=254, blank=True)
    person_department = models.CharField(max_length=120, blank=True)
    person_status = models.CharField(max_length=16, blank=True)
    employment_type = models.CharField(max_length=16, blank=True)
    manager_name = models.CharField(max_length=200, blank=True)
    flag_terminated = models.BooleanField(default=False)
    flag_unlinked = models.BooleanField(default=False)
    flag_privileged = models.BooleanField(default=False)
    flag_dormant = models.BooleanField(default=False)
    flag_contractor = models.BooleanField(default=False)
    # The review.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    remediation_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(
        max_length=16, choices=Decision.choices, blank=True, default=Decision.PENDING
    )
    note = models.CharField(max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    # The revocation, for REVOKE.
    task = models.ForeignKey(
        "controls.RemediationTask", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    revocation = models.CharField(
        max_length=16, choices=Revocation.choices, blank=True, default=Revocation.NONE
    )
    revoke_by = models.DateTimeField(null=True, blank=True)  # end of the window
    verified_at = models.DateTimeField(null=True, blank=True)
    proof = models.JSONField(default=dict, blank=True)  # the sync that showed it gone

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "system", "username"], name="item_order"),
            models.Index(fields=["campaign", "decision"], name="item_decision"),
            models.Index(fields=["organization", "revocation"], name="item_revocation"),
        ]
        ordering = ["system", "username", "id"]

    def __str__(self) -> str:
        return f"{self.username} ({self.system})"

    @property
    def flags(self) -> list[str]:
        return [label for name, label in FLAGS if getattr(self, name)]
