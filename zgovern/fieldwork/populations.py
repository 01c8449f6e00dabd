"""The populations of an audit period, and the evidence that a control operated for one
item of them.

Every item has a string ``key`` that is stable across time (``"42"`` for a person, a
change, an incident or an assessment; ``"account:7:created"``, ``"account:7:deactivated"``
or ``"revoke:9"`` for access changes), which is what a sample stores. Items are listed in a
fixed order, so a seeded sample drawn from the list is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from zgovern.fieldwork.models import PopulationKind

Fact = tuple[str, str]
OPERATED, EXCEPTION = "operated", "exception"


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    on: date | None  # the day that puts it in the period
    columns: tuple[Any, ...]


@dataclass(frozen=True)
class Population:
    kind: str
    title: str
    header: tuple[str, ...]
    items: list[Item]

    def item_keys(self) -> list[str]:
        return [item.key for item in self.items]


@dataclass
class ItemEvidence:
    """What shows that the control operated for one item: facts, and a verdict."""

    key: str
    label: str
    verdict: str
    facts: list[Fact] = field(default_factory=list)

    @property
    def operated(self) -> bool:
        return self.verdict == OPERATED


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period as [start, end) instants in the site's time zone."""
    zone = timezone.get_current_timezone()
    first = datetime.combine(start, datetime.min.time(), zone)
    return first, datetime.combine(end + timedelta(days=1), datetime.min.time(), zone)


def _day(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def _text(moment: datetime | date | None) -> str:
    if moment is None:
        return "—"
    if isinstance(moment, datetime):
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    return moment.isoformat()


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.1f} h" if abs(hours) < 48 else f"{hours / 24:.1f} days"


# -- the populations ---------------------------------------------------------------------


def new_hires(org, start: date, end: date) -> Population:
    from zgovern.people.models import Person

    rows = Person.objects.filter(organization=org, start_date__gte=start, start_date__lte=end)
    items = [
        Item(
            str(p.pk),
            p.full_name,
            p.start_date,
            (p.pk, p.full_name, p.work_email, p.employment_type, p.department, p.start_date),
        )
        for p in rows.order_by("start_date", "id")
    ]
    header = ("id", "name", "work email", "type", "department", "start date")
    return Population(PopulationKind.NEW_HIRES, "New hires", header, items)


def terminations(org, start: date, end: date) -> Population:
    from zgovern.people.models import Person

    rows = Person.objects.filter(organization=org, end_date__gte=start, end_date__lte=end)
    items = [
        Item(
            str(p.pk),
            p.full_name,
            p.end_date,
            (p.pk, p.full_name, p.work_email, p.employment_type, p.department, p.end_date),
        )
        for p in rows.order_by("end_date", "id")
    ]
    header = ("id", "name", "work email", "type", "department", "last day")
    return Population(PopulationKind.TERMINATIONS, "Terminations", header, items)


def changes(org, start: date, end: date) -> Population:
    from zgovern.changes.models import ChangeRecord

    first, last = bounds(start, end)
    rows = ChangeRecord.objects.filter(organization=org, merged_at__gte=first, merged_at__lt=last)
    items = [
        Item(
            str(c.pk),
            f"{c.repository}#{c.number} {c.title}",
            _day(c.merged_at),
            (
                c.pk,
                c.repository,
                c.number,
                c.title,
                c.author,
                c.merged_at,
                c.merged_by,
                " ".join(c.approvers),
                c.checks,
            ),
        )
        for c in rows.order_by("merged_at", "id")
    ]
    header = (
        "id",
        "repository",
        "number",
        "title",
        "author",
        "merged at",
        "merged by",
        "approvers",
        "checks",
    )
    return Population(PopulationKind.CHANGES, "Production changes", header, items)


def incidents(org, start: date, end: date) -> Population:
    from zgovern.incidents.models import Incident

    first, last = bounds(start, end)
    rows = Incident.objects.filter(organization=org, detected_at__gte=first, detected_at__lt=last)
    items = [
        Item(
            str(i.pk),
            i.title,
            _day(i.detected_at),
            (i.pk, i.title, i.severity.name, i.status, i.detected_at, i.resolved_at),
        )
        for i in rows.select_related("severity").order_by("detected_at", "id")
    ]
    header = ("id", "title", "severity", "status", "detected at", "resolved at")
    return Population(PopulationKind.INCIDENTS, "Incidents", header, items)


def access_changes(org, start: date, end: date) -> Population:
    """Accounts that appeared or were deactivated in the period, and access-review
    REVOKE decisions taken in it, in time order."""
    from zgovern.identity.models import Account
    from zgovern.reviews.models import Decision, ReviewItem

    first, last = bounds(start, end)
    found: list[tuple[datetime, str, Item]] = []
    accounts = Account.objects.filter(organization=org).filter(
        Q(first_seen_at__gte=first, first_seen_at__lt=last)
        | Q(deactivated_at__gte=first, deactivated_at__lt=last)
    )
    for a in accounts.select_related("person"):
        for event, at in (("created", a.first_seen_at), ("deactivated", a.deactivated_at)):
            if at is not None and first <= at < last:
                key = f"account:{a.pk}:{event}"
                who = a.person.full_name if a.person_id else ""
                columns = (key, event, a.system, a.username, who, at, "")
                found.append(
                    (at, key, Item(key, f"{a.system} {a.username} {event}", _day(at), columns))
                )
    revokes = ReviewItem.objects.filter(
        organization=org, decision=Decision.REVOKE, decided_at__gte=first, decided_at__lt=last
    ).select_related("campaign")
    for r in revokes:
        key = f"revoke:{r.pk}"
        columns = (
            key,
            "review revoke",
            r.system,
            r.username,
            r.person_name,
            r.decided_at,
            r.campaign.title,
        )
        label = f"{r.system} {r.username} revoked in review"
        found.append((r.decided_at, key, Item(key, label, _day(r.decided_at), columns)))
    found.sort(key=lambda row: (row[0], row[1]))
    header = ("key", "change", "system", "account", "person", "at", "review")
    items = [item for _, _, item in found]
    return Population(PopulationKind.ACCESS_CHANGES, "Access changes", header, items)


def vendor_reviews(org, start: date, end: date) -> Population:
    """Vendor assessments concluded in the period (or started in it, when not yet)."""
    from zgovern.vendors.models import Assessment

    first, last = bounds(start, end)
    rows = Assessment.objects.filter(organization=org).filter(
        Q(assessed_at__gte=first, assessed_at__lt=last)
        | Q(assessed_at__isnull=True, created_at__gte=first, created_at__lt=last)
    )
    items = [
        Item(
            str(a.pk),
            f"{a.vendor.name}: {a.questionnaire_title}",
            _day(a.assessed_at or a.created_at),
            (
                a.pk,
                a.vendor.name,
                a.vendor.criticality,
                a.questionnaire_title,
                a.status,
                a.conclusion,
                a.assessed_at,
            ),
        )
        for a in rows.select_related("vendor").order_by("created_at", "id")
    ]
    header = ("id", "vendor", "criticality", "questionnaire", "status", "conclusion", "assessed at")
    return Population(PopulationKind.VENDOR_REVIEWS, "Vendor reviews", header, items)


LISTERS: dict[str, Callable[[Any, date, date], Population]] = {
    PopulationKind.NEW_HIRES: new_hires,
    PopulationKind.TERMINATIONS: terminations,
    PopulationKind.CHANGES: changes,
    PopulationKind.INCIDENTS: incidents,
    PopulationKind.ACCESS_CHANGES: access_changes,
    PopulationKind.VENDOR_REVIEWS: vendor_reviews,
}


def population(org, kind: str, start: date, end: date) -> Population:
    return LISTERS[kind](org, start, end)


# -- evidence per item -------------------------------------------------------------------


def evidence(org, kind: str, keys: Iterable[str]) -> list[ItemEvidence]:
    """The evidence of each item named by ``keys`` (in that order); an item deleted since
    it was sampled says so instead of disappearing."""
    keys = list(keys)
    found = EVIDENCE[kind](org, keys)
    return [
        found.get(key) or ItemEvidence(key, key, EXCEPTION, [("record", "deleted")]) for key in keys
    ]


def _ids(keys: list[str]) -> list[int]:
    return [int(key) for key in keys if key.isdigit()]


def _hire_evidence(org, keys: list[str]) -> dict[str, ItemEvidence]:
    from zgovern.people.models import CheckStatus, Person

    out = {}
    rows = Person.objects.filter(organization=org, pk__in=_ids(keys))
    for p in rows.prefetch_related("background_checks", "trainings"):
        checks = list(p.background_checks.all())
        trainings = list(p.trainings.all())
        facts = [("start date", _text(p.start_date))]
        facts += [
            (
                f"background check ({c.provider or 'provider not named'})",
                f"{c.get_status_display()} on {_text(c.completed_on)}",
            )
            for c in checks
        ]
        facts += [("training", f"{t.course_title} on {_text(t.completed_on)}") for t in trainings]
        if not checks:
            facts.append(("background check", "none recorded"))
        if not trainings:
            facts.append(("training", "none recorded"))
        cleared = any(c.status == CheckStatus.CLEAR and c.completed_on for c in checks)
        verdict = OPERATED if cleared and trainings else EXCEPTION
        out[str(p.pk)] = ItemEvidence(str(p.pk), p.full_name, verdict, facts)
    return out


def _leaver_evidence(org, keys: list[str]) -> dict[str, ItemEvidence]:
    from zgovern.identity.models import Account, AccountStatus
    from zgovern.identity.services import settings_for
    from zgovern.integrations.workforce.checks import add_business_days
    from zgovern.people.models import Person

    window = settings_for(org).revocation_business_days
    out = {}
    people = list(Person.objects.filter(organization=org, pk__in=_ids(keys)))
    by_person: dict[int, list] = {}
    linked = Account.objects.filter(organization=org, person__in=people, is_service=False)
    for a in linked.order_by("system", "username", "pk"):
        by_person.setdefault(a.person_id, []).append(a)
    for p in people:
        deadline = add_business_days(p.end_date, window) if p.end_date else None
        facts = [("last day", _text(p.end_date)), ("disable by", _text(deadline))]
        verdict = OPERATED
        for a in by_person.get(p.pk, []):
            facts.append((f"{a.system} {a.username}", _disabled(a, p.end_date)))
            on_time = a.deactivated_at is not None and _day(a.deactivated_at) <= deadline
            if a.status == AccountStatus.ACTIVE or not on_time:
                verdict = EXCEPTION
        if len(facts) == 2:
            facts.append(("accounts", "none linked"))
        out[str(p.pk)] = ItemEvidence(str(p.pk), p.full_name, verdict, facts)
    return out


def _disabled(account, end_date: date | None) -> str:
    if account.deactivated_at is None:
        return f"still {account.status}" if account.status == "active" else "no date recorded"
    if end_date is None:
        return f"disabled {_text(account.deactivated_at)}"
    after = account.deactivated_at - bounds(end_date, end_date)[1]
    when = "after the end of the last day" if after >= timedelta(0) else "before the last day ended"
    return f"disabled {_text(account.deactivated_at)}, {_hours(abs(after))} {when}"


def _change_evidence(org, keys: list[str]) -> dict[str, ItemEvidence]:
    from zgovern.changes.models import ChangeRecord, ChecksState

    out = {}
    for c in ChangeRecord.objects.filter(organization=org, pk__in=_ids(keys)):
        facts = [
            ("author", c.author),
            ("approvers", ", ".join(c.approvers) or "none"),
            ("checks", c.get_checks_display()),
            ("merged", f"{_text(c.merged_at)} by {c.merged_by or '—'}"),
        ]
        if c.flagged_reason:
            facts.append(("flagged", c.flagged_reason))
        verdict = OPERATED if c.approved and c.checks == ChecksState.PASSED else EXCEPTION
        out[str(c.pk)] = ItemEvidence(str(c.pk), str(c), verdict, facts)
    return out


def _incident_evidence(org, keys: list[str]) -> dict[str, ItemEvidence]:
    from zgovern.incidents.models import Incident

    out = {}
    rows = Incident.objects.filter(organization=org, pk__in=_ids(keys)).select_related("severity")
    for i in rows:
        facts = [("severity", i.severity.name), ("detected", _text(i.detected_at))]
        if i.started_at:
            facts.append(("time to detect", _hours(i.detected_at - i.started_at)))
        facts.append(("resolved", _text(i.resolved_at)))
        if i.resolved_at:
            facts.append(("time to resolve", _hours(i.resolved_at - i.detected_at)))
        facts.append(("response due", _text(i.due_at)))
        on_time = i.resolved_at is not None and i.resolved_at <= i.due_at
        out[str(i.pk)] = ItemEvidence(str(i.pk), i.title, OPERATED if on_time else EXCEPTION, facts)
    return out


def _access_evidence(org, keys: list[str]) -> dict[str, ItemEvidence]:
    from zgovern.identity.models import Account
    from zgovern.reviews.models import ReviewItem, Revocation

    out: dict[str, ItemEvidence] = {}
    account_ids = [int(k.split(":")[1]) for k in keys if k.startswith("account:")]
    accounts = {
        a.pk: a
        for a in Account.objects.filter(organization=org, pk__in=account_ids).select_related(
            "person"
        )
    }
    for key in keys:
        kind, _, rest = key.partition(":")
        if kind == "account" and (a := accounts.get(int(rest.split(":")[0]))):
            out[key] = _account_change(key, a, rest.endswith("deactivated"))
    revoke_ids = [int(k.split(":")[1]) for k in keys if k.startswith("revoke:")]
    for r in ReviewItem.objects.filter(organization=org, pk__in=revoke_ids).select_related(
        "decided_by", "campaign"
    ):
        facts = [
            ("review", r.campaign.title),
            ("decided", _text(r.decided_at)),
            ("decided by", r.decided_by.email if r.decided_by else "—"),
            ("note", r.note or "—"),
            ("revocation", r.get_revocation_display()),
            ("revoke by", _text(r.revoke_by)),
            ("verified", _text(r.verified_at)),
        ]
        verdict = OPERATED if r.revocation == Revocation.VERIFIED else EXCEPTION
        out[f"revoke:{r.pk}"] = ItemEvidence(f"revoke:{r.pk}", str(r), verdict, facts)
    return out


def _account_change(key: str, account, deactivated: bool) -> ItemEvidence:
    person = account.person
    facts = [
        ("system", account.system),
        ("account", account.username),
        ("person", person.full_name if person else "not linked to anyone"),
    ]
    if deactivated:
        facts.append(("deactivated", _text(account.deactivated_at)))
        if person and person.end_date:
            facts.append(("person's last day", _text(person.end_date)))
            facts.append(("timing", _disabled(account, person.end_date)))
        verdict = OPERATED
    else:
        facts.append(("first seen", _text(account.first_seen_at)))
        if person:
            facts.append(("person's start date", _text(person.start_date)))
        verdict = OPERATED if person is not None or account.is_service else EXCEPTION
    label = f"{account.system} {account.username}"
    return ItemEvidence(key, label, verdict, facts)


def _vendor_evidence(org, keys: list[str]) -> dict[str, ItemEvidence]:
    from zgovern.vendors.models import Assessment, VendorConclusion

    out = {}
    rows = Assessment.objects.filter(organization=org, pk__in=_ids(keys)).select_related(
        "vendor", "reviewed_by"
    )
    for a in rows:
        facts = [
            ("vendor", a.vendor.name),
            ("status", a.get_status_display()),
            ("conclusion", a.get_conclusion_display() or "none yet"),
            ("reviewer", a.reviewed_by.email if a.reviewed_by else "—"),
            ("assessed", _text(a.assessed_at)),
            ("notes", a.review_notes or "—"),
            ("next review due", _text(a.next_review_due)),
        ]
        concluded = a.conclusion in (VendorConclusion.ACCEPTABLE, VendorConclusion.WITH_CONDITIONS)
        verdict = OPERATED if concluded and a.reviewed_by_id else EXCEPTION
        out[str(a.pk)] = ItemEvidence(str(a.pk), str(a), verdict, facts)
    return out


EVIDENCE: dict[str, Callable[[Any, list[str]], dict[str, ItemEvidence]]] = {
    PopulationKind.NEW_HIRES: _hire_evidence,
    PopulationKind.TERMINATIONS: _leaver_evidence,
    PopulationKind.CHANGES: _change_evidence,
    PopulationKind.INCIDENTS: _incident_evidence,
    PopulationKind.ACCESS_CHANGES: _access_evidence,
    PopulationKind.VENDOR_REVIEWS: _vendor_evidence,
}
