"""The controls services: each rule, each refusal (with its status and field), and the
activity-log row every change leaves."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from zgovern.controls import services
from zgovern.controls.models import (
    Control,
    ControlCheck,
    ControlCriterion,
    ControlEvidence,
    ControlPolicy,
    EvidenceRequirement,
)
from zgovern.controls.tests.conftest import SYSTEM, actor_for, adopt_soc2, last_action, make_control
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.evidence import services as evidence
from zgovern.frameworks.models import Criterion
from zgovern.tenancy.models import Membership
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import chain_ok, logs

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def scope_a(org_a):
    with organization_scope(org_a):
        yield org_a


def refused(exc_type, call, *, status: int, field: str | None):
    with pytest.raises(exc_type) as info:
        call()
    assert info.value.status == status
    assert info.value.field == field
    return info.value


# -- controls -------------------------------------------------------------------------


def test_create_control_is_logged_with_its_fields(scope_a, alice):
    with logs(scope_a, "control.created"):
        control = services.create_control(
            scope_a,
            actor_for(alice),
            key="MFA-Enforced",
            name=" MFA ",
            domain="access",
            frequency="daily",
            severity="critical",
            owner=alice.pk,
        )
    assert (control.key, control.name, control.owner) == ("mfa-enforced", "MFA", alice)
    row = last_action(scope_a)
    assert row.changes["owner"] == alice.email
    assert row.changes["severity"] == "critical"
    assert row.actor == alice
    assert chain_ok(scope_a)


def test_duplicate_key_conflicts(scope_a, control):
    with logs(scope_a):
        refused(
            Conflict,
            lambda: services.create_control(scope_a, SYSTEM, key=control.key, name="Again"),
            status=409,
            field="key",
        )


def test_same_key_in_another_organisation_is_fine(scope_a, control, org_b):
    other = make_control(org_b, key=control.key)
    assert other.organization_id == org_b.pk


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"key": "has space"}, "key"),
        ({"key": ""}, "key"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"frequency": "hourly"}, "frequency"),
        ({"severity": "extreme"}, "severity"),
        ({"domain": "Not a slug!"}, "domain"),
        ({"description": "nul\x00"}, "description"),
    ],
)
def test_bad_control_fields_are_refused_by_name(scope_a, fields, field):
    values = {"key": "ok", "name": "OK"} | fields
    with logs(scope_a):
        refused(
            DomainError,
            lambda: services.create_control(scope_a, SYSTEM, **values),
            status=400,
            field=field,
        )


def test_owner_from_another_organisation_is_refused(scope_a, control, charlie, org_b):
    with logs(scope_a):
        error = refused(
            DomainError,
            lambda: services.set_owner(scope_a, SYSTEM, control.pk, charlie.pk),
            status=400,
            field="owner",
        )
    assert "not a member" in error.message
    control.refresh_from_db()
    assert control.owner_id is None


def test_auditor_and_unknown_users_cannot_own(scope_a, control, bob):
    refused(
        DomainError,
        lambda: services.set_owner(scope_a, SYSTEM, control.pk, bob.pk),
        status=400,
        field="owner",
    )
    refused(
        DomainError,
        lambda: services.set_owner(scope_a, SYSTEM, control.pk, 999_999),
        status=400,
        field="owner",
    )
    refused(
        DomainError,
        lambda: services.set_owner(scope_a, SYSTEM, control.pk, "x"),
        status=400,
        field="owner",
    )


def test_set_owner_logs_before_and_after(scope_a, control, alice):
    with logs(scope_a, "control.updated"):
        services.set_owner(scope_a, SYSTEM, control.pk, alice.pk)
    assert last_action(scope_a).changes == {"owner": [None, alice.email]}
    with logs(scope_a, "control.updated"):
        services.set_owner(scope_a, SYSTEM, control.pk, None)
    control.refresh_from_db()
    assert control.owner_id is None


def test_update_control_writes_and_logs_only_what_changes(scope_a, control):
    with logs(scope_a, "control.updated"):
        services.update_control(
            scope_a, SYSTEM, control.pk, name="Renamed", severity=control.severity
        )
    assert last_action(scope_a).changes == {"name": [control.name, "Renamed"]}
    with logs(scope_a):
        services.update_control(scope_a, SYSTEM, control.pk, name="Renamed")


def test_update_control_key_must_stay_unique(scope_a, control):
    other = make_control(scope_a, key="other")
    refused(
        Conflict,
        lambda: services.update_control(scope_a, SYSTEM, other.pk, key="mfa"),
        status=409,
        field="key",
    )
    services.update_control(scope_a, SYSTEM, other.pk, key="other")  # its own key is fine


def test_update_refuses_unknown_fields(scope_a, control):
    refused(
        DomainError,
        lambda: services.update_control(scope_a, SYSTEM, control.pk, organization=2),
        status=400,
        field="organization",
    )


def test_another_organisations_control_is_not_found(scope_a, org_b):
    other = make_control(org_b, key="theirs")
    for call in (
        lambda: services.update_control(scope_a, SYSTEM, other.pk, name="Mine"),
        lambda: services.add_check(scope_a, SYSTEM, other.pk, "aws.iam.root_mfa"),
        lambda: services.set_override(
            scope_a, SYSTEM, other.pk, status="evidenced", justification="x"
        ),
    ):
        refused(NotFound, call, status=404, field=None)
    with scopes_disabled():
        assert Control.objects.get(pk=other.pk).name == "Control theirs"


# -- tests of a control ---------------------------------------------------------------


def test_checks_are_added_once_and_removed(scope_a, control):
    with logs(scope_a, "control.check_added"):
        services.add_check(scope_a, SYSTEM, control.pk, "aws.iam.console_mfa")
    refused(
        Conflict,
        lambda: services.add_check(scope_a, SYSTEM, control.pk, "aws.iam.console_mfa"),
        status=409,
        field="check_id",
    )
    refused(
        DomainError,
        lambda: services.add_check(scope_a, SYSTEM, control.pk, "no dots"),
        status=400,
        field="check_id",
    )
    with logs(scope_a, "control.check_removed"):
        services.remove_check(scope_a, SYSTEM, control.pk, "aws.iam.console_mfa")
    assert not ControlCheck.objects.filter(control=control).exists()
    refused(
        NotFound,
        lambda: services.remove_check(scope_a, SYSTEM, control.pk, "aws.iam.console_mfa"),
        status=404,
        field="check_id",
    )


@pytest.mark.parametrize("days", [0, 3661, -1, "30", True])
def test_requirement_freshness_is_bounded(scope_a, control, days):
    refused(
        DomainError,
        lambda: services.add_requirement(
            scope_a, SYSTEM, control.pk, kind="review", description="A review", freshness_days=days
        ),
        status=400,
        field="freshness_days",
    )


def test_requirements_are_added_updated_and_removed(scope_a, control):
    with logs(scope_a, "control.requirement_added"):
        req = services.add_requirement(
            scope_a,
            SYSTEM,
            control.pk,
            kind="Access_Review",
            description="Quarterly review",
            freshness_days=92,
        )
    assert req.kind == "access_review"
    refused(
        Conflict,
        lambda: services.add_requirement(
            scope_a, SYSTEM, control.pk, kind="access_review", description="x", freshness_days=1
        ),
        status=409,
        field="kind",
    )
    with logs(scope_a, "control.requirement_updated"):
        services.update_requirement(scope_a, SYSTEM, req.pk, freshness_days=3660)
    assert last_action(scope_a).changes["freshness_days"] == [92, 3660]
    with logs(scope_a, "control.requirement_removed"):
        services.remove_requirement(scope_a, SYSTEM, req.pk)
    assert not EvidenceRequirement.objects.filter(pk=req.pk).exists()
    refused(
        NotFound,
        lambda: services.remove_requirement(scope_a, SYSTEM, req.pk),
        status=404,
        field=None,
    )


def test_policies_are_added_once_and_removed(scope_a, control):
    with logs(scope_a, "control.policy_added"):
        services.add_policy(scope_a, SYSTEM, control.pk, "access-control")
    refused(
        Conflict,
        lambda: services.add_policy(scope_a, SYSTEM, control.pk, "access-control"),
        status=409,
        field="policy_key",
    )
    refused(
        DomainError,
        lambda: services.add_policy(scope_a, SYSTEM, control.pk, "Bad key!"),
        status=400,
        field="policy_key",
    )
    with logs(scope_a, "control.policy_removed"):
        services.remove_policy(scope_a, SYSTEM, control.pk, "access-control")
    assert not ControlPolicy.objects.filter(control=control).exists()


def test_criteria_must_be_the_organisations_assessable_ones(scope_a, control, org_b):
    adopt_soc2(scope_a)
    adopt_soc2(org_b)
    cc61 = Criterion.objects.get(organization=scope_a, ref="CC6.1")
    group = Criterion.objects.filter(organization=scope_a, assessable=False).first()
    with scopes_disabled():
        theirs = Criterion.objects.get(organization=org_b, ref="CC6.1")
    for ids in ([theirs.pk], [group.pk], [cc61.pk, theirs.pk]):
        refused(
            NotFound,
            lambda ids=ids: services.map_criteria(scope_a, SYSTEM, control.pk, ids),
            status=404,
            field="criterion_ids",
        )
    refused(
        DomainError,
        lambda: services.map_criteria(scope_a, SYSTEM, control.pk, []),
        status=400,
        field="criterion_ids",
    )
    assert not ControlCriterion.objects.filter(control=control).exists()  # nothing half-done
    with logs(scope_a, "control.criteria_mapped"):
        assert services.map_criteria(scope_a, SYSTEM, control.pk, [cc61.pk]) == 1
    with logs(scope_a):
        assert services.map_criteria(scope_a, SYSTEM, control.pk, [cc61.pk]) == 0
    with logs(scope_a, "control.criteria_unmapped"):
        assert services.unmap_criteria(scope_a, SYSTEM, control.pk, [cc61.pk]) == 1
    refused(
        NotFound,
        lambda: services.unmap_criteria(scope_a, SYSTEM, control.pk, [cc61.pk]),
        status=404,
        field="criterion_ids",
    )


# -- override -------------------------------------------------------------------------


@pytest.mark.parametrize("justification", ["", "   ", None])
def test_override_without_justification_is_refused(scope_a, control, justification):
    with logs(scope_a):
        refused(
            DomainError,
            lambda: services.set_override(
                scope_a, SYSTEM, control.pk, status="evidenced", justification=justification
            ),
            status=400,
            field="justification",
        )
    control.refresh_from_db()
    assert control.override_status == ""


def test_override_status_must_be_a_status(scope_a, control):
    refused(
        DomainError,
        lambda: services.set_override(
            scope_a, SYSTEM, control.pk, status="done", justification="why"
        ),
        status=400,
        field="status",
    )


def test_override_is_logged_with_before_and_after_and_cleared(scope_a, control, alice):
    actor = actor_for(alice)
    with logs(scope_a, "control.override_set"):
        services.set_override(
            scope_a, actor, control.pk, status="not_applicable", justification="No office"
        )
    control.refresh_from_db()
    assert (control.override_status, control.override_by) == ("not_applicable", alice)
    assert control.override_at is not None
    assert last_action(scope_a).changes == {
        "status": [None, "not_applicable"],
        "justification": [None, "No office"],
    }
    services.set_override(scope_a, actor, control.pk, status="evidenced", justification="Seen")
    assert last_action(scope_a).changes["status"] == ["not_applicable", "evidenced"]
    with logs(scope_a, "control.override_cleared"):
        services.clear_override(scope_a, actor, control.pk)
    control.refresh_from_db()
    assert (control.override_status, control.override_by_id) == ("", None)
    refused(
        Conflict,
        lambda: services.clear_override(scope_a, actor, control.pk),
        status=409,
        field=None,
    )


# -- evidence -------------------------------------------------------------------------


def _link_item(org, title="Ticket"):
    with organization_scope(org):
        return evidence.add_link(
            org, SYSTEM, kind="access_review", title=title, url="https://t.example/1"
        )


def test_evidence_is_linked_once_and_unlinked(scope_a, control):
    item = _link_item(scope_a)
    with logs(scope_a, "control.evidence_linked"):
        services.link_evidence(scope_a, SYSTEM, control.pk, item.pk)
    refused(
        Conflict,
        lambda: services.link_evidence(scope_a, SYSTEM, control.pk, item.pk),
        status=409,
        field="evidence_id",
    )
    with logs(scope_a, "control.evidence_unlinked"):
        services.unlink_evidence(scope_a, SYSTEM, control.pk, item.pk)
    refused(
        NotFound,
        lambda: services.unlink_evidence(scope_a, SYSTEM, control.pk, item.pk),
        status=404,
        field="evidence_id",
    )


def test_another_organisations_evidence_cannot_be_linked(scope_a, control, org_b):
    theirs = _link_item(org_b)
    with logs(scope_a):
        refused(
            NotFound,
            lambda: services.link_evidence(scope_a, SYSTEM, control.pk, theirs.pk),
            status=404,
            field="evidence_id",
        )


def test_uploaded_evidence_is_stored_and_linked(scope_a, control):
    upload = SimpleUploadedFile("review.pdf", PDF, content_type="application/pdf")
    with logs(scope_a, "evidence.added", "control.evidence_linked"):
        item = services.add_evidence(
            scope_a,
            SYSTEM,
            control.pk,
            kind="access_review",
            title="Q1 review",
            uploaded_file=upload,
        )
    assert ControlEvidence.objects.filter(control=control, evidence=item).exists()
    assert item.file_name == "review.pdf"


def test_evidence_link_with_a_bad_address_stores_nothing(scope_a, control):
    with logs(scope_a):
        refused(
            DomainError,
            lambda: services.add_evidence(
                scope_a, SYSTEM, control.pk, kind="x", title="y", url="javascript:alert(1)"
            ),
            status=400,
            field="url",
        )


def test_member_roles_that_may_own(scope_a, control, alice):
    from conftest import make_user

    maria = make_user("maria@a.example")
    with scopes_disabled():
        Membership.objects.create(organization=scope_a, user=maria, role=Role.MEMBER)
    services.set_owner(scope_a, SYSTEM, control.pk, maria.pk)
    control.refresh_from_db()
    assert control.owner == maria
