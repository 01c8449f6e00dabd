"""The portal pages: an employee sees and does only their own tasks."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.people.models import TrainingCompletion
from zgovern.policies.models import Acknowledgement
from zgovern.policies.tests.conftest import publish_through
from zgovern.portal.tests.conftest import SYSTEM, version_of
from zgovern.tenancy.scoping import organization_scope
from zgovern.training.models import Certificate


def tasks(org) -> str:
    return f"/o/{org.slug}/tasks/"


def my(org, path: str) -> str:
    return f"/o/{org.slug}/my/{path}"


def acks(org) -> int:
    with scopes_disabled():
        return Acknowledgement.objects.filter(organization=org).count()


def test_the_employee_sees_only_their_own_tasks(org_a, cast, eric_client):
    page = eric_client.get(tasks(org_a))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hello Eric Employee" in text and "Acceptable Use Policy" in text
    assert "Security awareness training" in text and "Background check" in text
    assert "Code of Conduct" not in text  # Sales only
    assert "Pia" not in text and "Incident response drill" not in text


def test_reading_and_acknowledging_records_the_client(org_a, cast, eric_client):
    version = version_of(cast.everyone)
    page = eric_client.get(my(org_a, f"policies/{version.pk}/"))
    assert page.status_code == 200 and b"I have read and acknowledge" in page.content
    done = eric_client.post(my(org_a, f"policies/{version.pk}/"))
    assert done.status_code == 302
    with scopes_disabled():
        ack = Acknowledgement.objects.get(organization=org_a)
        assert (ack.person_id, ack.version_id) == (cast.eric.pk, version.pk)
        assert (ack.client_ip, ack.user_agent) == ("10.1.2.3", "EricBrowser/1.0")
    again = eric_client.post(my(org_a, f"policies/{version.pk}/"))
    assert again.status_code == 409 and acks(org_a) == 1
    assert b"Acknowledged" in eric_client.get(tasks(org_a)).content


def test_someone_elses_policy_is_hidden_and_refused_with_a_reason(org_a, cast, eric_client):
    version = version_of(cast.sales)
    assert eric_client.get(my(org_a, f"policies/{version.pk}/")).status_code == 404
    refused = eric_client.post(my(org_a, f"policies/{version.pk}/"))
    assert refused.status_code == 403 and b"audience" in refused.content
    assert acks(org_a) == 0


def test_a_superseded_version_is_refused_naming_the_new_one(org_a, cast, eric_client):
    old = version_of(cast.everyone)
    with organization_scope(org_a):
        from zgovern.policies import services

        new = services.new_version(org_a, SYSTEM, cast.everyone.pk, change_summary="v2")
    publish_through(org_a, new)
    page = eric_client.get(my(org_a, f"policies/{old.pk}/"))
    assert page.status_code == 200 and b"no longer current" in page.content
    refused = eric_client.post(my(org_a, f"policies/{old.pk}/"))
    assert refused.status_code == 410 and acks(org_a) == 0


def test_training_marked_done_or_proved_by_certificate(org_a, cast, eric_client):
    course = cast.course
    assert eric_client.get(my(org_a, f"training/{course.pk}/")).status_code == 200
    future = (timezone.localdate() + timezone.timedelta(days=2)).isoformat()
    bad = eric_client.post(my(org_a, f"training/{course.pk}/"), {"completed_on": future})
    assert bad.status_code == 400 and b"in the future" in bad.content
    assert eric_client.post(my(org_a, f"training/{course.pk}/"), {}).status_code == 302
    pdf = SimpleUploadedFile("cert.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    uploaded = eric_client.post(my(org_a, f"training/{course.pk}/certificate/"), {"file": pdf})
    assert uploaded.status_code == 302, uploaded.content
    with scopes_disabled():
        completion = TrainingCompletion.objects.get(organization=org_a, person=cast.eric)
        assert completion.course_key == "security-awareness"
        cert = Certificate.objects.get(completion=completion)
        assert cert.evidence.kind == "training_record"
    exe = SimpleUploadedFile("cert.exe", b"MZ\x90\x00")
    refused = eric_client.post(my(org_a, f"training/{course.pk}/certificate/"), {"file": exe})
    assert refused.status_code == 400
    with scopes_disabled():
        assert Certificate.objects.filter(organization=org_a).count() == 1


def test_a_course_not_assigned_is_hidden_and_refused(org_a, cast, eric_client):
    other = cast.sales_course
    assert eric_client.get(my(org_a, f"training/{other.pk}/")).status_code == 404
    refused = eric_client.post(my(org_a, f"training/{other.pk}/"), {})
    assert refused.status_code == 403 and b"not assigned to you" in refused.content
    with scopes_disabled():
        assert not TrainingCompletion.objects.filter(organization=org_a).exists()


def test_the_employee_cannot_reach_admin_pages(org_a, cast, eric_client):
    for path in (
        "", "people/", f"people/{cast.pia.pk}/", "training/", "training/status/", "policies/",
        "evidence/", "controls/", f"people/{cast.eric.pk}/training/new/",
    ):  # fmt: skip
        status = eric_client.get(f"/o/{org_a.slug}/{path}").status_code
        assert status in (302, 403), (path, status)
        if path == "":
            assert eric_client.get(f"/o/{org_a.slug}/")["Location"].endswith("/tasks/")
    assert eric_client.post(f"/o/{org_a.slug}/training/adopt/", {"key": "all"}).status_code == 403


def test_members_not_on_the_roster_and_outsiders(org_a, cast, bob_client, charlie_client):
    version = version_of(cast.everyone)
    assert b"not on Org A" in bob_client.get(tasks(org_a)).content
    assert bob_client.get(my(org_a, f"policies/{version.pk}/")).status_code == 302
    refused = bob_client.post(my(org_a, f"policies/{version.pk}/"))
    assert refused.status_code == 403 and b"roster" in refused.content
    assert bob_client.post(my(org_a, f"training/{cast.course.pk}/")).status_code == 403
    assert charlie_client.get(my(org_a, f"policies/{version.pk}/")).status_code == 404
    assert charlie_client.get(tasks(org_a)).status_code == 404
    assert acks(org_a) == 0
