"""The status-interval record: same status confirms, a change closes and opens, a vanished
resource is closed only when its check was observed completely."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from zgovern.integrations.base import Finding, ResourceRef
from zgovern.monitoring import recorder
from zgovern.monitoring.models import CheckInterval, Resource
from zgovern.tenancy.scoping import organization_scope

CHECK = "fake.users.mfa"
T0 = timezone.now() - timedelta(days=3)
T1 = T0 + timedelta(hours=6)
T2 = T1 + timedelta(hours=6)


def user(name: str) -> ResourceRef:
    return ResourceRef("fake.user", f"user/{name}", name)


def observe(org, statuses: dict[str, str], at, *, complete=True, integration_id=None, check=CHECK):
    findings = [Finding(user(n), s, f"{n} is {s}") for n, s in statuses.items()]
    with organization_scope(org):
        return recorder.record(
            org,
            provider="fake",
            integration_id=integration_id,
            observations=[recorder.Observation(check, findings, complete)],
            at=at,
        )


def intervals(org, name: str, check=CHECK) -> list[CheckInterval]:
    with organization_scope(org):
        return list(
            CheckInterval.objects.filter(
                organization=org, resource__external_id=f"user/{name}", check_id=check
            ).order_by("started_at", "id")
        )


@pytest.fixture
def iid(integration):
    return integration.pk


def test_first_observation_opens_one_interval_per_resource(org_a, iid):
    stats = observe(org_a, {"ann": "pass", "ben": "fail"}, T0, integration_id=iid)
    assert (stats.opened, stats.closed, stats.confirmed, stats.resources_seen) == (2, 0, 0, 2)
    [ann] = intervals(org_a, "ann")
    assert (ann.status, ann.started_at, ann.confirmed_at, ann.ended_at) == ("pass", T0, T0, None)
    assert ann.reason == "ann is pass"
    with organization_scope(org_a):
        resource = Resource.objects.get(organization=org_a, external_id="user/ann")
    assert (resource.first_seen_at, resource.last_seen_at, resource.integration_id) == (T0, T0, iid)


def test_same_status_only_bumps_confirmed_at(org_a, iid):
    observe(org_a, {"ann": "pass"}, T0, integration_id=iid)
    stats = observe(org_a, {"ann": "pass"}, T1, integration_id=iid)
    assert (stats.opened, stats.closed, stats.confirmed) == (0, 0, 1)
    [ann] = intervals(org_a, "ann")
    assert (ann.started_at, ann.confirmed_at, ann.ended_at) == (T0, T1, None)


def test_a_new_reason_with_the_same_status_is_kept_without_a_new_interval(org_a, iid):
    observe(org_a, {"ann": "fail"}, T0, integration_id=iid)
    findings = [Finding(user("ann"), "fail", "key is 95 days old")]
    with organization_scope(org_a):
        recorder.record(
            org_a, provider="fake", integration_id=iid,
            observations=[recorder.Observation(CHECK, findings, True)], at=T1,
        )  # fmt: skip
    [ann] = intervals(org_a, "ann")
    assert (ann.reason, ann.started_at, ann.confirmed_at) == ("key is 95 days old", T0, T1)


def test_a_change_closes_the_old_interval_and_opens_a_new_one(org_a, iid):
    observe(org_a, {"ann": "pass"}, T0, integration_id=iid)
    observe(org_a, {"ann": "pass"}, T1, integration_id=iid)
    stats = observe(org_a, {"ann": "fail"}, T2, integration_id=iid)
    assert (stats.opened, stats.closed) == (1, 1)
    old, new = intervals(org_a, "ann")
    assert (old.status, old.started_at, old.confirmed_at, old.ended_at) == ("pass", T0, T1, T2)
    assert (new.status, new.started_at, new.confirmed_at, new.ended_at) == ("fail", T2, T2, None)


def test_a_resource_missing_from_a_complete_observation_is_gone(org_a, iid):
    observe(org_a, {"ann": "pass", "ben": "fail"}, T0, integration_id=iid)
    stats = observe(org_a, {"ann": "pass"}, T1, integration_id=iid)
    assert stats.closed == 1
    [ben] = intervals(org_a, "ben")
    assert (ben.ended_at, ben.confirmed_at) == (T1, T0)


def test_an_incomplete_observation_leaves_unseen_resources_alone(org_a, iid):
    observe(org_a, {"ann": "pass", "ben": "fail"}, T0, integration_id=iid)
    stats = observe(org_a, {"ann": "pass"}, T1, integration_id=iid, complete=False)
    assert stats.closed == 0
    [ben] = intervals(org_a, "ben")
    assert (ben.ended_at, ben.confirmed_at) == (None, T0)


def test_another_integrations_resources_are_not_closed(org_a, iid, fake_provider):
    from zgovern.core.actor import Actor
    from zgovern.integrations import services

    other = services.create_integration(
        org_a, Actor.system("t"), provider="fake", name="Other", config={}
    )
    observe(org_a, {"zoe": "fail"}, T0, integration_id=other.pk)
    observe(org_a, {"ann": "pass"}, T1, integration_id=iid)
    [zoe] = intervals(org_a, "zoe")
    assert zoe.ended_at is None


def test_duplicate_verdicts_on_one_resource_keep_the_worst(org_a, iid):
    findings = [Finding(user("ann"), "pass", "ok"), Finding(user("ann"), "fail", "no MFA")]
    with organization_scope(org_a):
        stats = recorder.record(
            org_a, provider="fake", integration_id=iid,
            observations=[recorder.Observation(CHECK, findings, True)], at=T0,
        )  # fmt: skip
    assert stats.opened == 1
    assert [i.status for i in intervals(org_a, "ann")] == ["fail"]


def test_unstorable_text_is_cleaned_not_refused(org_a, iid):
    ref = ResourceRef("fake.user", "user/nul\x00", "n\x00" + "x" * 400, region="r" * 60)
    findings = [Finding(ref, "fail", "bad\x00" + "y" * 900)]
    with organization_scope(org_a):
        recorder.record(
            org_a, provider="fake", integration_id=iid,
            observations=[recorder.Observation(CHECK, findings, True)], at=T0,
        )  # fmt: skip
        row = CheckInterval.objects.select_related("resource").get(organization=org_a)
    assert row.resource.external_id == "user/nul"
    assert len(row.resource.name) == 300 and len(row.resource.region) == 40
    assert row.reason.startswith("bad") and len(row.reason) == 500


def test_large_runs_take_the_set_based_paths_with_the_same_outcome(org_a, iid):
    """Over a few thousand resources the recorder confirms and touches with one UPDATE
    each; the outcome must be what the per-id path gives."""
    names = [f"u{n:04d}" for n in range(2100)]
    observe(org_a, dict.fromkeys(names, "pass"), T0, integration_id=iid)
    statuses = dict.fromkeys(names[:-1], "pass")  # the last one is gone
    statuses["u0000"] = "fail"
    stats = observe(org_a, statuses, T1, integration_id=iid)
    assert (stats.opened, stats.closed, stats.confirmed) == (1, 2, 2098)
    with organization_scope(org_a):
        open_rows = CheckInterval.objects.filter(organization=org_a, ended_at__isnull=True)
        assert open_rows.count() == 2099
        assert open_rows.filter(confirmed_at=T1).count() == 2099
        assert open_rows.get(resource__external_id="user/u0000").status == "fail"
        gone = Resource.objects.get(organization=org_a, external_id="user/u2099")
        kept = Resource.objects.get(organization=org_a, external_id="user/u0001")
    assert (gone.last_seen_at, kept.last_seen_at) == (T0, T1)
    [last] = intervals(org_a, "u2099")
    assert last.ended_at == T1
