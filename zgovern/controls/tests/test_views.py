"""Controls pages with alice (owner), bob (read-only) and charlie (outsider): the list and
its filters, a control's page with its reasons, and every form, good and bad."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
from zgovern.controls.tests.conftest import SYSTEM, adopt_soc2, make_control
from zgovern.evidence import services as evidence
from zgovern.frameworks.models import Criterion, Framework
from zgovern.monitoring.models import CheckInterval, Resource
from zgovern.tenancy.scoping import organization_scope

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def url(org, name: str = "", **params) -> str:
    from django.urls import reverse

    return reverse(f"controls:{name or 'index'}", kwargs={"org_slug": org.slug, **params})


def refreshed(control: Control) -> Control:
    with scopes_disabled():
        return Control.objects.get(pk=control.pk)


# -- the list -------------------------------------------------------------------------


def test_list_shows_controls_with_their_status(alice_client, org_a, control):
    response = alice_client.get(url(org_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert control.name in body
    assert '<span class="badge bad">Missing</span>' in body
    assert "New control" in body


def test_reader_sees_the_list_without_write_buttons(bob_client, org_a, control):
    response = bob_client.get(url(org_a))
    assert response.status_code == 200
    assert control.name in response.content.decode()
    assert "New control" not in response.content.decode()


def test_outsider_gets_404(charlie_client, org_a, control):
    assert charlie_client.get(url(org_a)).status_code == 404
    assert charlie_client.get(url(org_a, "detail", control_id=control.pk)).status_code == 404
    assert charlie_client.get(url(org_a, "plan")).status_code == 404


@pytest.fixture
def listed(org_a, alice):
    make_control(org_a, "alpha", name="Alpha control", severity="critical", domain="access")
    make_control(org_a, "beta", name="Beta control", severity="low", domain="hr")
    gamma = make_control(org_a, "gamma", name="Gamma control", owner=alice.pk)
    with organization_scope(org_a):
        services.set_override(
            org_a, SYSTEM, gamma.pk, status="evidenced", justification="Seen by the auditor"
        )
    return org_a


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("severity=critical", ["Alpha"], ["Beta", "Gamma"]),
        ("domain=hr", ["Beta"], ["Alpha", "Gamma"]),
        ("status=evidenced", ["Gamma"], ["Alpha", "Beta"]),
        ("status=missing", ["Alpha", "Beta"], ["Gamma"]),
        ("q=beta", ["Beta"], ["Alpha", "Gamma"]),
        ("owner=0", ["Alpha", "Beta"], ["Gamma"]),
    ],
)
def test_list_filters(alice_client, listed, query, shown, hidden):
    body = alice_client.get(f"{url(listed)}?{query}").content.decode()
    for name in shown:
        assert f"{name} control" in body
    for name in hidden:
        assert f"{name} control" not in body


def test_list_filters_by_owner_and_sorts(alice_client, listed, alice):
    body = alice_client.get(f"{url(listed)}?owner={alice.pk}").content.decode()
    assert "Gamma control" in body and "Alpha control" not in body
    body = alice_client.get(f"{url(listed)}?sort=severity").content.decode()
    assert body.index("Alpha control") < body.index("Gamma control") < body.index("Beta control")
    body = alice_client.get(f"{url(listed)}?sort=-status").content.decode()
    assert body.index("Gamma control") < body.index("Alpha control")


def test_list_filters_by_framework_and_category(alice_client, org_a, listed):
    adopt_soc2(org_a)
    with scopes_disabled():
        framework = Framework.objects.get(organization=org_a)
        mfa = Control.objects.get(organization=org_a, key="mfa-enforced")
        category = mfa.criteria.first().category
    body = alice_client.get(f"{url(org_a)}?framework={framework.pk}").content.decode()
    assert mfa.name in body and "Alpha control" not in body
    body = alice_client.get(f"{url(org_a)}?category={category.pk}").content.decode()
    assert mfa.name in body and "Alpha control" not in body


def test_a_bad_filter_answers_400_and_filters_nothing(alice_client, listed):
    response = alice_client.get(f"{url(listed)}?severity=extreme")
    assert response.status_code == 400
    assert "Alpha control" in response.content.decode()


def _grow(org, count: int, start: int) -> None:
    """Controls with a check, a requirement, linked evidence and results, like real ones."""
    with organization_scope(org):
        item = evidence.add_link(org, SYSTEM, kind="review", title="R", url="https://x.example")
        resource, _ = Resource.objects.get_or_create(
            organization=org, provider="aws", resource_type="user", external_id="u1",
            defaults={"name": "u1"},
        )  # fmt: skip
        for n in range(start, start + count):
            control = services.create_control(org, SYSTEM, key=f"c{n}", name=f"Control {n}")
            services.add_check(org, SYSTEM, control.pk, f"aws.check.c{n}")
            services.add_requirement(
                org, SYSTEM, control.pk, kind="review", description="r", freshness_days=30
            )
            services.link_evidence(org, SYSTEM, control.pk, item.pk)
            CheckInterval.objects.create(
                organization=org, check_id=f"aws.check.c{n}", resource=resource, status="pass",
                started_at=item.collected_at, confirmed_at=item.collected_at,
            )  # fmt: skip


def _queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("query", ["", "?sort=owner&status=evidenced", "?q=control&page=2"])
def test_list_query_count_does_not_grow_with_controls(alice_client, org_a, alice, query):
    _grow(org_a, 60, 0)
    with organization_scope(org_a):
        Control.objects.filter(organization=org_a).update(owner=alice)
    small = _queries(alice_client, url(org_a) + query)
    _grow(org_a, 140, 60)
    with organization_scope(org_a):
        Control.objects.filter(organization=org_a).update(owner=alice)
    large = _queries(alice_client, url(org_a) + query)
    print(f"controls list queries: 60 controls {small}, 200 controls {large}")
    assert small == large


# -- one control ----------------------------------------------------------------------


@pytest.fixture
def tested(org_a, control):
    """The control with a failing check, a stale requirement and a policy."""
    with organization_scope(org_a):
        services.add_check(org_a, SYSTEM, control.pk, "aws.iam.console_mfa")
        services.add_requirement(
            org_a, SYSTEM, control.pk, kind="mfa_status", description="MFA report",
            freshness_days=7,
        )  # fmt: skip
        services.add_policy(org_a, SYSTEM, control.pk, "access-control")
        resource = Resource.objects.create(
            organization=org_a, provider="aws", resource_type="user", external_id="bob",
            name="bob",
        )  # fmt: skip
        from django.utils import timezone

        now = timezone.now()
        CheckInterval.objects.create(
            organization=org_a, check_id="aws.iam.console_mfa", resource=resource,
            status="fail", started_at=now, confirmed_at=now,
        )  # fmt: skip
    return control


def test_detail_explains_the_status_with_every_reason(alice_client, org_a, tested):
    response = alice_client.get(url(org_a, "detail", control_id=tested.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'Status: <span class="badge bad">Missing</span>' in body
    assert "Check aws.iam.console_mfa: 1 of 1 resources fail." in body
    assert "Evidence &#x27;MFA report&#x27;: none collected." in body
    assert "Policy access-control: missing." in body
    assert "Set the status by hand" in body


def test_detail_for_a_reader_has_no_forms(bob_client, org_a, tested):
    body = bob_client.get(url(org_a, "detail", control_id=tested.pk)).content.decode()
    assert "Check aws.iam.console_mfa" in body
    assert "Set the status by hand" not in body
    assert "csrfmiddlewaretoken" not in body.split("<main")[1].split("Sign out")[0]


def test_another_organisations_control_is_404(alice_client, org_a, control_b):
    assert alice_client.get(url(org_a, "detail", control_id=control_b.pk)).status_code == 404
    response = alice_client.post(
        url(org_a, "add_check", control_id=control_b.pk), {"check_id": "aws.x.y"}
    )
    assert response.status_code == 404


def test_create_control(alice_client, org_a, alice):
    data = {"key": "new-one", "name": "New one", "frequency": "weekly", "severity": "high",
            "owner": alice.pk}  # fmt: skip
    response = alice_client.post(url(org_a, "create"), data)
    with scopes_disabled():
        control = Control.objects.get(organization=org_a, key="new-one")
    assert response.status_code == 302
    assert response["Location"] == url(org_a, "detail", control_id=control.pk)
    assert control.owner == alice


def test_create_control_with_a_taken_key_answers_409(alice_client, org_a, control):
    data = {"key": control.key, "name": "Again", "frequency": "weekly", "severity": "high"}
    response = alice_client.post(url(org_a, "create"), data)
    assert response.status_code == 409
    assert "already has the key" in response.content.decode()


def test_create_control_with_an_outsider_owner_is_refused(alice_client, org_a, charlie):
    data = {"key": "k", "name": "K", "frequency": "weekly", "severity": "high",
            "owner": charlie.pk}  # fmt: skip
    response = alice_client.post(url(org_a, "create"), data)
    assert response.status_code == 400
    with scopes_disabled():
        assert not Control.objects.filter(organization=org_a, key="k").exists()


def test_reader_cannot_create_or_edit(bob_client, org_a, control):
    assert bob_client.get(url(org_a, "create")).status_code == 302
    assert bob_client.post(url(org_a, "create"), {"key": "x", "name": "x"}).status_code == 403
    assert bob_client.get(url(org_a, "edit", control_id=control.pk)).status_code == 302
    response = bob_client.post(url(org_a, "set_override", control_id=control.pk),
                               {"status": "evidenced", "justification": "x"})  # fmt: skip
    assert response.status_code == 403
    assert refreshed(control).override_status == ""


def test_edit_control(alice_client, org_a, control):
    page = alice_client.get(url(org_a, "edit", control_id=control.pk))
    assert page.status_code == 200 and control.name in page.content.decode()
    data = {"key": control.key, "name": "Renamed", "frequency": "annual", "severity": "low",
            "description": "Yearly", "domain": "governance"}  # fmt: skip
    response = alice_client.post(url(org_a, "edit", control_id=control.pk), data)
    assert response.status_code == 302
    assert (refreshed(control).name, refreshed(control).frequency) == ("Renamed", "annual")


def test_edit_with_an_empty_form_answers_400(alice_client, org_a, control):
    assert alice_client.post(url(org_a, "edit", control_id=control.pk), {}).status_code == 400


def test_override_without_justification_is_refused(alice_client, org_a, control):
    response = alice_client.post(
        url(org_a, "set_override", control_id=control.pk), {"status": "evidenced"}
    )
    assert response.status_code == 400
    assert "Give the justification." in response.content.decode()
    assert refreshed(control).override_status == ""


def test_override_is_shown_with_who_and_why_and_cleared(alice_client, org_a, control, alice):
    response = alice_client.post(
        url(org_a, "set_override", control_id=control.pk),
        {"status": "evidenced", "justification": "Report held by finance"},
    )
    assert response.status_code == 302
    body = alice_client.get(response["Location"]).content.decode()
    assert f"Set manually by {alice.email}" in body
    assert "Report held by finance" in body
    assert alice_client.post(url(org_a, "clear_override", control_id=control.pk)).status_code == 302
    assert refreshed(control).override_status == ""
    again = alice_client.post(url(org_a, "clear_override", control_id=control.pk))
    assert again.status_code == 409
    assert "no manual status" in again.content.decode()


def test_owner_form(alice_client, org_a, control, alice, charlie):
    owner_url = url(org_a, "set_owner", control_id=control.pk)
    assert alice_client.post(owner_url, {"owner": alice.pk}).status_code == 302
    assert refreshed(control).owner == alice
    assert alice_client.post(owner_url, {"owner": charlie.pk}).status_code == 400
    assert refreshed(control).owner == alice


def test_checks_and_policies_forms(alice_client, org_a, control):
    add = url(org_a, "add_check", control_id=control.pk)
    assert alice_client.post(add, {"check_id": "aws.iam.root_mfa"}).status_code == 302
    bad = alice_client.post(add, {"check_id": "not-dotted"})
    assert bad.status_code == 400 and "dotted lowercase" in bad.content.decode()
    assert alice_client.post(add, {"check_id": "aws.iam.root_mfa"}).status_code == 409
    remove = url(org_a, "remove_check", control_id=control.pk)
    assert alice_client.post(remove, {"check_id": "aws.iam.root_mfa"}).status_code == 302
    missing = alice_client.post(remove, {"check_id": "aws.iam.root_mfa"})
    assert missing.status_code == 404 and "does not use check" in missing.content.decode()
    with scopes_disabled():
        assert not ControlCheck.objects.filter(control=control).exists()
    policy = url(org_a, "add_policy", control_id=control.pk)
    assert alice_client.post(policy, {"policy_key": "encryption"}).status_code == 302
    unpolicy = url(org_a, "remove_policy", control_id=control.pk)
    assert alice_client.post(unpolicy, {"policy_key": "encryption"}).status_code == 302
    with scopes_disabled():
        assert not ControlPolicy.objects.filter(control=control).exists()


def test_requirement_forms(alice_client, org_a, control):
    add = url(org_a, "add_requirement", control_id=control.pk)
    data = {"kind": "access_review", "description": "Quarterly", "freshness_days": 92}
    assert alice_client.post(add, data).status_code == 302
    assert alice_client.post(add, {**data, "freshness_days": 0}).status_code == 400
    assert alice_client.post(add, data).status_code == 409
    with scopes_disabled():
        req = EvidenceRequirement.objects.get(control=control)
    edit = url(org_a, "edit_requirement", requirement_id=req.pk)
    assert alice_client.post(edit, {**data, "freshness_days": 30}).status_code == 302
    bad = alice_client.post(edit, {**data, "freshness_days": 9999})
    assert bad.status_code == 400 and "Fresh for" in bad.content.decode()
    with scopes_disabled():
        assert EvidenceRequirement.objects.get(pk=req.pk).freshness_days == 30
    remove = url(org_a, "remove_requirement", requirement_id=req.pk)
    assert alice_client.post(remove).status_code == 302
    assert alice_client.post(remove).status_code == 404


def test_criteria_forms(alice_client, org_a, control):
    adopt_soc2(org_a)
    with scopes_disabled():
        cc61 = Criterion.objects.get(organization=org_a, ref="CC6.1")
    page = alice_client.get(url(org_a, "detail", control_id=control.pk)).content.decode()
    assert "CC6.1" in page
    mapping = url(org_a, "map_criterion", control_id=control.pk)
    assert alice_client.post(mapping, {"criterion": cc61.pk}).status_code == 302
    assert alice_client.post(mapping, {"criterion": 999_999}).status_code == 400
    page = alice_client.get(url(org_a, "detail", control_id=control.pk)).content.decode()
    assert "SOC 2" in page and "CC6.1" in page
    unmap = url(org_a, "unmap_criterion", control_id=control.pk)
    assert alice_client.post(unmap, {"id": cc61.pk}).status_code == 302
    assert alice_client.post(unmap, {"id": cc61.pk}).status_code == 404
    with scopes_disabled():
        assert not ControlCriterion.objects.filter(control=control).exists()


def test_evidence_forms(alice_client, org_a, control, org_b):
    with organization_scope(org_a):
        item = evidence.add_link(org_a, SYSTEM, kind="review", title="Ticket 7",
                                 url="https://t.example/7")  # fmt: skip
    with organization_scope(org_b):
        theirs = evidence.add_link(org_b, SYSTEM, kind="review", title="Theirs",
                                   url="https://t.example/8")  # fmt: skip
    link = url(org_a, "link_evidence", control_id=control.pk)
    assert alice_client.post(link, {"id": theirs.pk}).status_code == 404
    assert alice_client.post(link, {"id": item.pk}).status_code == 302
    body = alice_client.get(url(org_a, "detail", control_id=control.pk)).content.decode()
    assert "Ticket 7" in body
    unlink = url(org_a, "unlink_evidence", control_id=control.pk)
    assert alice_client.post(unlink, {"id": item.pk}).status_code == 302
    with scopes_disabled():
        assert not ControlEvidence.objects.filter(control=control).exists()


def test_upload_evidence_for_a_control(alice_client, bob_client, org_a, control):
    add = url(org_a, "add_evidence", control_id=control.pk)
    assert alice_client.get(add).status_code == 200
    assert bob_client.get(add).status_code == 302
    assert alice_client.post(add, {"title": "x", "kind": "review"}).status_code == 400
    upload = SimpleUploadedFile("review.pdf", PDF, content_type="application/pdf")
    response = alice_client.post(add, {"title": "Q1 review", "kind": "review", "file": upload})
    assert response.status_code == 302
    with scopes_disabled():
        link = ControlEvidence.objects.select_related("evidence").get(control=control)
    assert link.evidence.title == "Q1 review"
    bad = alice_client.post(add, {"title": "x", "kind": "review", "url": "ftp://x"})
    assert bad.status_code == 400 and "http" in bad.content.decode()
