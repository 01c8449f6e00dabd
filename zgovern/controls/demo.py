"""Demo records of the controls app: owners for the controls, one status set by hand with
its justification, the demo evidence linked to the controls that ask for it, and a handful
of remediation tasks.

Everything goes through the services, and each step runs only while its part is still
untouched (no owner anywhere, no override anywhere, no task yet, a link missing), so a
second run adds nothing and choices made while trying the demo are kept. An organisation
without controls (no framework adopted) gets one control, so every page has an object.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zgovern.controls import services
from zgovern.controls.models import (
    Control,
    ControlEvidence,
    ControlStatus,
    EvidenceRequirement,
    Priority,
    RemediationTask,
    TaskStatus,
)
from zgovern.controls.remediation import DAYS_FOR_PRIORITY, PRIORITY_FOR_SEVERITY, gap_title
from zgovern.evidence.models import EvidenceItem
from zgovern.tenancy.roles import Role

STARTER_KEY = "access-reviews-quarterly"
# Who owns which domain: the owner the programme, the admin the platform, the member people.
OWNER_BY_DOMAIN = {
    "governance": Role.OWNER, "risk": Role.OWNER, "privacy": Role.OWNER,
    "hr": Role.MEMBER, "vendor": Role.MEMBER, "endpoint": Role.MEMBER,
    "development": Role.MEMBER,
}  # fmt: skip
LEFT_UNOWNED = {"capacity-planning", "media-disposal"}  # so "no owner" shows in the list
OVERRIDE = (
    "penetration-test",
    ControlStatus.IMPLEMENTED,
    "The yearly penetration test by Northwind Security ran 3-14 March; the final report "
    "is still being written, so it cannot be evidenced yet. Follow-up is tracked in SEC-201.",
)
GAP_TASKS = 4  # tasks made from the worst gaps


def load(context) -> None:
    org, actor = context.organization, context.actor
    if not Control.objects.filter(organization=org).exists():
        _starter_control(context)
    _owners(context)
    _override(context)
    _links(org, actor)
    _tasks(context)


def _user(context, role: str):
    """The demo person with ``role``, or the owner when the organisation has none."""
    return context.users.get(role) or context.users.get(Role.OWNER)


def _pk(user) -> int | None:
    return user.pk if user is not None else None


def _starter_control(context) -> None:
    org, actor = context.organization, context.actor
    control = services.create_control(
        org, actor, key=STARTER_KEY, name="User access is reviewed every quarter",
        description="Each quarter the system owners review who can reach production and "
        "customer data, and remove access that is no longer needed.",
        domain="access", frequency="quarterly", severity="high",
        owner=_pk(_user(context, Role.ADMIN)),
    )  # fmt: skip
    services.add_requirement(
        org, actor, control.pk, kind="access_review",
        description="Signed-off access review of production systems", freshness_days=92,
    )  # fmt: skip
    services.add_check(org, actor, control.pk, "okta.users.inactive_suspended")
    services.add_policy(org, actor, control.pk, "access-control")


def _owners(context) -> None:
    org, actor = context.organization, context.actor
    controls = Control.objects.filter(organization=org)
    if controls.filter(owner__isnull=False).exists():
        return  # owners were given already (by a run before, or by a person)
    for control in controls.exclude(key__in=LEFT_UNOWNED).order_by("key"):
        owner = _user(context, OWNER_BY_DOMAIN.get(control.domain, Role.ADMIN))
        if owner is not None:
            services.set_owner(org, actor, control.pk, owner.pk)


def _override(context) -> None:
    org, actor = context.organization, context.actor
    controls = Control.objects.filter(organization=org)
    if controls.exclude(override_status="").exists():
        return
    key, status, justification = OVERRIDE
    control = controls.filter(key=key).first() or controls.order_by("key").first()
    services.set_override(org, actor, control.pk, status=status, justification=justification)


def _links(org, actor) -> None:
    """On the first run, link the organisation's evidence (the evidence demo's items) to
    every control that requires its kind."""
    if ControlEvidence.objects.filter(organization=org).exists():
        return
    for item in EvidenceItem.objects.filter(organization=org).order_by("-collected_at")[:20]:
        wanting = EvidenceRequirement.objects.filter(organization=org, kind=item.kind)
        for control_id in sorted(set(wanting.values_list("control_id", flat=True))):
            services.link_evidence(org, actor, control_id, item.pk)


def _tasks(context) -> None:
    """Tasks for the worst gaps (one in progress, one done), and one without a control.
    Target dates are in the near future: the service refuses past ones."""
    from zgovern.readiness.engine import assess_organization

    org, actor = context.organization, context.actor
    if RemediationTask.objects.filter(organization=org).exists():
        return
    gaps: dict[int, object] = {}
    for readiness in assess_organization(org).frameworks:
        for state in readiness.gaps:
            gaps.setdefault(state.control.pk, state)
    today = timezone.localdate()
    for index, state in enumerate(list(gaps.values())[:GAP_TASKS]):
        priority = PRIORITY_FOR_SEVERITY.get(state.control.severity, Priority.MEDIUM)
        days = 2 if index == 0 else DAYS_FOR_PRIORITY[priority]  # the first one is due soon
        task = services.create_task(
            org, actor, title=gap_title(state.control.name, state.verdict),
            description="\n".join(f"- {reason}" for reason in state.verdict.reasons),
            control=state.control.pk, owner=state.control.owner_id, priority=priority,
            target_date=today + timedelta(days=days),
        )  # fmt: skip
        if index in (1, 3):
            status = TaskStatus.IN_PROGRESS if index == 1 else TaskStatus.DONE
            services.set_task_status(org, actor, task.pk, status)
    services.create_task(
        org, actor, title="Choose the audit firm and book the SOC 2 Type I fieldwork",
        description="Shortlist three firms, compare quotes and agree the audit window.",
        owner=_pk(_user(context, Role.OWNER)), priority=Priority.HIGH,
        target_date=today + timedelta(days=45),
    )  # fmt: skip
