"""Populations, reproducible samples, per-item evidence, auditor grants and comments."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.fieldwork import populations, services
from zgovern.fieldwork.models import AuditorGrant, Comment, Sample
from zgovern.fieldwork.tests.conftest import DAY, SYSTEM, count
from zgovern.reviews.models import ReviewItem
from zgovern.tenancy.models import Invitation, Membership
from zgovern.tenancy.scoping import organization_scope


def _listed(org, audit, kind):
    with organization_scope(org):
        return populations.population(org, kind, *services.period(audit))


def test_each_population_holds_only_the_period(audit_org, audit, records):
    org = audit_org
    keys = {k: _listed(org, audit, k).item_keys() for k in populations.LISTERS}
    assert keys["new_hires"] == [str(records["hire"].pk), str(records["late"].pk)]
    assert keys["terminations"] == [str(records["leaver"].pk)]
    assert keys["changes"] == [str(records["approved"].pk), str(records["unapproved"].pk)]
    assert keys["incidents"] == [str(records["incident"].pk)]
    assert keys["vendor_reviews"] == [str(records["review"].pk)]
    assert keys["access_changes"] == [
        f"account:{records['github'].pk}:created",
        f"account:{records['okta'].pk}:deactivated",
    ]


def test_a_random_sample_is_stored_and_redraws_the_same(audit_org, audit, records):
    org = audit_org
    with organization_scope(org):
        sample = services.create_sample(
            org, SYSTEM, audit.pk, population="changes", size=1, seed=42
        )
        again = services.create_sample(org, SYSTEM, audit.pk, population="changes", size=1, seed=42)
        auto = services.create_sample(org, SYSTEM, audit.pk, population="changes", size=2)
    assert sample.chosen_keys == again.chosen_keys
    assert sample.chosen_keys == services.draw(sample.population_keys, 1, 42)
    assert sample.population_keys == [str(records["approved"].pk), str(records["unapproved"].pk)]
    assert auto.seed is not None and sorted(auto.chosen_keys) == sorted(auto.population_keys)
    assert (sample.method, sample.size, sample.seed) == ("random", 1, 42)


def test_a_sample_larger_than_its_population_is_refused(audit_org, audit, records):
    org = audit_org
    with organization_scope(org), pytest.raises(DomainError) as refused:
        services.create_sample(org, SYSTEM, audit.pk, population="new_hires", size=3)
    assert refused.value.field == "size" and refused.value.status == 400
    assert "larger than the population: 2 new hires" in refused.value.message
    with organization_scope(org), pytest.raises(DomainError) as unknown:
        services.create_sample(org, SYSTEM, audit.pk, population="new_hires", keys=["999999"])
    assert unknown.value.field == "keys" and "999999" in unknown.value.message
    with organization_scope(org), pytest.raises(DomainError) as bad_kind:
        services.create_sample(org, SYSTEM, audit.pk, population="payroll", size=1)
    assert bad_kind.value.field == "population"
    assert count(Sample, org) == 0


def test_a_hand_picked_sample_keeps_its_order(audit_org, audit, records):
    org = audit_org
    keys = [str(records["late"].pk), str(records["hire"].pk)]
    with organization_scope(org):
        sample = services.create_sample(org, SYSTEM, audit.pk, population="new_hires", keys=keys)
    assert (sample.method, sample.seed, sample.chosen_keys, sample.size) == (
        "manual",
        None,
        keys,
        2,
    )


def _evidence(org, kind, *keys):
    with organization_scope(org):
        return {e.key: e for e in populations.evidence(org, kind, [str(k) for k in keys])}


def test_evidence_that_each_control_operated(audit_org, audit, records):
    org = audit_org
    hires = _evidence(org, "new_hires", records["hire"].pk, records["late"].pk)
    assert hires[str(records["hire"].pk)].operated
    assert ("training", "none recorded") in hires[str(records["late"].pk)].facts
    leaver = _evidence(org, "terminations", records["leaver"].pk)[str(records["leaver"].pk)]
    facts = dict(leaver.facts)
    assert "5.0 h after the end of the last day" in facts["okta lars"]
    assert facts["github lars-gh"] == "still active" and leaver.verdict == "exception"
    changes = _evidence(org, "changes", records["approved"].pk, records["unapproved"].pk)
    assert changes[str(records["approved"].pk)].operated
    bad = changes[str(records["unapproved"].pk)]
    assert not bad.operated and ("approvers", "none") in bad.facts
    incident = _evidence(org, "incidents", records["incident"].pk)[str(records["incident"].pk)]
    assert dict(incident.facts)["time to resolve"] == "6.0 h" and incident.operated
    review = _evidence(org, "vendor_reviews", records["review"].pk)[str(records["review"].pk)]
    assert dict(review.facts)["conclusion"] == "Acceptable" and review.operated
    gone = _evidence(org, "changes", 987654)["987654"]
    assert gone.verdict == "exception" and gone.facts == [("record", "deleted")]


def test_revoke_decisions_join_the_access_changes(audit_org, audit, records, alice):
    from zgovern.reviews.models import Campaign

    org = audit_org
    with organization_scope(org):
        campaign = Campaign.objects.create(
            organization=org,
            title="Q1",
            systems=["okta"],
            reviewer_mode="system",
            default_reviewer=alice,
            due_date=timezone.localdate(),
        )
        item = ReviewItem.objects.create(
            organization=org,
            campaign=campaign,
            system="okta",
            username="lars",
            account_status="active",
            reviewer=alice,
            remediation_owner=alice,
            decision="revoke",
            decided_by=alice,
            decided_at=timezone.now() - DAY,
            revocation="verified",
        )
    assert f"revoke:{item.pk}" in _listed(org, audit, "access_changes").item_keys()
    found = _evidence(org, "access_changes", f"revoke:{item.pk}")[f"revoke:{item.pk}"]
    assert found.operated and ("decided by", alice.email) in found.facts


def test_inviting_auditors(
    audit_org, audit, alice, bob, dave_grant, dave, django_capture_on_commit_callbacks
):
    org = audit_org
    with organization_scope(org), django_capture_on_commit_callbacks(execute=True):
        owner = Membership.objects.get(organization=org, user=alice)
        until = timezone.now() + 10 * DAY
        assert Membership.objects.get(organization=org, user=dave).role == "auditor"
        kept = services.invite_auditor(
            org, owner, SYSTEM, audit.pk, email="BOB@a.example", expires_at=until
        )
        stranger = services.invite_auditor(
            org, owner, SYSTEM, audit.pk, email="new@firm.example", expires_at=until
        )
        extended = services.invite_auditor(
            org, owner, SYSTEM, audit.pk, email=dave.email, expires_at=until
        )
        assert Membership.objects.get(organization=org, user=bob).role == "auditor"
        assert Invitation.objects.filter(organization=org, email="new@firm.example").exists()
    assert kept.user == bob and stranger.user is None and extended.pk == dave_grant.pk
    assert count(AuditorGrant, org) == 3
    assert {m.to[0] for m in mail.outbox} >= {"bob@a.example", "new@firm.example", dave.email}


def test_inviting_refuses_members_bad_dates_and_readers(audit_org, audit, alice, bob):
    org = audit_org
    with organization_scope(org):
        owner = Membership.objects.get(organization=org, user=alice)
        reader = Membership.objects.get(organization=org, user=bob)
        later = timezone.now() + DAY
        with pytest.raises(Conflict):
            services.invite_auditor(
                org, owner, SYSTEM, audit.pk, email=alice.email, expires_at=later
            )
        for bad in (timezone.now() - DAY, timezone.now() + 500 * DAY):
            with pytest.raises(DomainError) as refused:
                services.invite_auditor(
                    org, owner, SYSTEM, audit.pk, email="x@y.example", expires_at=bad
                )
            assert refused.value.field == "expires_at"
        with pytest.raises(DomainError) as refused:
            services.invite_auditor(org, owner, SYSTEM, audit.pk, email="nope", expires_at=later)
        assert refused.value.field == "email"
        with pytest.raises(DomainError) as forbidden:
            services.invite_auditor(
                org, reader, SYSTEM, audit.pk, email="x@y.example", expires_at=later
            )
        assert forbidden.value.status == 403
    assert count(AuditorGrant, org) == 0


def test_comments_mention_members_who_may_see_the_audit(
    audit_org,
    audit,
    other_audit,
    alice,
    dave_grant,
    dave,
    records,
    django_capture_on_commit_callbacks,
):
    org = audit_org
    with organization_scope(org), django_capture_on_commit_callbacks(execute=True):
        from zgovern.fieldwork.scope import controls

        control = controls(org, audit)[0].control
        body = f"@{alice.email} and @dave please look; @nobody"
        comment = services.add_comment(
            org, SYSTEM, audit.pk, target_kind="control", target_id=control.pk, body=body
        )
        hidden = services.add_comment(
            org,
            SYSTEM,
            other_audit.pk,
            target_kind="control",
            target_id=control.pk,
            body="@dave see",
        )
        with pytest.raises(NotFound):
            services.add_comment(
                org, SYSTEM, audit.pk, target_kind="sample", target_id=999, body="x"
            )
        with pytest.raises(DomainError):
            services.add_comment(
                org, SYSTEM, audit.pk, target_kind="control", target_id=control.pk, body="   "
            )
    assert comment.mentions == [alice.email, dave.email]
    assert hidden.mentions == []
    mentioned = [m for m in mail.outbox if "mentioned you" in m.subject]
    assert len(mentioned) == 1 and sorted(mentioned[0].to) == sorted([alice.email, dave.email])
    assert "please look" in mentioned[0].body
    with scopes_disabled():
        assert Comment.objects.filter(organization=org).count() == 2
