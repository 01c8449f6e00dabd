"""Demo risks of Acme Cloud: five risks across categories, one accepted (until half a year
from now), one whose acceptance expired last month, one whose review is overdue, with
residual ratings and linked controls where the organisation has them. Each risk is added
once, found by its title; the acceptances only when the risk has none."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zgovern.controls.models import Control
from zgovern.risks import services
from zgovern.risks.models import Risk
from zgovern.tenancy.roles import Role

# title, category, likelihood, impact, treatment, residual, review in days, control keys
RISKS = (
    ("Phishing leads to stolen employee credentials", "security", 4, 4, "mitigate", (2, 3), 60,
     ("mfa-enforced", "security-training")),
    ("Cloud storage misconfiguration exposes customer data", "security", 3, 5, "mitigate",
     (2, 4), 90, ("change-approval",)),
    ("Outage of the payment provider", "vendor", 2, 3, "", None, 120, ("vendor-assessments",)),
    ("Legacy reporting server runs without vendor support", "operational", 3, 2, "", None, 30,
     ()),
    ("Loss of key engineering staff", "strategic", 2, 3, "", None, -14, ()),
)  # fmt: skip
PLANS = {
    "mitigate": "Enforce phishing-resistant MFA everywhere and run quarterly phishing drills.",
}
ACCEPTED = "Outage of the payment provider"
EXPIRED = "Legacy reporting server runs without vendor support"


def load(context) -> None:
    org, actor = context.organization, context.actor
    today = timezone.localdate()
    approver = context.users.get(Role.OWNER)
    for title, category, likelihood, impact, treatment, residual, review, keys in RISKS:
        risk = Risk.objects.filter(organization=org, title=title).first()
        if risk is None:
            controls = Control.objects.filter(organization=org, key__in=keys)
            risk = services.create_risk(
                org, actor, title=title, category=category, likelihood=likelihood,
                impact=impact, treatment=treatment, treatment_plan=PLANS.get(treatment, ""),
                residual_likelihood=residual[0] if residual else None,
                residual_impact=residual[1] if residual else None,
                review_date=today + timedelta(days=review),
                owner_email=approver.email if approver else "",
                control_ids=list(controls.values_list("pk", flat=True)),
            )  # fmt: skip
        if approver is None or risk.accepted_by_id is not None:
            continue
        if title == ACCEPTED:
            services.accept_risk(
                org, actor, risk.pk, approver_email=approver.email,
                expires_on=today + timedelta(days=180),
                note="A second provider costs more than a few hours of delayed payments.",
            )  # fmt: skip
        elif title == EXPIRED:
            services.accept_risk(
                org, actor, risk.pk, approver_email=approver.email,
                approved_on=today - timedelta(days=400), expires_on=today - timedelta(days=35),
                note="Accepted until the server's replacement, which has not happened yet.",
            )  # fmt: skip
