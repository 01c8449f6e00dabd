"""Demo policies of Acme Cloud: the Acceptable Use Policy and the Code of Conduct published
and acknowledged by part of the roster (the code of conduct long enough ago that the others
are overdue), the Access Control Policy published thirteen months ago and now past its
review (with its review task), and the Encryption Policy still a draft. The policy checks
are set up. Each step runs only when its result is missing, so loading twice adds nothing."""

from __future__ import annotations

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from zgovern.people.models import Person
from zgovern.policies import queries, services
from zgovern.policies.models import Policy, PolicyVersion, VersionStatus

# template key -> (published?, days since publication, people who acknowledged)
PLAN = {
    "acceptable-use": (True, 5, ("olivia", "adam", "maria", "eric", "nina")),
    "code-of-conduct": (True, 45, ("olivia", "adam", "maria", "raj")),
    "access-control": (True, 400, ("olivia", "adam")),
    "encryption": (False, 0, ()),
}


def load(context) -> None:
    org, actor = context.organization, context.actor
    owner = context.users.get("owner")
    for key, (publish, age, readers) in PLAN.items():
        policy = Policy.objects.filter(organization=org, key=key).first()
        if policy is None:
            policy = services.adopt_template(
                org, actor, template_key=key, owner=owner.pk if owner else None
            )
        if not publish:
            continue
        version = policy.versions.order_by("-number").first()
        if version.published_at is None:
            _publish(org, actor, version)
            _as_if_published(policy, version, age)
        for local in readers:
            _acknowledge(org, actor, f"{local}@acme.example", policy)
    services.flag_overdue_reviews(org, actor)
    services.ensure_policy_checks(org, actor)


def _publish(org, actor, version: PolicyVersion) -> None:
    if version.status == VersionStatus.DRAFT:
        services.submit_for_review(org, actor, version.pk)
    if version.status in (VersionStatus.DRAFT, VersionStatus.IN_REVIEW):
        services.approve(org, actor, version.pk)
    services.publish(org, actor, version.pk)


def _as_if_published(policy: Policy, version: PolicyVersion, age: int) -> None:
    """Demo history only: move a fresh publication back in time, so the demo shows a
    window that has passed and a review that is due."""
    if not age:
        return
    when = timezone.now() - timedelta(days=age)
    PolicyVersion.objects.filter(pk=version.pk).update(
        published_at=when, approved_at=when, submitted_at=when, effective_date=when.date()
    )
    version.approvals.update(approved_at=when)
    review = timezone.localdate(when) + relativedelta(months=policy.review_cadence_months)
    Policy.objects.filter(pk=policy.pk).update(next_review_date=review)


def _acknowledge(org, actor, email: str, policy: Policy) -> None:
    person = Person.objects.filter(organization=org, work_email=email).first()
    if person is None:
        return
    pending = {v.policy_id: v for v in queries.pending_for(org, person)}
    version = pending.get(policy.pk)
    if version is None:
        return
    ack = services.acknowledge(
        org, actor, person=person, version_id=version.pk, client_ip="192.0.2.10",
        user_agent="Mozilla/5.0 (demo)",
    )  # fmt: skip
    # Demo history: those who acknowledged did so a few days after publication.
    when = min(version.published_at + timedelta(days=3), ack.acknowledged_at)
    type(ack).objects.filter(pk=ack.pk).update(acknowledged_at=when)
