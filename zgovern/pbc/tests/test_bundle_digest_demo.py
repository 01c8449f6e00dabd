"""The bundle's requests section, the late-request digest (once a day per audit, to the
point of contact) and the demo (loaded twice, changed once)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from zgovern.audits import builder
from zgovern.audits.models import Audit
from zgovern.audits.sections import SECTIONS
from zgovern.core import demo
from zgovern.pbc import services, tasks
from zgovern.pbc.models import AuditException, AuditRequest, DigestSent
from zgovern.pbc.tests.conftest import SYSTEM
from zgovern.tenancy.roles import Role
from zgovern.tenancy.scoping import organization_scope


def _late_request(world, reference="PBC-1"):
    with organization_scope(world["org"]):
        req = services.create_request(
            world["org"], SYSTEM, world["audit"].pk, {"reference": reference, "title": "Logs"}
        )
        AuditRequest.objects.filter(pk=req.pk).update(target_at=timezone.now() - timedelta(hours=2))
    return req


def test_the_bundle_holds_requests_with_answers_and_exceptions(world):
    assert ("requests", "Requests and exceptions", "zgovern.pbc.bundle:write") in SECTIONS
    org, audit = world["org"], world["audit"]
    with organization_scope(org):
        req = services.create_request(org, SYSTEM, audit.pk, {"reference": "PBC-1", "title": "AR"})
        services.answer_request(org, SYSTEM, req.pk, "=SUM(A1)", [world["review"].pk])
        today = timezone.localdate()
        services.record_exception(
            org,
            SYSTEM,
            audit.pk,
            {
                "control": "access-reviews-quarterly",
                "description": "late review",
                "period_from": today - timedelta(days=9),
                "period_to": today,
                "severity": "low",
            },
        )
        target = io.BytesIO()
        mine = tuple(s for s in SECTIONS if s[0] == "requests")
        builder.build(org, audit, target, sections=mine)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        text = archive.read("requests/requests.csv").decode("utf-8-sig")
        exceptions = archive.read("requests/exceptions.csv").decode("utf-8-sig")
    assert "requests/requests.xlsx" in names and "requests/exceptions.xlsx" in names
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["reference"] == "PBC-1" and rows[0]["answer"] == "'=SUM(A1)"
    assert rows[0]["evidence ids"] == str(world["review"].pk)
    assert "late review" in exceptions


def test_digest_goes_to_the_point_of_contact_once_a_day(world, alice):
    mail.outbox.clear()
    _late_request(world)
    assert tasks.send_late_digests.call_local() == 0  # no point of contact yet
    with organization_scope(world["org"]):
        Audit.objects.filter(pk=world["audit"].pk).update(point_of_contact=alice)
    assert tasks.send_late_digests.call_local() == 1
    assert tasks.send_late_digests.call_local() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [alice.email] and "PBC-1" in message.body
    assert "1 audit request is late" in message.subject
    with organization_scope(world["org"]):
        assert DigestSent.objects.count() == 1


def test_nothing_late_sends_nothing(world, alice):
    mail.outbox.clear()
    with organization_scope(world["org"]):
        Audit.objects.filter(pk=world["audit"].pk).update(point_of_contact=alice)
        services.create_request(
            world["org"], SYSTEM, world["audit"].pk, {"reference": "PBC-1", "title": "Logs"}
        )
    assert tasks.send_late_digests.call_local() == 0 and not mail.outbox


def test_demo_has_a_late_and_an_answered_request_and_loads_twice(org_a, alice, bob):
    demo.populate(org_a, {Role.OWNER: alice, Role.AUDITOR: bob})
    with organization_scope(org_a):
        counts = (AuditRequest.objects.count(), AuditException.objects.count())
        assert counts == (3, 1)
        assert AuditRequest.objects.get(reference="PBC-001").status == "answered"
        assert AuditRequest.objects.get(reference="PBC-002").overdue
        assert AuditException.objects.get().response_kind == "remediated"
    demo.populate(org_a, {Role.OWNER: alice, Role.AUDITOR: bob})
    with organization_scope(org_a):
        assert (AuditRequest.objects.count(), AuditException.objects.count()) == counts
