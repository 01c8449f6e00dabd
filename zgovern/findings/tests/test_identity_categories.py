"""MFA, offboarding, background checks and encryption: exceptions and near-misses."""

from __future__ import annotations

from datetime import date

from zgovern.findings.scan import background_checks, encryption, mfa, offboarding
from zgovern.findings.scan.base import Windows
from zgovern.findings.tests.conftest import (
    PERIOD,
    WINDOWS,
    account,
    at,
    interval,
    keys,
    person,
    resource,
)
from zgovern.people.models import BackgroundCheck


def test_offboarding_flags_late_and_still_active_but_not_the_window_edge(org):
    ann = person(org, "Ann Leaver", end="2026-03-05")  # a Thursday: window ends Friday 6th
    edge = account(org, ann, "okta", "ann", status="removed", deactivated_at=at("2026-03-07"))
    account(org, ann, "google", "ann", status="suspended", deactivated_at=at("2026-03-06", 10))
    late = account(org, ann, "github", "ann-gh", status="removed", deactivated_at=at("2026-03-12"))
    ben = person(org, "Ben Leaver", end="2026-06-26")  # Friday: window ends Monday 29th
    still = account(org, ben, "aws", "ben")
    cy = person(org, "Cy Leaver", end="2026-06-29")  # window ends the 30th, the period's last day
    account(org, cy, "aws", "cy")
    old = person(org, "Dee Old", end="2025-12-15")  # left before the period
    account(org, old, "aws", "dee")

    found = offboarding.evaluate(org, PERIOD, WINDOWS)

    assert keys(found) == {f"offboarding:account:{late.pk}", f"offboarding:account:{still.pk}"}
    assert f"offboarding:account:{edge.pk}" not in keys(found)
    by_key = {i.key: i for i in found}
    assert by_key[f"offboarding:account:{late.pk}"].wording.startswith(
        "Ann Leaver, terminated 2026-03-05, retained github access (ann-gh) for 6 days after "
        "termination"
    )
    assert "still had aws access" in by_key[f"offboarding:account:{still.pk}"].wording
    assert found.population == 3
    assert found.summary.startswith("2 of 3 terminated users in the period retained access")


def test_offboarding_window_is_the_organisations(org):
    ann = person(org, "Ann Leaver", end="2026-03-05")
    account(org, ann, "github", "ann", status="removed", deactivated_at=at("2026-03-12"))
    wide = Windows(revocation_business_days=5)  # ends Thursday 12th: revoked in time
    assert offboarding.evaluate(org, PERIOD, wide) == []


def test_mfa_counts_failing_time_within_the_period_only(org):
    gap = resource(org, "alice-iam")
    interval(org, gap, "aws.iam.console_mfa", "fail", at("2026-02-01"), at("2026-02-11"))
    before = resource(org, "bob-iam")
    interval(org, before, "aws.iam.console_mfa", "fail", at("2025-11-01"), at("2026-01-01"))
    fine = resource(org, "carl-iam")
    interval(org, fine, "aws.iam.console_mfa", "pass", at("2025-01-01"))
    still = resource(org, "svc-deploy", provider="workforce", rtype="workforce.account")
    interval(org, still, "workforce.accounts.mfa", "fail", at("2026-06-20"))
    bucket = resource(org, "logs-bucket", rtype="aws.s3.bucket")
    interval(org, bucket, "aws.s3.default_encryption", "fail", at("2026-02-01"))

    found = mfa.evaluate(org, PERIOD, WINDOWS)

    assert keys(found) == {f"mfa:resource:{gap.pk}", f"mfa:resource:{still.pk}"}
    by_key = {i.key: i for i in found}
    assert by_key[f"mfa:resource:{gap.pk}"].duration_seconds == 10 * 86400
    assert "without MFA for 10 days" in by_key[f"mfa:resource:{gap.pk}"].wording
    assert by_key[f"mfa:resource:{still.pk}"].duration_seconds == 11 * 86400
    assert found.population == 4


def test_encryption_flags_unencrypted_stores_not_transit_or_passing(org):
    bucket = resource(org, "logs-bucket", rtype="aws.s3.bucket")
    interval(org, bucket, "aws.s3.default_encryption", "fail", at("2026-03-01"), at("2026-03-04"))
    interval(org, bucket, "aws.s3.default_encryption", "pass", at("2026-03-04"))
    db = resource(org, "prod-db", rtype="aws.rds.instance")
    interval(org, db, "aws.rds.storage_encrypted", "pass", at("2025-01-01"))
    web = resource(org, "web-bucket", rtype="aws.s3.bucket")
    interval(org, web, "aws.s3.secure_transport", "fail", at("2026-03-01"))
    snap = resource(org, "snap-1", rtype="aws.rds.snapshot")
    interval(org, snap, "aws.rds.snapshot_encrypted", "fail", at("2026-06-30", 12))

    found = encryption.evaluate(org, PERIOD, WINDOWS)

    assert keys(found) == {f"encryption:resource:{bucket.pk}", f"encryption:resource:{snap.pk}"}
    by_key = {i.key: i for i in found}
    assert "not encrypted at rest for 3 days" in by_key[f"encryption:resource:{bucket.pk}"].wording
    assert by_key[f"encryption:resource:{snap.pk}"].duration_seconds == 12 * 3600


def _check(org, who, status: str, completed: str | None) -> None:
    BackgroundCheck.objects.create(
        organization=org,
        person=who,
        status=status,
        completed_on=date.fromisoformat(completed) if completed else None,
    )


def test_background_checks_for_production_access_only(org):
    ok = person(org, "Ok Checked")
    account(org, ok, "aws", "ok")
    _check(org, ok, "clear", "2020-01-10")
    pending = person(org, "Pat Pending")
    account(org, pending, "aws", "pat")
    _check(org, pending, "pending", None)
    admin = person(org, "Gus Admin")
    account(org, admin, "github", "gus", privileged=True)
    plain = person(org, "Nell Plain")
    account(org, plain, "github", "nell")
    new = person(org, "Neo Newcomer", start="2026-06-20")
    account(org, new, "aws", "neo")
    gone = person(org, "Old Access")
    account(org, gone, "aws", "old", status="removed", deactivated_at=at("2025-10-01"))

    found = background_checks.evaluate(org, PERIOD, WINDOWS)

    assert keys(found) == {
        f"background_checks:person:{pending.pk}",
        f"background_checks:person:{admin.pk}",
    }
    assert found.population == 3
    assert found.summary.startswith("2 of 3 people with production access")


def test_mfa_counts_accounts_without_check_history_from_the_last_sync(org):
    ann = person(org, "Ann Contractor", employment_type="contractor")
    bare = account(org, ann, "slack", "ann", mfa="disabled")
    svc = account(org, None, "github", "deploy-bot", mfa="disabled", is_service=True)
    account(org, ann, "okta", "ann-okta", mfa="enabled")
    account(org, ann, "google", "ann-old", mfa="disabled", status="removed")
    watched = account(org, ann, "aws", "ann-aws", mfa="disabled")
    res = resource(org, f"account:{watched.pk}", provider="workforce", rtype="workforce.account")
    interval(org, res, "workforce.accounts.mfa", "pass", at("2025-01-01"))

    found = mfa.evaluate(org, PERIOD, WINDOWS)

    assert keys(found) == {f"mfa:account:{bare.pk}", f"mfa:account:{svc.pk}"}
    assert next(i for i in found if i.key == f"mfa:account:{svc.pk}").wording.startswith(
        "Service account deploy-bot (github) had MFA not enabled"
    )
