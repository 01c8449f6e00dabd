"""The request list's rules: validation before any write, the response clock, answers,
decisions, the target per audit, suggestions, exceptions and responses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_user
from zgovern.core.errors import Conflict, DomainError
from zgovern.pbc import queries, services, suggest
from zgovern.pbc.models import AuditException, AuditRequest, RequestStatus
from zgovern.pbc.tests.conftest import SYSTEM
from zgovern.tenancy.models import ActivityLog, Membership
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope


def _create(world, **data):
    base = {"reference": "PBC-1", "title": "Access reviews", "criteria": ["CC6.2"]}
    return services.create_request(world["org"], SYSTEM, world["audit"].pk, {**base, **data})


@pytest.fixture
def scoped(world):
    with organization_scope(world["org"]):
        yield world


def test_create_sets_a_48_hour_target_and_logs(scoped, alice):
    req = _create(scoped, assignee_email="ALICE@a.example")
    assert req.assignee == alice and req.status == RequestStatus.OPEN
    assert req.target_at - req.clock_started_at == timedelta(hours=48)
    assert ActivityLog.objects.filter(action="pbc.request_created").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"criteria": ["CC6.2", "ZZ9.9"]}, "criteria"),
        ({"due_date": "2000-01-01"}, "due_date"),
        ({"assignee_email": "bob@a.example"}, "assignee_email"),  # an auditor
        ({"assignee_email": "charlie@b.example"}, "assignee_email"),  # not a member
        ({"title": "  "}, "title"),
        ({"origin": "boss"}, "origin"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(scoped, bob, charlie, data, field):
    with pytest.raises(DomainError) as caught:
        _create(scoped, **data)
    assert caught.value.field == field
    assert AuditRequest.objects.count() == 0
    assert not ActivityLog.objects.filter(action__startswith="pbc.").exists()


def test_an_employee_cannot_be_assigned(scoped):
    eve = make_user("eve@a.example")
    Membership.objects.create(organization=scoped["org"], user=eve, role=Role.EMPLOYEE)
    with pytest.raises(DomainError, match=r"eve@a\.example"):
        _create(scoped, assignee_email="eve@a.example")
    assert AuditRequest.objects.count() == 0


def test_unknown_criteria_are_named(scoped):
    with pytest.raises(DomainError, match=r"ZZ9\.9"):
        _create(scoped, criteria="CC6.2; ZZ9.9")


def test_a_reference_is_unique_per_audit(scoped):
    _create(scoped)
    with pytest.raises(Conflict):
        _create(scoped)
    assert AuditRequest.objects.count() == 1


def test_assignment_restarts_the_clock(scoped, alice):
    req = _create(scoped)
    AuditRequest.objects.filter(pk=req.pk).update(
        clock_started_at=timezone.now() - timedelta(days=3),
        target_at=timezone.now() - timedelta(days=1),
    )
    assert queries.requests(scoped["org"], scoped["audit"], timeliness="overdue").count() == 1
    req = services.update_request(scoped["org"], SYSTEM, req.pk, {"assignee_email": alice.email})
    assert req.target_at > timezone.now() + timedelta(hours=47)
    assert queries.requests(scoped["org"], scoped["audit"], timeliness="overdue").count() == 0


def test_answer_accept_and_reject(scoped):
    req = _create(scoped)
    with pytest.raises(DomainError, match="text or evidence"):
        services.answer_request(scoped["org"], SYSTEM, req.pk, "")
    services.start_work(scoped["org"], SYSTEM, req.pk)
    req = services.answer_request(scoped["org"], SYSTEM, req.pk, "", [scoped["review"].pk])
    assert req.status == RequestStatus.ANSWERED and req.answered_at is not None
    assert list(req.links.values_list("evidence_id", flat=True)) == [scoped["review"].pk]
    with pytest.raises(DomainError, match="why"):
        services.decide_request(scoped["org"], SYSTEM, req.pk, False, "")
    req = services.decide_request(scoped["org"], SYSTEM, req.pk, False, "Q2 is missing")
    assert req.status == RequestStatus.REOPENED and req.answered_at is None
    services.answer_request(scoped["org"], SYSTEM, req.pk, "Q2 added")
    req = services.decide_request(scoped["org"], SYSTEM, req.pk, True)
    assert req.status == RequestStatus.ACCEPTED
    with pytest.raises(Conflict):
        services.link_evidence(scoped["org"], SYSTEM, req.pk, scoped["log"].pk)


def test_answered_late_counts_as_late_not_overdue(scoped):
    req = _create(scoped)
    AuditRequest.objects.filter(pk=req.pk).update(target_at=timezone.now() - timedelta(hours=1))
    services.answer_request(scoped["org"], SYSTEM, req.pk, "here")
    org, audit = scoped["org"], scoped["audit"]
    assert queries.requests(org, audit, timeliness="late").count() == 1
    assert queries.requests(org, audit, timeliness="overdue").count() == 0
    assert queries.requests(org, audit, timeliness="on_time").count() == 0


def test_changing_the_target_moves_unanswered_requests(scoped):
    req = _create(scoped)
    services.set_target_hours(scoped["org"], SYSTEM, scoped["audit"].pk, 24)
    req.refresh_from_db()
    assert req.target_at - req.clock_started_at == timedelta(hours=24)
    assert services.target_hours(scoped["audit"]) == 24
    with pytest.raises(DomainError):
        services.set_target_hours(scoped["org"], SYSTEM, scoped["audit"].pk, 0)


def test_suggestions_come_from_criteria_and_wording(scoped):
    req = _create(scoped, title="Security incident log and access review evidence")
    found = suggest.suggest(scoped["org"], req)
    ids = [s.evidence.pk for s in found]
    assert ids[0] == scoped["review"].pk  # criteria (CC6.2) and wording
    assert scoped["log"].pk in ids
    review = found[0]
    assert any("access-reviews-quarterly" in r and "CC6.2" in r for r in review.reasons)
    log = next(s for s in found if s.evidence.pk == scoped["log"].pk)
    assert any("incident" in r for r in log.reasons)
    services.link_evidence(scoped["org"], SYSTEM, req.pk, scoped["review"].pk, via="suggestion")
    assert scoped["review"].pk not in [s.evidence.pk for s in suggest.suggest(scoped["org"], req)]


def test_exception_and_response(scoped):
    today = timezone.localdate()
    data = {
        "control": "access-reviews-quarterly",
        "description": "Q2 review late",
        "period_from": today - timedelta(days=90),
        "period_to": today - timedelta(days=80),
        "severity": "medium",
    }
    with pytest.raises(DomainError, match="nope"):
        services.record_exception(
            scoped["org"], SYSTEM, scoped["audit"].pk, {**data, "control": "nope"}
        )
    with pytest.raises(DomainError) as caught:
        services.record_exception(
            scoped["org"],
            SYSTEM,
            scoped["audit"].pk,
            {**data, "period_to": today - timedelta(days=100)},
        )
    assert caught.value.field == "period_to"
    assert AuditException.objects.count() == 0
    exc = services.record_exception(scoped["org"], SYSTEM, scoped["audit"].pk, data)
    with pytest.raises(DomainError) as caught:
        services.respond(scoped["org"], SYSTEM, exc.pk, {"kind": "remediated", "text": "fixed"})
    assert caught.value.field == "remediated_on"
    exc = services.respond(
        scoped["org"],
        SYSTEM,
        exc.pk,
        {
            "kind": "remediated",
            "text": "fixed",
            "remediated_on": today,
            "evidence_ids": [scoped["review"].pk],
        },
    )
    assert exc.response_kind == "remediated" and queries.evidence_ids(exc) == [scoped["review"].pk]
