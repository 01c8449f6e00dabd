"""The controls demo loader: what it adds, and that a second run adds nothing."""

from __future__ import annotations

from django_scopes import scopes_disabled

from conftest import make_user
from zgovern.controls import demo
from zgovern.controls.models import (
    Control,
    ControlEvidence,
    EvidenceRequirement,
    RemediationTask,
    TaskStatus,
)
from zgovern.controls.tests.conftest import SYSTEM, adopt_soc2
from zgovern.core.demo import DemoContext
from zgovern.evidence import services as evidence
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import add_member, head_seq


def _load(org, users) -> None:
    with organization_scope(org):
        demo.load(DemoContext(organization=org, users=users))


def _counts(org) -> tuple[int, ...]:
    with scopes_disabled():
        return tuple(
            model.objects.filter(organization=org).count()
            for model in (Control, EvidenceRequirement, ControlEvidence, RemediationTask)
        )


def test_a_bare_organisation_gets_one_of_everything_once(org_a, alice, bob):
    with organization_scope(org_a):
        evidence.add_link(org_a, SYSTEM, kind="access_review", title="T", url="https://t.example")
    _load(org_a, {Role.OWNER: alice, Role.AUDITOR: bob})
    controls, requirements, links, tasks = _counts(org_a)
    assert (controls, requirements, links) == (1, 1, 1) and tasks >= 1
    with scopes_disabled():
        control = Control.objects.get(organization=org_a)
    assert control.owner == alice  # the admin's controls fall to the owner when there is none
    assert control.override_justification
    seq = head_seq(org_a)
    _load(org_a, {Role.OWNER: alice, Role.AUDITOR: bob})
    assert _counts(org_a) == (controls, requirements, links, tasks)
    assert head_seq(org_a) == seq


def test_the_default_controls_get_owners_an_override_and_a_plan(org_a, alice, bob):
    adam, maria = make_user("adam@a.example"), make_user("maria@a.example")
    add_member(org_a, adam, Role.ADMIN)
    add_member(org_a, maria, Role.MEMBER)
    adopt_soc2(org_a)
    users = {Role.OWNER: alice, Role.ADMIN: adam, Role.MEMBER: maria, Role.AUDITOR: bob}
    _load(org_a, users)
    with scopes_disabled():
        controls = Control.objects.filter(organization=org_a)
        unowned = set(controls.filter(owner__isnull=True).values_list("key", flat=True))
        owners = set(controls.values_list("owner__email", flat=True))
        manual = list(controls.exclude(override_status="").values_list("key", flat=True))
        tasks = list(RemediationTask.objects.filter(organization=org_a))
    assert unowned == demo.LEFT_UNOWNED & set(controls.values_list("key", flat=True))
    assert {alice.email, adam.email, maria.email} <= owners
    assert manual == ["penetration-test"]
    assert len(tasks) == demo.GAP_TASKS + 1
    assert {t.status for t in tasks} == {TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.DONE}
    seq = head_seq(org_a)
    _load(org_a, users)
    assert head_seq(org_a) == seq
