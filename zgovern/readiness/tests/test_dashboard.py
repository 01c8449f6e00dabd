"""The dashboard: readiness per framework, projection, burn-up chart, gaps and tasks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.controls.models import Control, ControlStatus, RemediationTask, TaskStatus
from zgovern.frameworks import services as frameworks
from zgovern.readiness.engine import assess_organization
from zgovern.readiness.tests.conftest import SYSTEM, check_result, make_evidenced, seed_history
from zgovern.tenancy.models import Membership
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope


def url(org) -> str:
    return reverse("core:dashboard", kwargs={"org_slug": org.slug})


def page(client, org) -> str:
    response = client.get(url(org))
    assert response.status_code == 200
    return response.content.decode()


def test_shows_score_criteria_categories_and_statuses(alice_client, soc2_org):
    with organization_scope(soc2_org):
        control = Control.objects.get(organization=soc2_org, key="mfa-enforced")
        make_evidenced(soc2_org, control)
        (soc2,) = assess_organization(soc2_org).frameworks
    html = page(alice_client, soc2_org)
    assert soc2.score > 0
    assert f"{soc2.score:.0%}" in html
    assert f"{soc2.criteria_ready} of {soc2.criteria_in_scope} criteria" in html
    assert "Security" in html and "<meter" in html
    for status in ControlStatus:
        assert status.label in html
    assert "Insufficient data for a projection" in html
    assert "A projection needs 5 days of history; there are 1." in html


def test_gaps_link_to_the_control_pages_worst_first(alice_client, soc2_org):
    with organization_scope(soc2_org):
        (soc2,) = assess_organization(soc2_org).frameworks
    html = page(alice_client, soc2_org)
    links = re.findall(rf"/o/{soc2_org.slug}/controls/(\d+)/", html)
    expected = [str(state.control.id) for state in soc2.gaps[:8]]
    assert links[:8] == expected
    assert soc2.gaps[0].verdict.reasons[0] in html
    assert f"All {len(soc2.gaps)} gaps in the readiness report" in html


def test_flat_history_is_not_converging_and_draws_no_trend(alice_client, soc2_org):
    with organization_scope(soc2_org):
        seed_history(soc2_org, [0.0] * 20)  # flat at zero: the live score is zero too
    html = page(alice_client, soc2_org)
    assert "Not converging" in html and "no audit-ready date" in html
    assert 'class="trend"' not in html


def test_projected_date_and_range_are_shown(alice_client, soc2_org, policies_approved):
    with organization_scope(soc2_org):
        for control in Control.objects.filter(organization=soc2_org)[:30]:
            make_evidenced(soc2_org, control)
        score = assess_organization(soc2_org).frameworks[0].score
        seed_history(soc2_org, [score - 0.01 * (20 - i) for i in range(20)])
    html = page(alice_client, soc2_org)
    assert "Projected audit-ready date:" in html
    assert "likely between" in html
    assert 'class="trend"' in html and 'class="band"' in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'viewBox="0 0 360 220"' in svg and 'width="100%"' in svg
    assert "<title id=" in svg and "<desc id=" in svg and 'role="img"' in svg
    assert "Data table" in html and html.count("<tr><td>") >= 21
    assert "<script" not in html.split("</head>")[1]


def test_overdue_tasks_are_counted(alice_client, soc2_org):
    today = timezone.localdate()
    with organization_scope(soc2_org):
        control = Control.objects.filter(organization=soc2_org).first()
        for days, status in ((-3, TaskStatus.OPEN), (-1, TaskStatus.IN_PROGRESS),
                             (-5, TaskStatus.DONE), (4, TaskStatus.OPEN)):  # fmt: skip
            RemediationTask.objects.create(
                organization=soc2_org, control=control, title=f"t{days}",
                target_date=today + timedelta(days=days), status=status,
            )  # fmt: skip
    html = page(alice_client, soc2_org)
    card = html[html.index("Overdue remediation tasks") :]
    assert re.search(r'class="big">2<', card)


def test_without_frameworks_says_what_to_do(alice_client, org_a):
    html = page(alice_client, org_a)
    assert "No framework is adopted yet" in html
    assert "<svg" not in html


def test_read_only_member_reads_and_outsider_gets_404(bob_client, charlie_client, soc2_org):
    assert "criteria ready" in page(bob_client, soc2_org)
    assert charlie_client.get(url(soc2_org)).status_code == 404


def test_employee_goes_to_their_tasks(soc2_org, client):
    from conftest import make_user

    eric = make_user("eric@a.example")
    with scopes_disabled():
        Membership.objects.create(organization=soc2_org, user=eric, role=Role.EMPLOYEE)
    client.force_login(eric)
    response = client.get(url(soc2_org))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:my_tasks", kwargs={"org_slug": soc2_org.slug})


def _dashboard_queries(client, org) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url(org)).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db(transaction=False)
def test_query_count_is_constant_in_controls_results_and_evidence(alice_client, soc2_org):
    small = _dashboard_queries(alice_client, soc2_org)
    with organization_scope(soc2_org):
        frameworks.adopt_framework(soc2_org, SYSTEM, frameworks.builtin("iso27001"))
        frameworks.adopt_default_controls(soc2_org, SYSTEM)
        for index, control in enumerate(Control.objects.filter(organization=soc2_org)):
            if index % 2:
                make_evidenced(soc2_org, control)
            else:
                check_result(soc2_org, f"custom.check.{index}", "fail", f"res-{index}")
        seed_history(soc2_org, [0.01 * i for i in range(40)])
        today = timezone.localdate()
        RemediationTask.objects.bulk_create(
            [RemediationTask(organization=soc2_org, title=f"t{i}", target_date=today)
             for i in range(30)]
        )  # fmt: skip
    large = _dashboard_queries(alice_client, soc2_org)
    assert large == small
