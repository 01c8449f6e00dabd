"""The version lifecycle: adoption from a template, the draft → published path, the rules
that keep a published text unchanged, and the review cadence's tasks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.policies import services
from zgovern.policies.models import Approval, Policy, PolicyVersion, VersionStatus
from zgovern.policies.tests.conftest import SYSTEM, add_person, publish_through, published_policy
from zgovern.tenancy.models import ActivityLog
from zgovern.tenancy.scoping import organization_scope

pytestmark = pytest.mark.django_db


def test_adoption_fills_the_placeholders(org_a, alice):
    with organization_scope(org_a):
        policy = services.adopt_template(
            org_a, SYSTEM, template_key="access-control", owner=alice.pk,
            company_name="Acme", review_cadence_months=6,
        )  # fmt: skip
        version = policy.versions.get()
    assert version.status == VersionStatus.DRAFT and version.number == 1
    assert "{{" not in version.body
    assert "Acme" in version.body and "Alice Owner" in version.body
    assert "every 6 months" in version.body
    assert "access-reviews-quarterly" in policy.controls and policy.review_cadence_months == 6


def test_adopting_twice_or_an_unknown_template_is_refused(org_a):
    with organization_scope(org_a):
        services.adopt_template(org_a, SYSTEM, template_key="encryption")
        with pytest.raises(Conflict) as twice:
            services.adopt_template(org_a, SYSTEM, template_key="encryption")
        with pytest.raises(DomainError) as unknown:
            services.adopt_template(org_a, SYSTEM, template_key="nope")
        assert Policy.objects.filter(organization=org_a).count() == 1
    assert twice.value.field == "key" and unknown.value.field == "template_key"


def test_the_whole_path_and_its_log(org_a, alice):
    with organization_scope(org_a):
        policy = services.adopt_template(org_a, SYSTEM, template_key="encryption")
        version = policy.versions.get()
        publish_through(org_a, version)
        version.refresh_from_db()
        policy.refresh_from_db()
        actions = list(
            ActivityLog.objects.filter(organization=org_a, action__startswith="policy.")
            .order_by("id").values_list("action", flat=True)
        )  # fmt: skip
        assert Approval.objects.filter(version=version).count() == 1
    assert version.status == VersionStatus.PUBLISHED and version.effective_date is not None
    assert policy.next_review_date > timezone.localdate()
    assert actions == [
        "policy.created", "policy.submitted", "policy.approved", "policy.published",
        "policy.distributed",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("step", "reason"),
    [
        (services.approve, "only a in review version"),
        (services.publish, "only a approved version"),
        (services.retire, "only a published version"),
    ],
)
def test_steps_out_of_order_are_refused(org_a, step, reason):
    with organization_scope(org_a):
        policy = services.adopt_template(org_a, SYSTEM, template_key="encryption")
        version = policy.versions.get()
        with pytest.raises(Conflict) as refused:
            step(org_a, SYSTEM, version.pk)
        version.refresh_from_db()
    assert reason in refused.value.message
    assert version.status == VersionStatus.DRAFT


def test_a_published_version_is_never_edited(org_a):
    policy = published_policy(org_a, "encryption")
    with organization_scope(org_a):
        version = policy.versions.get()
        with pytest.raises(Conflict) as refused:
            services.edit_version(org_a, SYSTEM, version.pk, body="# Changed\n" * 30)
        version.refresh_from_db()
    assert "start a new version" in refused.value.message
    assert "Changed" not in version.body


def test_a_new_version_supersedes_the_published_one(org_a):
    policy = published_policy(org_a, "encryption")
    with organization_scope(org_a):
        first = policy.versions.get()
        second = services.new_version(org_a, SYSTEM, policy.pk, change_summary="Typos")
        assert second.body == first.body and second.number == 2
        with pytest.raises(Conflict):  # one version in progress at a time
            services.new_version(org_a, SYSTEM, policy.pk)
        services.edit_version(org_a, SYSTEM, second.pk, body=first.body + "\nMore.\n")
        publish_through(org_a, second)
        first.refresh_from_db()
    assert first.status == VersionStatus.RETIRED and first.superseded_by_id == second.pk


def test_bad_fields_are_refused_naming_them(org_a):
    with organization_scope(org_a):
        policy = services.adopt_template(org_a, SYSTEM, template_key="encryption")
        version = policy.versions.get()
        cases = [
            (lambda: services.edit_version(org_a, SYSTEM, version.pk, body=""), "body"),
            (lambda: services.edit_version(org_a, SYSTEM, version.pk, body="a\x00b"), "body"),
            (lambda: services.edit_version(org_a, SYSTEM, version.pk, material="yes"), "material"),
            (lambda: services.update_policy(org_a, SYSTEM, policy.pk, audience="all"), "audience"),
            (
                lambda: services.update_policy(org_a, SYSTEM, policy.pk, audience="departments"),
                "departments",
            ),
            (
                lambda: services.update_policy(org_a, SYSTEM, policy.pk, review_cadence_months=0),
                "review_cadence_months",
            ),
        ]
        for call, field in cases:
            with pytest.raises(DomainError) as refused:
                call()
            assert refused.value.field == field
        with pytest.raises(NotFound):
            services.submit_for_review(org_a, SYSTEM, 10**9)


def test_another_organisations_version_is_not_found(org_a, org_b):
    policy = published_policy(org_a, "encryption")
    with organization_scope(org_a):
        version_id = policy.versions.get().pk
    with organization_scope(org_b), pytest.raises(NotFound):
        services.retire(org_b, SYSTEM, version_id)


def test_an_overdue_review_makes_one_task_until_published_again(org_a):
    from zgovern.controls.models import RemediationTask

    policy = published_policy(org_a, "encryption")
    today = timezone.localdate()
    with organization_scope(org_a):
        Policy.objects.filter(pk=policy.pk).update(next_review_date=today - timedelta(days=1))
        tasks = services.flag_overdue_reviews(org_a, SYSTEM)
        again = services.flag_overdue_reviews(org_a, SYSTEM)
        assert len(tasks) == 1 and again == []
        assert "Encryption" in tasks[0].title
        version = services.new_version(org_a, SYSTEM, policy.pk, material=False)
        publish_through(org_a, version)
        task = RemediationTask.objects.get(pk=tasks[0].pk)
        policy.refresh_from_db()
    assert task.status == "done"
    assert policy.next_review_date > today


def test_readiness_sees_missing_draft_and_approved(org_a):
    from zgovern.readiness.sources import policy_states

    published_policy(org_a, "encryption")
    with organization_scope(org_a):
        services.adopt_template(org_a, SYSTEM, template_key="code-of-conduct")
        states = policy_states(org_a)
    assert states["encryption"] == "approved" and states["code-of-conduct"] == "draft"
    assert "access-control" not in states  # missing


def test_material_flag_and_dates_need_no_person(org_a):
    add_person(org_a, "ann@a.example")
    policy = published_policy(org_a, "encryption")
    with organization_scope(org_a):
        version = PolicyVersion.objects.get(policy=policy)
    assert version.audience_size == 1 and version.effective_date == date.today()
