"""The risk register: scoring, treatment, acceptance and assessments.

A risk is scored on the organisation's likelihood and impact scales (1 to 5 each; see
:mod:`zgovern.risks.scales`). ``inherent_score`` and ``residual_score`` are stored
(likelihood times impact, kept by the services) so the register sorts and filters on them
in the database. An accepted risk carries who approved the acceptance, when, and until
when; an acceptance past its expiry is flagged until the risk is accepted again or
treated otherwise.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zgovern.tenancy.models import TenantModel


class Category(models.TextChoices):
    SECURITY = "security", "Security"
    OPERATIONAL = "operational", "Operational"
    COMPLIANCE = "compliance", "Compliance"
    PRIVACY = "privacy", "Privacy"
    VENDOR = "vendor", "Vendor"
    FINANCIAL = "financial", "Financial"
    STRATEGIC = "strategic", "Strategic"


class Treatment(models.TextChoices):
    UNDECIDED = "", "Not decided"
    MITIGATE = "mitigate", "Mitigate"
    ACCEPT = "accept", "Accept"
    TRANSFER = "transfer", "Transfer"
    AVOID = "avoid", "Avoid"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    TREATING = "treating", "Being treated"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


class Axis(models.TextChoices):
    LIKELIHOOD = "likelihood", "Likelihood"
    IMPACT = "impact", "Impact"


class ScaleLevel(TenantModel):
    """The organisation's own wording of one level of a scale (the default otherwise)."""

    axis = models.CharField(max_length=16, choices=Axis.choices)
    level = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=500)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "axis", "level"], name="risk_scale_level_per_org"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="risk_scale_level_1_to_5"
            ),
        ]
        ordering = ["axis", "level"]

    def __str__(self) -> str:
        return f"{self.axis} {self.level}: {self.name}"


def _score_range(name: str, nullable: bool = False) -> models.CheckConstraint:
    condition = Q(**{f"{name}__gte": 1, f"{name}__lte": 5})
    if nullable:
        condition |= Q(**{f"{name}__isnull": True})
    return models.CheckConstraint(condition=condition, name=f"risk_{name}_1_to_5")


class Risk(TenantModel):
    url_param = "risk_id"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=16, choices=Category.choices)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    owner_person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    inherent_score = models.PositiveSmallIntegerField()  # likelihood * impact
    treatment = models.CharField(max_length=16, choices=Treatment.choices, blank=True)
    treatment_plan = models.TextField(blank=True)
    controls = models.ManyToManyField("controls.Control", blank=True, related_name="risks")
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_score = models.PositiveSmallIntegerField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    accepted_at = models.DateTimeField(null=True, blank=True)
    acceptance_expires_on = models.DateField(null=True, blank=True)
    acceptance_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            _score_range("likelihood"),
            _score_range("impact"),
            _score_range("residual_likelihood", nullable=True),
            _score_range("residual_impact", nullable=True),
            models.CheckConstraint(
                condition=~Q(treatment="accept")
                | Q(accepted_by__isnull=False, acceptance_expires_on__isnull=False),
                name="risk_acceptance_has_approver_and_expiry",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "title"], name="risk_org_title"),
            models.Index(fields=["organization", "status"], name="risk_org_status"),
            models.Index(fields=["organization", "category"], name="risk_org_category"),
            models.Index(fields=["organization", "inherent_score"], name="risk_org_inherent"),
            models.Index(fields=["organization", "residual_score"], name="risk_org_residual"),
            models.Index(fields=["organization", "review_date"], name="risk_org_review"),
            models.Index(
                fields=["organization", "acceptance_expires_on"], name="risk_org_acceptance"
            ),
            models.Index(fields=["organization", "updated_at"], name="risk_org_updated"),
        ]
        ordering = ["-inherent_score", "title", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_label(self) -> str:
        return owner_label(self.owner_user, self.owner_person)

    @property
    def owner_email(self) -> str:
        return owner_email(self.owner_user, self.owner_person)

    def acceptance_expired(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.treatment == Treatment.ACCEPT
            and self.acceptance_expires_on is not None
            and self.acceptance_expires_on < today
        )

    def review_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        open_ = self.status != RiskStatus.CLOSED
        return open_ and self.review_date is not None and self.review_date < today


def owner_label(user, person) -> str:
    if user is not None:
        return user.full_name or user.email
    if person is not None:
        return person.full_name
    return ""


def owner_email(user, person) -> str:
    if user is not None:
        return user.email
    if person is not None:
        return person.work_email
    return ""
