"""The fieldwork fixtures: org A with SOC 2 adopted and an audit over the last 200 days
(from the audits tests), a period holding two hires, a leaver with accounts, changes, an
incident, an access-review revoke and a vendor review; a second audit; and dave, an
outside auditor granted the first audit only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.audits import services as audits
from zgovern.audits.tests import conftest as audits_conftest
from zgovern.audits.tests.conftest import SYSTEM
from zgovern.changes.models import ChangeRecord
from zgovern.fieldwork import services
from zgovern.fieldwork.models import AuditorGrant
from zgovern.identity.models import Account
from zgovern.incidents.models import Incident, Severity
from zgovern.people import services as people
from zgovern.tenancy.models import ActivityLog, Membership
from zgovern.tenancy.scoping import organization_scope
from zgovern.tenancy.tests.conftest import api_client, issue_token
from zgovern.vendors.models import Assessment, Vendor

DAY = timedelta(days=1)
# The audits tests' organisation (SOC 2 and its default controls adopted) and audit.
audit_org = audits_conftest.audit_org
audit = audits_conftest.audit


def days_ago(n: int):
    return timezone.localdate() - n * DAY


def at_days_ago(n: int, hour: int = 10):
    moment = timezone.localtime() - n * DAY
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def records(audit_org, alice):
    """What happened in the period (and a little outside it)."""
    org = audit_org
    with organization_scope(org):
        hire = people.create_person(
            org,
            SYSTEM,
            full_name="Hana Hire",
            work_email="hana@a.example",
            employment_type="employee",
            start_date=days_ago(30),
        )
        people.record_background_check(
            org, SYSTEM, hire.pk, status="clear", completed_on=days_ago(35), provider="Checkr"
        )
        people.record_training(
            org,
            SYSTEM,
            hire.pk,
            course_key="security-awareness",
            course_title="Security awareness",
            completed_on=days_ago(25),
        )
        late = people.create_person(
            org,
            SYSTEM,
            full_name="Ivy Intern",
            work_email="ivy@a.example",
            employment_type="intern",
            start_date=days_ago(10),
        )
        people.create_person(
            org,
            SYSTEM,
            full_name="Old Timer",
            work_email="old@a.example",
            employment_type="employee",
            start_date=days_ago(900),
        )
        leaver = people.create_person(
            org,
            SYSTEM,
            full_name="Lars Leaver",
            work_email="lars@a.example",
            employment_type="employee",
            start_date=days_ago(800),
            end_date=days_ago(20),
        )
        end_of_last_day = at_days_ago(19, 0)
        okta = Account.objects.create(
            organization=org,
            system="okta",
            external_id="o1",
            username="lars",
            status="suspended",
            person=leaver,
            first_seen_at=at_days_ago(700),
            deactivated_at=end_of_last_day + timedelta(hours=5),
        )
        github = Account.objects.create(
            organization=org,
            system="github",
            external_id="g1",
            username="lars-gh",
            status="active",
            person=leaver,
            first_seen_at=at_days_ago(20),
        )
        approved = ChangeRecord.objects.create(
            organization=org,
            source="demo",
            repository="acme/api",
            number=1,
            title="Fix",
            author="maria",
            approvers=["adam"],
            merged_at=at_days_ago(40),
            merged_by="maria",
            checks="passed",
            approved=True,
        )
        unapproved = ChangeRecord.objects.create(
            organization=org,
            source="demo",
            repository="acme/api",
            number=2,
            title="Hotfix",
            author="maria",
            approvers=[],
            merged_at=at_days_ago(5),
            merged_by="maria",
            checks="failed",
            approved=False,
            flagged_reason="merged without review",
        )
        ChangeRecord.objects.create(
            organization=org,
            source="demo",
            repository="acme/api",
            number=3,
            title="Ancient",
            author="maria",
            merged_at=at_days_ago(400),
            checks="passed",
            approved=True,
        )
        sev = Severity.objects.create(
            organization=org, name="SEV1", rank=1, description="Bad", response_target_hours=24
        )
        incident = Incident.objects.create(
            organization=org,
            title="Outage",
            severity=sev,
            status="resolved",
            started_at=at_days_ago(50, 8),
            detected_at=at_days_ago(50, 9),
            resolved_at=at_days_ago(50, 15),
            due_at=at_days_ago(49, 9),
        )
        vendor = Vendor.objects.create(organization=org, name="Stripe", criticality="high")
        review = Assessment.objects.create(
            organization=org,
            vendor=vendor,
            questionnaire_key="security",
            questionnaire_title="Security",
            status="completed",
            conclusion="acceptable",
            reviewed_by=alice,
            assessed_at=at_days_ago(60),
            review_notes="Fine",
        )
    return {
        "hire": hire,
        "late": late,
        "leaver": leaver,
        "okta": okta,
        "github": github,
        "approved": approved,
        "unapproved": unapproved,
        "incident": incident,
        "review": review,
    }


@pytest.fixture
def other_audit(audit_org):
    return audits.create_audit(
        audit_org,
        SYSTEM,
        {
            "name": "ISO-like second audit",
            "framework": "soc2",
            "audit_type": "type1",
            "period_end": days_ago(1),
        },
    )


@pytest.fixture
def dave(db):
    from conftest import make_user

    return make_user("dave@firm.example", "Dave Granted Auditor")


@pytest.fixture
def dave_grant(audit_org, audit, dave, alice) -> AuditorGrant:
    with organization_scope(audit_org):
        owner = Membership.objects.get(organization=audit_org, user=alice)
        return services.invite_auditor(
            audit_org,
            owner,
            SYSTEM,
            audit.pk,
            email=dave.email,
            expires_at=timezone.now() + 30 * DAY,
        )


@pytest.fixture
def dave_client(dave, dave_grant) -> Client:
    client = Client()
    client.force_login(dave)
    return client


@pytest.fixture
def alice_api(audit_org, alice) -> Client:
    return api_client(issue_token(audit_org, alice, read_only=False, name="alice rw"))


@pytest.fixture
def bob_api(audit_org, bob) -> Client:
    return api_client(issue_token(audit_org, bob, read_only=True, name="bob ro"))


@pytest.fixture
def charlie_api(org_b, charlie) -> Client:
    return api_client(issue_token(org_b, charlie, read_only=False, name="charlie rw"))


@pytest.fixture
def dave_api(audit_org, dave, dave_grant) -> Client:
    return api_client(issue_token(audit_org, dave, read_only=True, name="dave ro"))


def expire(grant: AuditorGrant) -> None:
    with scopes_disabled():
        AuditorGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - DAY)


def views_of(org, user) -> list[dict]:
    with scopes_disabled():
        rows = ActivityLog.objects.filter(organization=org, action="auditor.viewed", actor=user)
        return list(rows.order_by("seq").values_list("changes", flat=True))


def count(model, org) -> int:
    with scopes_disabled():
        return model.objects.filter(organization=org).count()
