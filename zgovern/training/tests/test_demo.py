"""The demo's training: courses adopted, a mix of standings, the built-in checks, and a
second load that changes nothing."""

from __future__ import annotations

from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.core.demo import DemoContext
from zgovern.integrations.models import Integration
from zgovern.people import demo as people_demo
from zgovern.people.models import Person, TrainingCompletion
from zgovern.tenancy.scoping import organization_scope
from zgovern.training import demo, queries
from zgovern.training.models import Course


def _counts(org) -> tuple[int, int, int]:
    with scopes_disabled():
        return (
            Course.objects.filter(organization=org).count(),
            TrainingCompletion.objects.filter(organization=org).count(),
            Integration.objects.filter(organization=org, provider="training_program").count(),
        )


def test_demo_loads_once_and_the_demo_employee_has_training_to_do(org_a):
    context = DemoContext(organization=org_a)
    with organization_scope(org_a):
        people_demo.load(context)
        demo.load(context)
        first = _counts(org_a)
        demo.load(context)
        assert _counts(org_a) == first and first[0] == 6 and first[2] == 1
        eric = Person.objects.get(organization=org_a, work_email="eric@acme.example")
        mine = queries.statuses(org_a, timezone.localdate(), person=eric)
        standing = {row.course.key: row.status for row in mine}
        assert standing["secure-development"] == "overdue"
        assert set(queries.counts(queries.statuses(org_a, timezone.localdate())).values()) != {0}
