"""3. Policies: a policy not approved, past its review date, or not acknowledged by
someone in its audience within its window (the policy's own ``ack_window_days``, 30 by
default) — tested as of the period's end."""

from __future__ import annotations

from zgovern.findings.scan.base import Exceptions, Item, Period, Windows, plural, ref
from zgovern.policies import audience as aud
from zgovern.policies.models import Acknowledgement, Policy, VersionStatus

CATEGORY = "policies"
CONTROLS = ("policies-approved", "policies-acknowledged")
CRITERIA = ("soc2:CC5.3", "soc2:CC2.2")
SEVERITY = "high"
APPROVED = (VersionStatus.APPROVED, VersionStatus.PUBLISHED)


def evaluate(org, period: Period, windows: Windows) -> Exceptions:
    items: list[Item] = []
    policies = list(Policy.objects.filter(organization=org).order_by("title", "id"))
    required = 0
    for policy in policies:
        items += _approval(policy, period)
        found, count = _acknowledgements(policy, period)
        items += found
        required += count
    bad = len({i.subject_id for i in items if i.subject_type == "policy"})
    acks = sum(1 for i in items if i.subject_type == "acknowledgement")
    summary = (
        f"{bad} of {plural(len(policies), 'policy', 'policies')} were not approved or past "
        f"review as of {period.as_of}; {acks} of {plural(required, 'required acknowledgement')}"
        f" were late or missing"
    )
    return Exceptions(items, population=len(policies), summary=summary)


def _base(policy: Policy) -> dict:
    return {
        "severity": SEVERITY,
        "system": "policies",
        "subject_type": "policy",
        "subject_id": str(policy.pk),
        "subject_label": policy.title,
        "evidence": [ref("policy", policy.pk, policy.title)],
    }


def _approval(policy: Policy, period: Period) -> list[Item]:
    found = []
    if not policy.versions.filter(status__in=APPROVED).exists():
        found.append(
            Item(
                key=f"policies:unapproved:{policy.pk}",
                wording=f"Policy {policy.title} has no approved version",
                controls=("policies-approved",),
                **_base(policy),
            )
        )
    review = policy.next_review_date
    if review is not None and review < period.as_of:
        found.append(
            Item(
                key=f"policies:review:{policy.pk}",
                controls=("policies-approved",),
                wording=f"Policy {policy.title} was past its review date ({review}) as of "
                f"{period.as_of}",
                **{**_base(policy), "severity": "medium"},
            )
        )
    return found


def _acknowledgements(policy: Policy, period: Period) -> tuple[list[Item], int]:
    base = aud.baseline(policy)
    if base is None:
        return [], 0
    acks: dict[int, list] = {}
    rows = Acknowledgement.objects.filter(organization=policy.organization, policy=policy)
    fields = ("person_id", "version__number", "acknowledged_at")
    for person_id, number, at in rows.values_list(*fields):
        acks.setdefault(person_id, []).append((number, at))
    people = aud.audience(policy, period.as_of).filter(start_date__lte=period.as_of)
    found, count = [], 0
    for person in people.only("id", "full_name", "start_date"):
        count += 1
        st = aud.standing(
            base, person, policy.ack_window_days, acks.get(person.pk, []), today=period.as_of
        )
        if st.state == "overdue" or (st.state == "late" and st.due >= period.start):
            found.append(_ack_item(policy, base, person, st))
    return found, count


def _ack_item(policy, base, person, st) -> Item:
    how = (
        f"acknowledged it late on {st.acknowledged_at:%Y-%m-%d}"
        if st.done
        else "had not acknowledged it as of the period's end"
    )
    return Item(
        key=f"policies:ack:{policy.pk}:{person.pk}",
        severity="medium",
        system="policies",
        subject_type="acknowledgement",
        subject_id=f"{policy.pk}:{person.pk}",
        subject_label=f"{person.full_name} / {policy.title}",
        wording=f"{person.full_name} was required to acknowledge {policy.title} "
        f"v{base.number} by {st.due} and {how}",
        controls=("policies-acknowledged",),
        evidence=[
            ref("policy", policy.pk, policy.title),
            ref("person", person.pk, person.full_name),
        ],
    )
