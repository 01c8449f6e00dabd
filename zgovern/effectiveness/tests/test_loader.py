"""The loader's periodic and population paths against stored campaigns, people and
changes (the judging itself is tested on the pure functions)."""

from __future__ import annotations

from datetime import date

from zgovern.changes.models import ChangeRecord
from zgovern.effectiveness import loader
from zgovern.effectiveness.tests.conftest import at, control
from zgovern.people.models import BackgroundCheck, Person, TrainingCompletion
from zgovern.reviews.models import Campaign

NOW = at(date(2026, 7, 10), 12)


def test_a_quarterly_review_completed_late_is_an_exception(org_a, alice, scopes_off):
    made = control(org_a, key="access-reviews-quarterly", checks=())
    for due, done in (
        (date(2026, 3, 31), date(2026, 4, 3)),
        (date(2026, 6, 30), date(2026, 6, 30)),
    ):
        Campaign.objects.create(
            organization=org_a, title=f"Review {due}", reviewer_mode="system",
            default_reviewer=alice, due_date=due, status="completed", completed_at=at(done, 15),
        )  # fmt: skip
    line = loader.timelines(org_a, [made], date(2026, 1, 1), date(2026, 6, 30), NOW)[made.pk]
    assert [(w.first, w.last, w.status, w.evidence_on) for w in line.windows] == [
        (date(2026, 1, 1), date(2026, 3, 31), "late", date(2026, 4, 3)),
        (date(2026, 4, 1), date(2026, 6, 30), "present", date(2026, 6, 30)),
    ]
    assert line.summary == "exceptions"
    assert [(e.kind, e.first, e.last) for e in line.exceptions] == [
        ("late", date(2026, 1, 1), date(2026, 3, 31))
    ]


def _person(org, name: str, started: date) -> Person:
    return Person.objects.create(
        organization=org, full_name=name, work_email=f"{name.lower()}@a.example",
        employment_type="employee", start_date=started, source="manual",
    )  # fmt: skip


def test_hires_and_changes_as_populations(org_a, scopes_off):
    checks = control(org_a, key="background-checks", checks=())
    training = control(org_a, key="security-training", checks=())
    changes = control(org_a, key="change-approval", checks=())
    ada = _person(org_a, "Ada", date(2026, 3, 2))
    bo = _person(org_a, "Bo", date(2026, 4, 1))
    _person(org_a, "Old", date(2025, 1, 1))  # started before the period: not in it
    BackgroundCheck.objects.create(organization=org_a, person=ada, status="clear",
                                   completed_on=date(2026, 3, 20))  # fmt: skip
    BackgroundCheck.objects.create(organization=org_a, person=bo, status="pending")
    for who, day in ((ada, date(2026, 5, 1)), (bo, date(2026, 4, 2))):
        TrainingCompletion.objects.create(
            organization=org_a, person=who, course_key="sec", course_title="Security",
            completed_on=day,
        )  # fmt: skip
    for number, approved in ((1, True), (2, False)):
        ChangeRecord.objects.create(
            organization=org_a, source="demo", repository="acme/api", number=number,
            title="x", author="dev", merged_at=at(date(2026, 5, number)), approved=approved,
        )  # fmt: skip
    lines = loader.timelines(
        org_a, [checks, training, changes], date(2026, 1, 1), date(2026, 6, 30), NOW
    )
    assert [i.status for i in lines[checks.pk].population] == ["present", "missing"]
    assert [i.status for i in lines[training.pk].population] == ["late", "present"]
    assert lines[changes.pk].population_share == 0.5
    assert [(e.kind, e.first) for e in lines[changes.pk].exceptions] == [
        ("population", date(2026, 5, 2))
    ]
    assert lines[checks.pk].exceptions[0].first == date(2026, 4, 1)
