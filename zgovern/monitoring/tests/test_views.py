"""Monitoring pages with alice (owner), bob (read-only) and charlie (outsider)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.monitoring import runner
from zgovern.monitoring.models import CheckInterval, CheckRun, Resource, RunTrigger


@pytest.fixture
def ran(org_a, integration, fake_provider):
    """Two runs: ben fails MFA in both, so his failure has lasted since the first."""
    fake_provider.users["ben"] = {"mfa": False, "active": True}
    first = runner.run_integration(integration.pk, RunTrigger.CLI)
    second = runner.run_integration(integration.pk, RunTrigger.CLI)
    with scopes_disabled():
        ben = Resource.objects.get(organization=org_a, external_id="user/ben")
    return {"first": first, "second": second, "ben": ben}


def base(org) -> str:
    return f"/o/{org.slug}/monitoring/"


def test_the_checks_list_puts_failing_checks_first(
    org_a, ran, alice_client, bob_client, charlie_client
):
    for client in (alice_client, bob_client):
        response = client.get(base(org_a))
        assert response.status_code == 200
        rows = response.context["rows"]
        assert rows[0]["id"] == "fake.users.mfa" and rows[0]["counts"].failing == 1
        assert rows[0]["counts"].passing == 1
        assert b"Users have MFA" in response.content
    assert charlie_client.get(base(org_a)).status_code == 404


def test_the_check_page_shows_failures_since_when_and_a_chart(
    org_a, ran, alice_client, charlie_client
):
    response = alice_client.get(base(org_a) + "checks/fake.users.mfa/")
    assert response.status_code == 200
    [failure] = response.context["failures"]
    assert failure.resource_id == ran["ben"].pk and failure.started_at == ran["first"].started_at
    assert response.context["failing_since"] == ran["first"].started_at
    text = response.content.decode()
    assert "<svg" in text and "1 failing</title>" in text and "<script>" not in text
    assert "user ben has console access and no MFA device" in text
    assert charlie_client.get(base(org_a) + "checks/fake.users.mfa/").status_code == 404


def test_an_unknown_check_is_404_and_an_imported_one_is_shown(org_a, alice_client):
    assert alice_client.get(base(org_a) + "checks/fake.nope.never/").status_code == 404
    with scopes_disabled():
        resource = Resource.objects.create(
            organization=org_a,
            provider="aws",
            resource_type="AwsIamUser",
            external_id="u",
            name="u",
        )
        CheckInterval.objects.create(
            organization=org_a, resource=resource, check_id="prowler.custom_thing", status="fail",
            started_at=timezone.now(), confirmed_at=timezone.now(),
        )  # fmt: skip
    response = alice_client.get(base(org_a) + "checks/prowler.custom_thing/")
    assert response.status_code == 200 and b"imported from a scanner" in response.content


def test_resources_and_a_resources_timeline(org_a, ran, alice_client, bob_client, charlie_client):
    listing = bob_client.get(base(org_a) + "resources/?q=ben")
    assert listing.status_code == 200
    assert [r.pk for r in listing.context["page"]] == [ran["ben"].pk]
    page = alice_client.get(base(org_a) + f"resources/{ran['ben'].pk}/")
    assert page.status_code == 200
    timelines = {t.check_id: t for t in page.context["timelines"]}
    assert timelines["fake.users.mfa"].current == "fail"
    assert timelines["fake.users.mfa"].bars[0].colour == "#b3261e"
    assert b"Fail from" in page.content
    assert charlie_client.get(base(org_a) + f"resources/{ran['ben'].pk}/").status_code == 404


def test_the_status_at_a_moment(org_a, ran, alice_client):
    target = base(org_a) + f"resources/{ran['ben'].pk}/"
    later = (timezone.now() + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    response = alice_client.get(target, {"at": later})
    assert {i.check_id: i.status for i in response.context["at_statuses"]} == {
        "fake.users.mfa": "fail", "fake.users.active": "pass",
    }  # fmt: skip
    before = alice_client.get(target, {"at": "2001-01-01T00:00"})
    assert before.context["at_statuses"] == [] and b"Nothing was observed" in before.content
    assert alice_client.get(target, {"at": "not a time"}).status_code == 400


def test_runs_and_a_run(org_a, ran, alice_client, bob_client, charlie_client):
    listing = bob_client.get(base(org_a) + "runs/")
    assert listing.status_code == 200 and len(listing.context["page"]) == 2
    page = alice_client.get(base(org_a) + f"runs/{ran['first'].pk}/")
    assert page.status_code == 200
    assert b"Succeeded" in page.content and b"fake.users.mfa" in page.content
    assert f"/evidence/{ran['first'].evidence_ids[0]}/".encode() in page.content
    assert charlie_client.get(base(org_a) + f"runs/{ran['first'].pk}/").status_code == 404


def _ocsf(status: str = "FAIL") -> bytes:
    finding = {
        "class_uid": 2004,
        "metadata": {"event_code": "iam_root_mfa_enabled", "product": {"name": "Prowler"}},
        "status_code": status,
        "status_detail": "root has no MFA",
        "resources": [{"uid": "arn:aws:iam::1:root", "type": "AwsIamUser"}],
        "cloud": {"provider": "aws", "account": {"uid": "1"}},
    }
    return json.dumps([finding]).encode()


def test_uploading_ocsf_findings(org_a, alice_client, bob_client, charlie_client):
    target = base(org_a) + "import/"
    assert alice_client.get(target).status_code == 200
    assert bob_client.get(target).status_code == 302
    assert bob_client.post(target).status_code == 403
    assert charlie_client.get(target).status_code == 404
    bad = alice_client.post(target, {"file": SimpleUploadedFile("x.json", b'{"a": 1}')})
    assert bad.status_code == 400 and b"expected a JSON array of findings" in bad.content
    with scopes_disabled():
        assert not CheckRun.objects.filter(organization=org_a).exists()
    good = alice_client.post(target, {"file": SimpleUploadedFile("scan.ocsf.json", _ocsf())})
    assert good.status_code == 302
    with scopes_disabled():
        run = CheckRun.objects.get(organization=org_a)
    assert good["Location"].endswith(f"/runs/{run.pk}/")
    assert (run.trigger, run.failed) == (RunTrigger.IMPORT, 1)


def test_the_monitoring_section_is_in_the_navigation(org_a, alice_client):
    response = alice_client.get(f"/o/{org_a.slug}/")
    assert f'href="/o/{org_a.slug}/monitoring/"'.encode() in response.content
