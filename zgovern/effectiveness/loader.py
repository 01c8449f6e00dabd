"""Loads what the timelines need for many controls at once: one query per kind of record
(control checks, integrations, intervals, runs, requirements, evidence, campaigns, people,
background checks, training, changes), never one per day or per control.

:func:`timelines` is the entry point; :mod:`zgovern.effectiveness.timeline` does the
judging.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from zgovern.changes.models import ChangeRecord
from zgovern.controls.models import Control, ControlCheck, ControlEvidence, EvidenceRequirement
from zgovern.core.rows import plain_rows
from zgovern.effectiveness.timeline import (
    ACCESS_REVIEW_KEYS,
    CHANGE_KEYS,
    HIRE_KEYS,
    STALE_AFTER,
    Clock,
    ControlInputs,
    Timeline,
    change_items,
    check_spans,
    control_timeline,
    hire_items,
    review_quarters,
)
from zgovern.evidence.models import EvidenceItem
from zgovern.integrations.models import Integration
from zgovern.monitoring.models import CheckInterval, CheckRun, RunStatus
from zgovern.people.models import BackgroundCheck, Person, TrainingCompletion
from zgovern.reviews.models import Campaign

OK_RUNS = (RunStatus.SUCCEEDED, RunStatus.PARTIAL)
JUDGED_STATUSES = ("pass", "fail")
CLEAR_CHECKS = ("clear", "consider")


def clock(now: datetime | None = None) -> Clock:
    """The site's time zone view of instants (see :class:`Clock`)."""
    zone = timezone.get_current_timezone()

    def to_day(moment: datetime) -> date:
        return moment.astimezone(zone).date()

    def at(day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), zone)

    return Clock(to_day, at, now or timezone.now())


def timelines(
    org, controls: list[Control], start: date, end: date, now: datetime | None = None
) -> dict[int, Timeline]:
    """Each control's timeline over [start, end], keyed by control id."""
    time = clock(now)
    begin, finish = time.at(start), min(time.at(end + timedelta(days=1)), time.now)
    ids = [c.pk for c in controls]
    keys = {c.pk: c.key for c in controls}
    checks = _checks(org, ids)
    all_checks = {c for names in checks.values() for c in names}
    intervals = _intervals(org, all_checks, begin, finish)
    connected = _connected(org, all_checks, intervals)
    runs = _runs(org, connected, begin, finish)
    requirements = _requirements(org, ids)
    evidence = _evidence(org, ids, requirements, begin, finish)
    wanted = set(keys.values())
    reviews = _reviews(org, start, end, time.today) if wanted & ACCESS_REVIEW_KEYS else None
    hires = _hires(org, wanted, start, end, time.today) if wanted & HIRE_KEYS else {}
    changes = _changes(org, begin, finish) if wanted & CHANGE_KEYS else None
    spans = {
        name: check_spans(intervals.get(name, ()), runs.get(name, []), begin, finish)
        for name in connected
    }
    out = {}
    for pk, key in keys.items():
        names = tuple(sorted(checks.get(pk, ())))
        inputs = ControlInputs(
            key=key,
            check_ids=names,
            connected=frozenset(connected),
            spans=spans,
            requirements=requirements.get(pk, ()),
            evidence=evidence.get(pk, {}),
            reviews=reviews if key in ACCESS_REVIEW_KEYS else None,
            population=hires.get(key) if key in HIRE_KEYS else (
                changes if key in CHANGE_KEYS else None
            ),
        )  # fmt: skip
        out[pk] = control_timeline(inputs, start, end, time)
    return out


def _checks(org, ids: list[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    rows = ControlCheck.objects.filter(organization=org, control_id__in=ids)
    for control_id, check_id in rows.values_list("control_id", "check_id"):
        out[control_id].add(check_id)
    return out


def _intervals(org, check_ids: set[str], begin: datetime, finish: datetime):
    out: dict[str, list] = defaultdict(list)
    if not check_ids:
        return out
    rows = CheckInterval.objects.filter(
        organization=org,
        check_id__in=check_ids,
        status__in=JUDGED_STATUSES,
        started_at__lt=finish,
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=begin))
    fields = ("check_id", "status", "started_at", "ended_at")
    for check_id, status, started, ended in plain_rows(rows, fields, fields[2:]):
        out[check_id].append((status, started, ended))
    return out


def _provider(check_id: str) -> str:
    return check_id.split(".", 1)[0]


def _connected(org, check_ids: set[str], intervals) -> set[str]:
    providers = set(Integration.objects.filter(organization=org).values_list("provider", flat=True))
    return {c for c in check_ids if _provider(c) in providers or intervals.get(c)}


def _runs(org, connected: set[str], begin: datetime, finish: datetime) -> dict[str, list]:
    """Successful run instants (finish, else start) per connected check: a run counts for
    a check of its provider when it lists the check, or lists none."""
    out: dict[str, list] = defaultdict(list)
    by_provider: dict[str, list[str]] = defaultdict(list)
    for check_id in connected:
        by_provider[_provider(check_id)].append(check_id)
    if not by_provider:
        return out
    rows = CheckRun.objects.filter(
        organization=org,
        provider__in=list(by_provider),
        status__in=OK_RUNS,
        started_at__gte=begin - STALE_AFTER,
        started_at__lt=finish,
    ).values_list("provider", "checks", "started_at", "finished_at")
    for provider, listed, started, finished in rows.iterator(chunk_size=5000):
        for check_id in by_provider[provider]:
            if not listed or check_id in listed:
                out[check_id].append(finished or started)
    return out


def _requirements(org, ids: list[int]) -> dict[int, list[tuple[str, str, int]]]:
    out: dict[int, list] = defaultdict(list)
    rows = EvidenceRequirement.objects.filter(organization=org, control_id__in=ids)
    for control_id, kind, description, days in rows.order_by("kind").values_list(
        "control_id", "kind", "description", "freshness_days"
    ):
        out[control_id].append((kind, description, days))
    return out


def _evidence(org, ids, requirements, begin, finish) -> dict[int, dict[str, list[date]]]:
    """Collection days of current linked evidence per control and kind, in the period."""
    out: dict[int, dict[str, list[date]]] = defaultdict(lambda: defaultdict(list))
    wanted = {pk for pk in ids if requirements.get(pk)}
    if not wanted:
        return out
    links = ControlEvidence.objects.filter(organization=org, control_id__in=wanted)
    by_item: dict[int, list[int]] = defaultdict(list)
    for control_id, evidence_id in links.values_list("control_id", "evidence_id"):
        by_item[evidence_id].append(control_id)
    items = EvidenceItem.objects.filter(
        organization=org, pk__in=list(by_item), collected_at__gte=begin, collected_at__lt=finish
    ).exclude(pk__in=EvidenceItem.objects.filter(organization=org, supersedes__isnull=False)
              .values("supersedes_id"))  # fmt: skip
    zone = timezone.get_current_timezone()
    for pk, kind, at in items.values_list("pk", "kind", "collected_at"):
        for control_id in by_item[pk]:
            out[control_id][kind].append(at.astimezone(zone).date())
    return out


def _reviews(org, start: date, end: date, today: date):
    zone = timezone.get_current_timezone()
    rows = Campaign.objects.filter(organization=org).values_list("due_date", "completed_at")
    campaigns = [(due, done.astimezone(zone).date() if done else None) for due, done in rows]
    return review_quarters(campaigns, start, end, today)


def _hires(org, wanted: set[str], start: date, end: date, today: date):
    people = list(
        Person.objects.filter(organization=org, start_date__gte=start, start_date__lte=end)
        .order_by("start_date", "full_name")
        .values_list("pk", "full_name", "start_date")
    )
    ids = [pk for pk, _, _ in people]
    labels = {pk: f"{name} (person {pk}, started {started})" for pk, name, started in people}
    hires = [(labels[pk], started) for pk, _, started in people]
    out = {}
    if "background-checks" in wanted:
        checks = BackgroundCheck.objects.filter(
            organization=org, person_id__in=ids, status__in=CLEAR_CHECKS,
            completed_on__isnull=False,
        ).values_list("person_id", "completed_on")  # fmt: skip
        out["background-checks"] = hire_items(hires, _by_label(checks, labels), today)
    if "security-training" in wanted:
        done = TrainingCompletion.objects.filter(organization=org, person_id__in=ids)
        days = done.values_list("person_id", "completed_on")
        out["security-training"] = hire_items(hires, _by_label(days, labels), today)
    return out


def _by_label(rows, labels: dict[int, str]) -> dict[str, list[date]]:
    out: dict[str, list[date]] = defaultdict(list)
    for person_id, day in rows:
        out[labels[person_id]].append(day)
    return out


def _changes(org, begin: datetime, finish: datetime):
    zone = timezone.get_current_timezone()
    rows = (
        ChangeRecord.objects.filter(organization=org, merged_at__gte=begin, merged_at__lt=finish)
        .order_by("merged_at", "pk")
        .values_list("repository", "number", "merged_at", "approved")
    )
    return change_items(
        [(f"{repo}#{number}", at.astimezone(zone).date(), ok) for repo, number, at, ok in rows]
    )
