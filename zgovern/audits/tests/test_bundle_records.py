"""The record sections of the bundle (policies, access reviews, incidents, risks, vendors,
changes): over records inside and outside the period, each file holds the rows of the
period only, the bundle still verifies, and names stay safe."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from zgovern.audits import services, verify
from zgovern.audits.tests.conftest import SYSTEM, add_evidence_file
from zgovern.audits.tests.test_bundle import build
from zgovern.changes.models import ChangeRecord
from zgovern.evidence import services as evidence
from zgovern.incidents.models import Incident, Severity, TimelineEntry
from zgovern.policies.models import Acknowledgement, PolicyVersion
from zgovern.policies.tests.conftest import add_person, published_policy
from zgovern.reviews.models import Campaign, CampaignStatus, ReviewItem, Revocation
from zgovern.risks.models import Risk
from zgovern.tenancy.scoping import organization_scope
from zgovern.vendors.models import Assessment, Vendor, VendorDocument

IN, OUT = 30, 400  # days ago: inside the 200-day period, and before it


def ago(days: int):
    return timezone.now() - timedelta(days=days)


def seed_policies(org) -> None:
    inside = published_policy(org, "acceptable-use")
    old = published_policy(org, "information-security")
    person = add_person(org, "erin@a.example")
    with organization_scope(org):
        current = inside.versions.get()
        Acknowledgement.objects.create(
            organization=org, person=person, version=current, policy=inside,
            acknowledged_at=ago(IN), client_ip="198.51.100.7", user_agent="=cmd|calc",
        )  # fmt: skip
        PolicyVersion.objects.filter(policy=old).update(
            status="retired", published_at=ago(OUT + 30), retired_at=ago(OUT),
            effective_date=ago(OUT + 30).date(),
        )  # fmt: skip


def seed_reviews(org, reviewer) -> None:
    with organization_scope(org):
        for title, days in (("Q-inside", IN), ("Q-outside", OUT)):
            campaign = Campaign.objects.create(
                organization=org, title=title, systems=["github"], reviewer_mode="system",
                default_reviewer=reviewer, due_date=ago(days).date(), started_at=ago(days + 10),
                status=CampaignStatus.COMPLETED, completed_at=ago(days), completed_by=reviewer,
            )  # fmt: skip
            ReviewItem.objects.create(
                organization=org, campaign=campaign, system="github", username=f"{title}-user",
                account_status="active", reviewer=reviewer, remediation_owner=reviewer,
                decision="revoke", note="left the team", decided_by=reviewer,
                decided_at=ago(days), revocation=Revocation.EXCEPTION,
            )  # fmt: skip


def seed_incidents(org) -> None:
    with organization_scope(org):
        severity = Severity.objects.create(
            organization=org, name="High", rank=1, description="High", response_target_hours=4
        )
        for title, days in (("Phish-inside", IN), ("Outage-outside", OUT)):
            incident = Incident.objects.create(
                organization=org, title=title, severity=severity, status="resolved",
                started_at=ago(days + 1), detected_at=ago(days), due_at=ago(days),
                contained_at=ago(days) + timedelta(hours=2),
                resolved_at=ago(days) + timedelta(hours=6),
            )  # fmt: skip
            TimelineEntry.objects.create(
                organization=org, incident=incident, at=ago(days), action=f"{title} triaged",
                by_label="Alice", recorded_by="alice@a.example",
            )  # fmt: skip


def seed_risks(org) -> None:
    with organization_scope(org):
        for title, created in (("Laptop theft", ago(OUT)), ("Created later", ago(-5))):
            Risk.objects.create(
                organization=org, title=title, category="security", likelihood=2, impact=3,
                inherent_score=6, created_at=created,
            )  # fmt: skip


def seed_vendors(org, reviewer) -> None:
    with organization_scope(org):
        vendor = Vendor.objects.create(organization=org, name="Acme Cloud", criticality="high")
        report = evidence.add_record(
            org, SYSTEM, kind="vendor_document", title="Acme SOC 2", record={"vendor": "Acme"}
        )
        for title, expires in (("Acme SOC 2 current", IN - 60), ("Acme SOC 2 old", OUT)):
            VendorDocument.objects.create(
                organization=org, vendor=vendor, kind="soc2_type2", title=title,
                expires_on=ago(expires).date(), evidence=report, created_at=ago(OUT + 400),
            )  # fmt: skip
        for note, days in (("Reviewed inside", IN), ("Reviewed outside", OUT)):
            Assessment.objects.create(
                organization=org, vendor=vendor, questionnaire_key="core",
                questionnaire_title="Core security", status="completed",
                conclusion="acceptable", review_notes=note, reviewed_by=reviewer,
                assessed_at=ago(days),
            )  # fmt: skip


def seed_changes(org) -> None:
    with organization_scope(org):
        for number, days in ((1, IN), (2, OUT)):
            ChangeRecord.objects.create(
                organization=org, source="demo", repository="acme/api", number=number,
                title=f"Change {number}", author="dev", approvers=["lead"], approved=True,
                merged_at=ago(days),
            )  # fmt: skip


@pytest.fixture
def records_bundle(audit_org, audit, alice):
    seed_policies(audit_org)
    seed_reviews(audit_org, alice)
    seed_incidents(audit_org)
    seed_risks(audit_org)
    seed_vendors(audit_org, alice)
    seed_changes(audit_org)
    add_evidence_file(audit_org, "incident-tracking", "runbook.txt", b"steps")
    return build(audit_org, audit)


def table(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    text = archive.read(name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_record_sections_hold_the_period_only(records_bundle):
    with zipfile.ZipFile(services.bundle_path(records_bundle)) as archive:
        names = set(archive.namelist())
        versions = table(archive, "policies/versions-in-force.csv")
        acks = table(archive, "policies/acknowledgements.csv")
        campaigns = table(archive, "reviews/campaigns.csv")
        decisions = table(archive, "reviews/decisions.csv")
        exceptions = table(archive, "reviews/exceptions.csv")
        incidents = table(archive, "incidents/incidents.csv")
        timeline = table(archive, "incidents/timelines.csv")
        risks = table(archive, "risks/risk-register.csv")
        documents = table(archive, "vendors/documents.csv")
        assessments = table(archive, "vendors/assessments.csv")
        inventory = table(archive, "vendors/inventory.csv")
        changes = table(archive, "changes/change-records.csv")
    assert [v["policy"] for v in versions] == ["acceptable-use"]
    assert versions[0]["pdf in bundle"] in names and versions[0]["approvals"]
    assert "policies/acceptable-use-v1.pdf" in names
    assert not any("information-security" in name for name in names)
    assert {"policies/approvals.csv", "policies/approvals.xlsx"} <= names
    assert [(a["work email"], a["ip"], a["method"]) for a in acks] == [
        ("erin@a.example", "198.51.100.7", "portal")
    ]
    assert acks[0]["user agent"] == "'=cmd|calc"  # a formula-like cell is neutralised
    assert [c["title"] for c in campaigns] == ["Q-inside"]
    assert [(d["username"], d["decision"], d["note"]) for d in decisions] == [
        ("Q-inside-user", "REVOKE", "left the team")
    ]
    assert [e["username"] for e in exceptions] == ["Q-inside-user"]
    assert [i["title"] for i in incidents] == ["Phish-inside"]
    assert incidents[0]["hours_to_contain"] == "2.0" and incidents[0]["hours_to_detect"]
    assert [t["action"] for t in timeline] == ["Phish-inside triaged"]
    assert [r["title"] for r in risks] == ["Laptop theft"] and "risks/risk-register.xlsx" in names
    assert [d["title"] for d in documents] == ["Acme SOC 2 current"]
    assert [a["review notes"] for a in assessments] == ["Reviewed inside"]
    assert [v["name"] for v in inventory] == ["Acme Cloud"]
    assert [c["Pull request"] for c in changes] == ["1"]
    assert {"incidents/response-figures.csv", "oscal/assessment-results.json"} <= names


def test_a_bundle_with_records_verifies_and_names_stay_safe(records_bundle):
    path = services.bundle_path(records_bundle)
    report = verify.verify_bundle(str(path), records_bundle.key_fingerprint)
    assert report.ok, report.lines()
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        index = archive.read("index.html").decode()
    assert len({name.lower() for name in names}) == len(names)
    assert all(".." not in name.split("/") and not name.startswith("/") for name in names)
    for heading in ("Policy library", "Access reviews", "Incidents", "Risk register", "Vendors",
                    "Change records", "OSCAL assessment results"):  # fmt: skip
        assert heading in index


def test_an_empty_organisation_still_gets_every_record_file(audit_org, audit):
    built = build(audit_org, audit)
    with zipfile.ZipFile(services.bundle_path(built)) as archive:
        names = set(archive.namelist())
        assert table(archive, "changes/change-records.csv") == []
    for expected in ("policies/versions-in-force.csv", "reviews/decisions.csv",
                     "incidents/incidents.csv", "risks/risk-register.csv",
                     "vendors/inventory.csv", "changes/change-records.csv"):  # fmt: skip
        assert expected in names


def test_a_version_superseded_during_the_period_is_in_force_beside_its_successor(audit_org):
    from zgovern.policies import services as policies
    from zgovern.policies.bundle import versions_in_force
    from zgovern.policies.tests.conftest import publish_through

    policy = published_policy(audit_org, "acceptable-use")
    with organization_scope(audit_org):
        first = policy.versions.get()
        PolicyVersion.objects.filter(pk=first.pk).update(published_at=ago(OUT))
        second = policies.new_version(audit_org, SYSTEM, policy.pk, change_summary="v2")
    publish_through(audit_org, second)  # retires the first today
    future = published_policy(audit_org, "information-security")
    with organization_scope(audit_org):
        PolicyVersion.objects.filter(policy=future).update(effective_date=ago(-30).date())
        start, end = ago(200), ago(-1)
        numbers = [(v.policy.key, v.number) for v in versions_in_force(audit_org, start, end)]
        assert numbers == [("acceptable-use", 1), ("acceptable-use", 2)]
        before = versions_in_force(audit_org, ago(OUT + 100), ago(OUT + 50))
        assert not before.exists()  # nothing was published yet
