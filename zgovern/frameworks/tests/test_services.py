"""The frameworks services and read queries on the database: adoption (built-in, with
default controls, custom files good and bad), scoping, applicability, system description
versions, and the demo records."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from zgovern.controls.models import Control, ControlCriterion, ControlStatus
from zgovern.core import demo
from zgovern.core.actor import Actor
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.frameworks import queries, services
from zgovern.frameworks.models import Category, Criterion, Framework, SystemDescription
from zgovern.frameworks.tests.conftest import (
    BROKEN,
    CUSTOM,
    SYSTEM,
    actions,
    adopt,
    category,
    criterion,
)
from zgovern.readiness.engine import ControlState
from zgovern.readiness.status import ControlVerdict
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope


def _count(model, org) -> int:
    with scopes_disabled():
        return model.objects.filter(organization=org).count()


# -- adoption ---------------------------------------------------------------------------


def test_adopting_soc2_copies_its_tree_with_security_in_scope(org_a):
    framework = adopt(org_a, controls=False)
    with scopes_disabled():
        cats = {c.key: c for c in Category.objects.filter(framework=framework)}
        leaves = Criterion.objects.filter(framework=framework, assessable=True)
        cc61 = leaves.select_related("parent").get(ref="CC6.1")
        assert leaves.count() == 61
        assert cc61.parent.ref == "CC6" and not cc61.parent.assessable
    assert cats["security"].in_scope and cats["security"].always_in_scope
    assert not any(cats[k].in_scope for k in ("availability", "privacy"))
    assert _count(Control, org_a) == 0
    assert actions(org_a)[-1] == "framework.adopted"


def test_adopt_builtin_adds_the_default_controls_mapped_to_it(org_a):
    framework = adopt(org_a)
    controls = _count(Control, org_a)
    assert controls > 50
    with scopes_disabled():
        cc61 = Criterion.objects.get(framework=framework, ref="CC6.1")
        assert ControlCriterion.objects.filter(criterion=cc61).exists()
    assert actions(org_a)[-2:] == ["framework.adopted", "controls.defaults_adopted"]
    # ISO later: new controls for its criteria, existing ones linked, none duplicated.
    adopt(org_a, "iso27001")
    with scopes_disabled():
        keys = list(Control.objects.filter(organization=org_a).values_list("key", flat=True))
        iso = Framework.objects.get(organization=org_a, key="iso27001")
        mfa = Control.objects.get(organization=org_a, key="mfa-enforced")
        assert mfa.criteria.filter(framework=iso).exists()
    assert len(keys) == len(set(keys)) >= controls


def test_adopting_twice_is_a_conflict(org_a, soc2):
    with organization_scope(org_a), pytest.raises(Conflict) as caught:
        services.adopt_builtin(org_a, SYSTEM, "soc2")
    assert caught.value.status == 409
    assert _count(Framework, org_a) == 1


def test_unknown_builtin_is_not_found(org_a):
    with organization_scope(org_a), pytest.raises(NotFound, match="iso27001"):
        services.adopt_builtin(org_a, SYSTEM, "pci")


def test_adoption_with_controls_is_all_or_nothing(org_a, monkeypatch):
    def fail(org, actor):
        raise DomainError("control set unavailable")

    monkeypatch.setattr(services, "adopt_default_controls", fail)
    with organization_scope(org_a), pytest.raises(DomainError):
        services.adopt_builtin(org_a, SYSTEM, "soc2")
    assert _count(Framework, org_a) == _count(Criterion, org_a) == 0
    assert "framework.adopted" not in actions(org_a)


def test_frameworks_of_two_organisations_are_separate(org_a, org_b):
    adopt(org_a, controls=False)
    adopt(org_b, controls=False)  # the same key in another organisation is fine
    assert _count(Framework, org_a) == _count(Framework, org_b) == 1


# -- custom frameworks ------------------------------------------------------------------


def test_custom_framework_is_adopted_with_its_tree(org_a):
    with organization_scope(org_a):
        framework = services.adopt_custom_framework(org_a, SYSTEM, CUSTOM.encode(), "acme.yaml")
    assert framework.is_custom and framework.key == "acme-sec"
    with scopes_disabled():
        pay = Criterion.objects.select_related("parent", "category").get(
            framework=framework, ref="PAY-1"
        )
        assert pay.parent.ref == "AC" and pay.category.key == "payments"
        assert Criterion.objects.filter(framework=framework, assessable=True).count() == 3
    assert category(org_a, framework, "core").in_scope


def test_bad_custom_file_lists_every_problem_with_line_and_field(org_a):
    before = actions(org_a)
    with organization_scope(org_a), pytest.raises(services.FrameworkFileError) as caught:
        services.adopt_custom_framework(org_a, SYSTEM, BROKEN.encode(), "dir/broken.yaml")
    problems = caught.value.problems
    assert [(p.line, p.field) for p in problems] == [
        (13, "nodes[0].children[1].id"),
        (17, "nodes[1].parent"),
    ]
    assert "duplicate id 'AC-1'" in problems[0].message
    assert all(p.source == "broken.yaml" for p in problems)  # no directory shown
    assert caught.value.field == "file" and caught.value.status == 400
    assert "broken.yaml:13" in caught.value.message
    assert _count(Framework, org_a) == _count(Category, org_a) == _count(Criterion, org_a) == 0
    assert actions(org_a) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not text", "not UTF-8"),
        (b"id: x\n" + b"#" * services.MAX_CUSTOM_BYTES, "larger than 2 MB"),
        (b"", "empty"),
    ],
)
def test_unreadable_custom_files_are_refused(org_a, content, message):
    with organization_scope(org_a), pytest.raises(DomainError, match=message) as caught:
        services.adopt_custom_framework(org_a, SYSTEM, content, "x.yaml")
    assert caught.value.field == "file"
    assert _count(Framework, org_a) == 0


def test_custom_file_may_not_reuse_a_builtin_id(org_a):
    text = CUSTOM.replace("id: acme-sec", "id: soc2")
    with organization_scope(org_a), pytest.raises(Conflict, match="built-in"):
        services.adopt_custom_framework(org_a, SYSTEM, text.encode(), "x.yaml")


def test_ids_as_long_as_the_format_allows_are_stored(org_a):
    long_id = "AC-" + "9" * 61  # the file format's limit: 64 characters
    text = CUSTOM.replace("id: AC-2\n", f"id: {long_id}\n")
    with organization_scope(org_a):
        framework = services.adopt_custom_framework(org_a, SYSTEM, text.encode(), "x.yaml")
        assert framework.criteria.filter(ref=long_id).exists()


# -- scoping ----------------------------------------------------------------------------


def test_a_scope_decision_needs_a_reason(org_a, soc2):
    availability = category(org_a, soc2, "availability")
    for reason in ("", "   \n"):
        with organization_scope(org_a), pytest.raises(DomainError) as caught:
            services.set_category_scope(
                org_a, SYSTEM, availability.pk, in_scope=True, reason=reason
            )
        assert caught.value.field == "reason"
    assert not category(org_a, soc2, "availability").in_scope


def test_scoping_a_category_in_and_out_is_logged_with_the_reason(org_a, soc2):
    availability = category(org_a, soc2, "availability")
    with organization_scope(org_a):
        services.set_category_scope(
            org_a, SYSTEM, availability.pk, in_scope=True, reason=" 99.9% SLA "
        )
    scoped = category(org_a, soc2, "availability")
    assert scoped.in_scope and scoped.scope_reason == "99.9% SLA"
    with organization_scope(org_a):
        services.set_category_scope(
            org_a, SYSTEM, availability.pk, in_scope=False, reason="SLA dropped"
        )
    assert not category(org_a, soc2, "availability").in_scope
    assert actions(org_a)[-2:] == ["framework.category_scoped"] * 2


def test_an_always_in_scope_category_cannot_be_scoped_out(org_a, soc2):
    security = category(org_a, soc2, "security")
    with organization_scope(org_a), pytest.raises(DomainError, match="always in scope") as e:
        services.set_category_scope(org_a, SYSTEM, security.pk, in_scope=False, reason="no")
    assert e.value.field == "in_scope"
    assert category(org_a, soc2, "security").in_scope


@pytest.mark.parametrize(("reason", "field"), [("a\x00b", "reason"), ("x" * 2001, "reason")])
def test_unstorable_reasons_are_refused(org_a, soc2, reason, field):
    availability = category(org_a, soc2, "availability")
    with organization_scope(org_a), pytest.raises(DomainError) as caught:
        services.set_category_scope(org_a, SYSTEM, availability.pk, in_scope=True, reason=reason)
    assert caught.value.field == field


def test_another_organisations_category_is_not_found(org_a, org_b, soc2_b):
    theirs = category(org_b, soc2_b, "availability")
    with organization_scope(org_a), pytest.raises(NotFound):
        services.set_category_scope(org_a, SYSTEM, theirs.pk, in_scope=True, reason="mine")
    assert not category(org_b, soc2_b, "availability").in_scope


def test_not_applicable_needs_a_justification(org_a, soc2):
    cc64 = criterion(org_a, soc2, "CC6.4")
    with organization_scope(org_a), pytest.raises(DomainError) as caught:
        services.set_criterion_applicability(
            org_a, SYSTEM, cc64.pk, not_applicable=True, justification="  "
        )
    assert caught.value.field == "justification"
    assert not criterion(org_a, soc2, "CC6.4").not_applicable


def test_marking_not_applicable_and_back(org_a, soc2):
    cc64 = criterion(org_a, soc2, "CC6.4")
    with organization_scope(org_a):
        services.set_criterion_applicability(
            org_a, SYSTEM, cc64.pk, not_applicable=True, justification="AWS carve-out"
        )
        assert criterion(org_a, soc2, "CC6.4").na_justification == "AWS carve-out"
        services.set_criterion_applicability(
            org_a, SYSTEM, cc64.pk, not_applicable=False, justification=""
        )
    again = criterion(org_a, soc2, "CC6.4")
    assert not again.not_applicable and again.na_justification == ""
    assert actions(org_a)[-2:] == ["framework.criterion_applicability"] * 2


def test_a_group_cannot_be_marked_not_applicable(org_a, soc2):
    group = criterion(org_a, soc2, "CC6")
    with organization_scope(org_a), pytest.raises(NotFound):
        services.set_criterion_applicability(
            org_a, SYSTEM, group.pk, not_applicable=True, justification="x"
        )


# -- system description -----------------------------------------------------------------


def test_each_save_is_a_new_version(org_a, alice):
    with organization_scope(org_a):
        first = services.save_system_description(org_a, SYSTEM, {"services": " Billing "})
        second = services.save_system_description(
            org_a, Actor(kind="user", label=alice.email, user=alice),
            {"services": "Billing v2", "boundaries": "prod only"},
        )  # fmt: skip
    assert (first.version, second.version) == (1, 2)
    assert first.services == "Billing" and first.created_by is None
    assert second.created_by == alice and second.narrative == ""
    with scopes_disabled():
        assert SystemDescription.objects.get(pk=first.pk).services == "Billing"  # kept
    assert actions(org_a)[-2:] == ["system_description.saved"] * 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"data": "x" * (services.MAX_TEXT + 1)}, "data"),
        ({"people": "nul\x00"}, "people"),
        ({"people": 3}, "people"),
    ],
)
def test_bad_system_description_fields_are_refused(org_a, fields, field):
    with organization_scope(org_a), pytest.raises(DomainError) as caught:
        services.save_system_description(org_a, SYSTEM, fields)
    assert caught.value.field == field
    assert _count(SystemDescription, org_a) == 0


def test_versions_are_numbered_per_organisation(org_a, org_b):
    with organization_scope(org_a):
        services.save_system_description(org_a, SYSTEM, {"services": "A"})
    with organization_scope(org_b):
        theirs = services.save_system_description(org_b, SYSTEM, {"services": "B"})
    assert theirs.version == 1


# -- read queries -------------------------------------------------------------------------


def _state(status: str) -> ControlState:
    return ControlState(Control(name=status), ControlVerdict(status, ()), frozenset())


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], queries.UNCOVERED),
        ([ControlStatus.NOT_APPLICABLE], queries.UNCOVERED),
        ([ControlStatus.MISSING, ControlStatus.MISSING], queries.UNCOVERED),
        ([ControlStatus.MISSING, ControlStatus.PARTIAL], queries.PARTIAL),
        ([ControlStatus.EVIDENCED, ControlStatus.IMPLEMENTED], queries.PARTIAL),
        ([ControlStatus.EVIDENCED, ControlStatus.NOT_APPLICABLE], queries.COVERED),
    ],
)
def test_coverage_of_a_criterion(statuses, expected):
    assert queries.coverage([_state(s) for s in statuses]) == expected


def test_framework_view_rows_scope_and_cross_references(org_a, soc2):
    with organization_scope(org_a):
        cc64 = criterion(org_a, soc2, "CC6.4")
        services.set_criterion_applicability(
            org_a, SYSTEM, cc64.pk, not_applicable=True, justification="carved out"
        )
        alone = queries.framework_view(org_a, soc2)
        adopt(org_a, "iso27001", controls=False)
        both = queries.framework_view(org_a, soc2)
    rows = {r.criterion.ref: r for cv in alone.categories for r in cv.rows}
    assert [r.criterion.ref for r in alone.categories[0].rows[:2]] == ["CC1", "CC1.1"]
    assert rows["CC6.1"].in_scope and rows["CC6.1"].controls
    assert rows["CC6.1"].coverage == queries.UNCOVERED  # every mapped control is missing
    assert not rows["CC6.4"].in_scope and rows["CC6.4"].coverage == ""
    assert not rows["A1.1"].in_scope  # Availability not scoped in
    assert rows["CC6.1"].crossrefs == []  # ISO not adopted yet
    refs = {r.criterion.ref: r for cv in both.categories for r in cv.rows}
    linked = {x.ref for x in refs["CC6.1"].crossrefs}
    assert {"A.5.15", "A.8.5"} <= linked
    assert all(x.criterion_id and x.framework.key == "iso27001" for x in refs["CC6.1"].crossrefs)
    with organization_scope(org_a):
        iso = Framework.objects.get(organization=org_a, key="iso27001")
        iso_rows = {r.criterion.ref: r for cv in queries.framework_view(org_a, iso).categories
                    for r in cv.rows}  # fmt: skip
    assert "CC6.1" in {x.ref for x in iso_rows["A.5.15"].crossrefs}


def test_custom_tree_shows_groups_above_criteria_of_another_category(org_a):
    with organization_scope(org_a):
        framework = services.adopt_custom_framework(org_a, SYSTEM, CUSTOM.encode(), "c.yaml")
        view = queries.framework_view(org_a, framework)
    by_key = {
        cv.category.key: [(r.criterion.ref, r.depth) for r in cv.rows] for cv in view.categories
    }
    assert by_key == {
        "core": [("AC", 0), ("AC-1", 1), ("AC-2", 1)],
        "payments": [("AC", 0), ("PAY-1", 1)],
    }


# -- demo -------------------------------------------------------------------------------


def test_demo_scopes_soc2_and_writes_the_system_description_once(org_a, alice, bob):
    users = {Role.OWNER: alice, Role.AUDITOR: bob}
    demo.populate(org_a, users)
    with scopes_disabled():
        framework = Framework.objects.get(organization=org_a, key="soc2")
        assert Control.objects.filter(organization=org_a).exists()
    availability = category(org_a, framework, "availability")
    assert availability.in_scope
    assert availability.scope_reason == "Customers rely on our uptime commitment (99.9% SLA)"
    privacy = category(org_a, framework, "privacy")
    assert not privacy.in_scope and privacy.scope_reason
    assert criterion(org_a, framework, "CC6.4").not_applicable
    # A decision made while trying the demo survives loading it again.
    with organization_scope(org_a):
        services.set_category_scope(
            org_a, SYSTEM, privacy.pk, in_scope=True, reason="New EU customers"
        )
    demo.populate(org_a, users)
    assert category(org_a, framework, "privacy").in_scope
    assert _count(Framework, org_a) == 1 and _count(SystemDescription, org_a) == 1
