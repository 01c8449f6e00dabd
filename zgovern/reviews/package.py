"""A completed campaign's evidence package, and the tables its exports share.

Two evidence items: the CSV of every decision (account, person, flags, decision, reviewer,
decided at, note, revocation) and a summary record (counts by decision, flag and system,
who reviewed, when it ran). Both are linked to the access-review controls the organisation
has adopted; a control it has not adopted is skipped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import QuerySet

from zgovern.controls import services as controls
from zgovern.controls.models import Control
from zgovern.core.actor import Actor
from zgovern.core.exports import csv_bytes
from zgovern.evidence import services as evidence
from zgovern.reviews.models import FLAGS, Campaign, Decision, ReviewItem
from zgovern.tenancy.models import Organization

CONTROL_KEYS = ("access-reviews-quarterly", "least-privilege", "privileged-access-restricted")
KIND = "access_review"
HEADER = (
    "system", "username", "account_email", "account_status", "privileged", "roles",
    "last_sign_in", "person", "person_email", "department", "person_status",
    "employment_type", "flags", "reviewer", "decision", "decided_by", "decided_at", "note",
    "revocation", "verified_at",
)  # fmt: skip


def controls_by_key(org: Organization, keys: tuple[str, ...]) -> list[Control]:
    """The organisation's controls among ``keys`` (those it has not adopted are absent)."""
    return list(Control.objects.filter(organization=org, key__in=keys).order_by("key"))


def rows(items: QuerySet[ReviewItem]) -> Iterator[list[Any]]:
    """One row per item, in ``HEADER``'s order."""
    items = items.select_related("reviewer", "decided_by").order_by("system", "username", "id")
    for item in items.iterator(chunk_size=2000):
        yield [
            item.system, item.username, item.account_email, item.account_status,
            item.privileged, item.roles, _when(item.last_login_at), item.person_name,
            item.person_email, item.person_department, item.person_status,
            item.employment_type, "; ".join(item.flags), item.reviewer.email,
            item.decision.upper(), item.decided_by.email if item.decided_by else "",
            _when(item.decided_at), item.note, item.revocation, _when(item.verified_at),
        ]  # fmt: skip


def _when(moment) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def summary(campaign: Campaign) -> dict[str, Any]:
    """Counts of the campaign's items by decision, flag and system, and its reviewers."""
    items = ReviewItem.objects.filter(organization=campaign.organization, campaign=campaign)
    values = items.values_list("system", "decision", "decided_by__email", "revocation",
                               *[name for name, _ in FLAGS])  # fmt: skip
    decisions, systems, reviewers, revocations, flags = (Counter() for _ in range(5))
    for system, decision, decided_by, revocation, *flagged in values.iterator(chunk_size=5000):
        decisions[decision or "undecided"] += 1
        systems[system] += 1
        reviewers[decided_by or ""] += 1
        revocations[revocation or "none"] += 1
        for (name, _), on in zip(FLAGS, flagged, strict=True):
            flags[name.removeprefix("flag_")] += int(on)
    return {
        "campaign": campaign.pk,
        "title": campaign.title,
        "systems": dict(sorted(systems.items())),
        "started_at": _when(campaign.started_at),
        "due_date": campaign.due_date.isoformat(),
        "completed_at": _when(campaign.completed_at),
        "completed_by": campaign.completed_by.email if campaign.completed_by else "",
        "accounts": sum(systems.values()),
        "approved": decisions[Decision.APPROVE],
        "revoked": decisions[Decision.REVOKE],
        "undecided": decisions["undecided"],
        "flags": dict(sorted(flags.items())),
        "revocations": dict(sorted(revocations.items())),
        "decisions_by_reviewer": dict(sorted((k, v) for k, v in reviewers.items() if k)),
    }


def store(org: Organization, actor: Actor, campaign: Campaign):
    """Store the CSV and the summary as evidence, link both to the adopted controls and
    return them. Runs inside the completion's transaction."""
    items = ReviewItem.objects.filter(organization=org, campaign=campaign)
    content = csv_bytes(HEADER, rows(items))
    period = {
        "period_start": campaign.started_at.date(),
        "period_end": campaign.completed_at.date(),
    }
    tags = ["access-review", f"campaign-{campaign.pk}"]
    csv_item = evidence.add_file(
        org, actor, kind=KIND, title=f"{campaign.title}: decisions"[:200],
        uploaded_file=ContentFile(content, name=f"access-review-{campaign.pk}-decisions.csv"),
        description="Every account reviewed, with the decision, the reviewer and the time.",
        tags=tags, **period,
    )  # fmt: skip
    summary_item = evidence.add_record(
        org, actor, kind=KIND, title=f"{campaign.title}: summary"[:200],
        record=summary(campaign), tags=tags, **period,
        description="Counts by decision, flag and system, and who reviewed.",
    )  # fmt: skip
    for control in controls_by_key(org, CONTROL_KEYS):
        for item in (csv_item, summary_item):
            controls.link_evidence(org, actor, control.pk, item.pk)
    return csv_item, summary_item
