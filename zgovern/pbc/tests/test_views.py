"""The pages: alice uses every one, bob reads and gets 403 on every write, charlie gets
404, and bad input shows the form again with a 4xx and nothing saved."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zgovern.pbc import services
from zgovern.pbc.models import AuditException, AuditRequest
from zgovern.pbc.tests.conftest import SYSTEM, csv_bytes
from zgovern.tenancy.scoping import organization_scope


def _url(world, tail: str) -> str:
    return f"/o/{world['org'].slug}/requests/{tail}"


def _request(world, **data):
    with organization_scope(world["org"]):
        return services.create_request(
            world["org"],
            SYSTEM,
            world["audit"].pk,
            {"reference": "PBC-1", "title": "Access review", **data},
        )


def test_list_filters_and_late_badge(world, alice_client):
    req = _request(world, criteria=["CC6.2"])
    with organization_scope(world["org"]):
        AuditRequest.objects.filter(pk=req.pk).update(target_at=timezone.now() - timedelta(hours=1))
    page = alice_client.get(_url(world, f"audit/{world['audit'].pk}/"))
    assert page.status_code == 200 and b"Late" in page.content and b"PBC-1" in page.content
    on_time = alice_client.get(_url(world, f"audit/{world['audit'].pk}/?timeliness=on_time"))
    assert b"PBC-1" not in on_time.content
    assert alice_client.get(_url(world, "")).status_code == 200


def test_add_request_refuses_unknown_criteria_and_past_due(world, alice_client):
    url = _url(world, f"audit/{world['audit'].pk}/new/")
    assert alice_client.get(url).status_code == 200
    past = (timezone.localdate() - timedelta(days=2)).isoformat()
    for extra in ({"criteria": "CC6.2, XX1"}, {"due_date": past}):
        response = alice_client.post(
            url, {"reference": "PBC-1", "title": "AR", "origin": "auditor", **extra}
        )
        assert response.status_code == 400
    with organization_scope(world["org"]):
        assert AuditRequest.objects.count() == 0
    response = alice_client.post(
        url,
        {
            "reference": "PBC-1",
            "title": "AR",
            "origin": "auditor",
            "criteria": "CC6.2",
            "assignee_email": "alice@a.example",
        },
    )
    assert response.status_code == 302


def test_request_page_suggests_and_confirms(world, alice_client):
    req = _request(world, criteria=["CC6.2"])
    page = alice_client.get(_url(world, f"{req.pk}/"))
    assert page.status_code == 200 and b"Q3 access review" in page.content
    assert b"access-reviews-quarterly" in page.content
    response = alice_client.post(
        _url(world, f"{req.pk}/link/"), {"evidence_id": world["review"].pk, "via": "suggestion"}
    )
    assert response.status_code == 302
    upload = alice_client.post(
        _url(world, f"{req.pk}/upload/"), {"file": SimpleUploadedFile("a.txt", b"x"), "title": ""}
    )
    assert upload.status_code == 302
    assert (
        alice_client.post(_url(world, f"{req.pk}/answer/"), {"answer": "Done"}).status_code == 302
    )
    response = alice_client.post(_url(world, f"{req.pk}/decide/"), {"decision": "reject"})
    assert response.status_code == 400  # a rejection needs a note
    with organization_scope(world["org"]):
        req.refresh_from_db()
        assert req.status == "answered" and req.links.count() == 2


def test_import_page_reports_every_bad_row(world, alice_client):
    url = _url(world, f"audit/{world['audit'].pk}/import/")
    page = alice_client.get(url)
    assert page.status_code == 200 and b"assignee_email" in page.content
    bad = csv_bytes("PBC-1,,,,,", "PBC-2,Logs,,,not-a-date,")
    response = alice_client.post(url, {"file": SimpleUploadedFile("l.csv", bad)})
    assert response.status_code == 400
    assert b"a value is required" in response.content and b"not a date" in response.content
    with organization_scope(world["org"]):
        assert AuditRequest.objects.count() == 0


def test_exception_pages_and_exports(world, alice_client):
    url = _url(world, f"audit/{world['audit'].pk}/exceptions/")
    today = timezone.localdate()
    data = {
        "control": "access-reviews-quarterly",
        "description": "late",
        "severity": "low",
        "period_from": today.isoformat(),
        "period_to": (today - timedelta(days=1)).isoformat(),
    }
    assert alice_client.post(url, data).status_code == 400
    data["period_to"] = today.isoformat()
    response = alice_client.post(url, data)
    assert response.status_code == 302
    with organization_scope(world["org"]):
        exc = AuditException.objects.get()
    page = _url(world, f"exceptions/{exc.pk}/")
    assert alice_client.post(page, {"kind": "remediated", "text": "x"}).status_code == 400
    response = alice_client.post(
        page, {"kind": "accepted", "text": "Risk accepted.", "evidence_ids": str(world["log"].pk)}
    )
    assert response.status_code == 302
    for fmt, start in (("csv", b"\xef\xbb\xbf"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
        export = alice_client.get(
            _url(world, f"audit/{world['audit'].pk}/exceptions/export/?format={fmt}")
        )
        assert export.status_code == 200 and export.content.startswith(start)


def test_bob_reads_and_cannot_write_charlie_gets_404(world, bob_client, charlie_client):
    req = _request(world)
    reads = [f"audit/{world['audit'].pk}/", f"{req.pk}/", f"audit/{world['audit'].pk}/exceptions/"]
    for tail in reads:
        assert bob_client.get(_url(world, tail)).status_code == 200
        assert charlie_client.get(_url(world, tail)).status_code == 404
    for tail in (f"{req.pk}/answer/", f"audit/{world['audit'].pk}/new/", f"{req.pk}/link/"):
        assert bob_client.post(_url(world, tail), {"answer": "x"}).status_code == 403
    with organization_scope(world["org"]):
        req.refresh_from_db()
        assert req.answer == "" and req.status == "open"
