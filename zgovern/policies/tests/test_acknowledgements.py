"""Acknowledgements: who is asked, the refusals and their reasons, material and
non-material changes, paper acknowledgements, and the pending list the portal shows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, Forbidden, Gone, NotFound
from zgovern.policies import queries, services
from zgovern.policies.models import AckMethod, Acknowledgement, VersionStatus
from zgovern.policies.tests.conftest import SYSTEM, add_person, publish_through, published_policy
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope

pytestmark = pytest.mark.django_db


def _ack(org, person, version, actor=SYSTEM):
    with organization_scope(org):
        return services.acknowledge(
            org, actor, person=person, version_id=version.pk, client_ip="10.0.0.7",
            user_agent="Firefox/130",
        )  # fmt: skip


def _current(org, policy):
    with organization_scope(org):
        return policy.current_version()


def test_an_acknowledgement_records_the_exact_version_and_client(org_a):
    ann = add_person(org_a, "ann@a.example")
    policy = published_policy(org_a)
    version = _current(org_a, policy)
    ack = _ack(org_a, ann, version)
    assert (ack.version_id, ack.client_ip, ack.user_agent) == (
        version.pk,
        "10.0.0.7",
        "Firefox/130",
    )
    assert ack.method == AckMethod.PORTAL
    with organization_scope(org_a):
        assert (
            ActivityLog.objects.filter(organization=org_a, action="policy.acknowledged").count()
            == 1
        )
        assert queries.pending_for(org_a, ann) == []


def test_twice_is_refused_with_the_date(org_a):
    ann = add_person(org_a, "ann@a.example")
    version = _current(org_a, published_policy(org_a))
    _ack(org_a, ann, version)
    with pytest.raises(Conflict) as twice:
        _ack(org_a, ann, version)
    assert "already acknowledged version 1" in twice.value.message
    with organization_scope(org_a):
        assert Acknowledgement.objects.filter(organization=org_a).count() == 1


def test_someone_elses_task_is_refused(org_a, alice):
    ann = add_person(org_a, "ann@a.example")
    version = _current(org_a, published_policy(org_a))
    alice_actor = Actor(kind="user", label=alice.email, user=alice)
    with pytest.raises(Forbidden) as refused:
        _ack(org_a, ann, version, actor=alice_actor)
    assert "for yourself" in refused.value.message
    me = add_person(org_a, "alice@a.example", full_name="Alice Owner")
    assert _ack(org_a, me, version, actor=alice_actor).person_id == me.pk


def test_outside_the_audience_is_refused(org_a):
    carl = add_person(org_a, "carl@a.example", employment_type="contractor")
    version = _current(org_a, published_policy(org_a, "encryption"))  # employees only
    with pytest.raises(Forbidden) as refused:
        _ack(org_a, carl, version)
    assert "not in the audience" in refused.value.message
    with organization_scope(org_a):
        assert queries.pending_for(org_a, carl) == []


def test_a_superseded_or_retired_version_is_refused_naming_the_successor(org_a):
    ann = add_person(org_a, "ann@a.example")
    policy = published_policy(org_a)
    first = _current(org_a, policy)
    with organization_scope(org_a):
        second = services.new_version(org_a, SYSTEM, policy.pk, body="# AUP\n\n" + "text " * 60)
        publish_through(org_a, second)
    with pytest.raises(Gone) as superseded:
        _ack(org_a, ann, first)
    assert "superseded by version 2" in superseded.value.message
    with organization_scope(org_a):
        services.retire(org_a, SYSTEM, second.pk)
    with pytest.raises(Gone) as retired:
        _ack(org_a, ann, second)
    assert "was retired" in retired.value.message
    with organization_scope(org_a):
        assert queries.pending_for(org_a, ann) == []
        assert Acknowledgement.objects.count() == 0


def test_a_draft_is_refused(org_a):
    ann = add_person(org_a, "ann@a.example")
    with organization_scope(org_a):
        policy = services.adopt_template(org_a, SYSTEM, template_key="acceptable-use")
        draft = policy.versions.get()
    with pytest.raises(Conflict) as refused:
        _ack(org_a, ann, draft)
    assert "not published" in refused.value.message


def test_a_material_change_asks_again_a_minor_one_does_not(org_a):
    ann = add_person(org_a, "ann@a.example")
    policy = published_policy(org_a)
    _ack(org_a, ann, _current(org_a, policy))
    with organization_scope(org_a):
        minor = services.new_version(org_a, SYSTEM, policy.pk, material=False)
        publish_through(org_a, minor)
        assert queries.pending_for(org_a, ann) == []
    with pytest.raises(Conflict) as carried:
        _ack(org_a, ann, minor)
    assert "non-material change keeps" in carried.value.message
    with organization_scope(org_a):
        major = services.new_version(org_a, SYSTEM, policy.pk, material=True)
        publish_through(org_a, major)
        assert [v.pk for v in queries.pending_for(org_a, ann)] == [major.pk]
    _ack(org_a, ann, major)


def test_pending_follows_audience_and_status(org_a):
    ann = add_person(org_a, "ann@a.example", department="Sales")
    gone = add_person(
        org_a, "gone@a.example", start_date=date(2020, 1, 1), end_date=date(2021, 1, 1)
    )
    published_policy(org_a, "acceptable-use")
    published_policy(org_a, "secure-development", audience="departments",
                     departments=["Engineering"])  # fmt: skip
    with organization_scope(org_a):
        titles = [v.policy.title for v in queries.pending_for(org_a, ann)]
        assert queries.pending_for(org_a, gone) == []
    assert titles == ["Acceptable Use Policy"]


def test_paper_acknowledgement_keeps_the_scan_as_evidence(org_a, alice, bob):
    from zgovern.evidence.models import EvidenceItem

    ann = add_person(org_a, "ann@a.example")
    version = _current(org_a, published_policy(org_a))
    scan = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    owner = Actor(kind="user", label=alice.email, user=alice)
    auditor = Actor(kind="user", label=bob.email, user=bob)
    with organization_scope(org_a):
        with pytest.raises(Forbidden):
            services.record_paper_acknowledgement(
                org_a, auditor, person=ann, version_id=version.pk, scan_file=scan
            )
        with pytest.raises(DomainError) as no_scan:
            services.record_paper_acknowledgement(
                org_a, owner, person=ann, version_id=version.pk, scan_file=None
            )
        assert EvidenceItem.objects.filter(organization=org_a).count() == 0
        ack = services.record_paper_acknowledgement(
            org_a, owner, person=ann, version_id=version.pk, scan_file=scan
        )
    assert no_scan.value.field == "scan_file"
    assert ack.method == AckMethod.PAPER and ack.recorded_by == alice.email
    assert ack.evidence.kind == "policy_acknowledgement"


def test_a_refused_paper_acknowledgement_leaves_no_evidence(org_a):
    from zgovern.evidence.models import EvidenceItem

    carl = add_person(org_a, "carl@a.example", employment_type="contractor")
    version = _current(org_a, published_policy(org_a, "encryption"))
    scan = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed")
    with organization_scope(org_a):
        with pytest.raises(Forbidden):
            services.record_paper_acknowledgement(
                org_a, SYSTEM, person=carl, version_id=version.pk, scan_file=scan
            )
        assert EvidenceItem.objects.filter(organization=org_a).count() == 0


def test_unknown_ids_are_not_found(org_a, org_b):
    ann = add_person(org_a, "ann@a.example")
    version = _current(org_a, published_policy(org_a))
    for person, version_id in ((ann, 10**9), (ann, "x"), (10**9, version.pk)):
        with pytest.raises(NotFound):
            _ack(org_a, person, type("V", (), {"pk": version_id}))
    with organization_scope(org_b), pytest.raises(NotFound):
        services.acknowledge(org_b, SYSTEM, person=ann.pk, version_id=version.pk)


def test_the_matrix_lists_late_and_overdue_people(org_a):
    old = add_person(org_a, "old@a.example")
    new = add_person(org_a, "new@a.example", start_date=timezone.localdate())
    policy = published_policy(org_a)
    with organization_scope(org_a):
        version = policy.current_version()
        past = timezone.now() - timedelta(days=45)
        type(version).objects.filter(pk=version.pk).update(published_at=past)
        matrix = queries.matrix(org_a)
    [rate] = matrix.rates
    states = {person.work_email: cells[0].state for person, cells in matrix.rows}
    assert states == {"old@a.example": "overdue", "new@a.example": "pending"}
    assert rate.audience == 2 and rate.done == 0 and [p for p, _ in rate.exceptions] == [old]
    assert new not in [p for p, _ in rate.exceptions]
    assert version.status == VersionStatus.PUBLISHED
