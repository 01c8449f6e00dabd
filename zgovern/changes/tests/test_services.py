"""record_changes: an idempotent upsert per (repository, number), approval judged
against the author, the whole batch refused when one input is bad."""

from __future__ import annotations

from datetime import datetime

import pytest

from zgovern.changes.models import ChecksState
from zgovern.changes.services import approval
from zgovern.changes.tests.conftest import actions, change, count, record, sample
from zgovern.core.errors import DomainError


def test_records_are_created_once_and_updated_in_place(org_a):
    report = record(org_a, change(1), change(2))
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    again = record(org_a, change(1), change(2))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert actions(org_a) == ["change.recorded", "change.recorded"]
    changed = record(org_a, change(2, approvers=()))
    assert changed.updated == 1 and count(org_a) == 2
    assert actions(org_a)[-1] == "change.updated"


def test_approval_needs_someone_other_than_the_author(org_a):
    approved, unapproved, self_approved, unknown = sample(org_a)
    assert (approved.approved, approved.flagged_reason) == (True, "")
    assert unapproved.flagged_reason == "merged without an approving review"
    assert self_approved.flagged_reason == "approved only by its author (adam)"
    assert not self_approved.approved
    assert (approved.checks, unapproved.checks, unknown.checks) == (
        ChecksState.PASSED, ChecksState.FAILED, ChecksState.UNKNOWN)  # fmt: skip
    assert unknown.checks_passed is None and unapproved.checks_passed is False


def test_the_author_in_another_letter_case_is_still_the_author():
    assert approval("Maria", ["maria"]) == (False, "approved only by its author (Maria)")
    assert approval("maria", ["maria", "raj"]) == (True, "")


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"number": 0}, "number"),
        ({"number": True}, "number"),
        ({"repository": " "}, "repository"),
        ({"title": "x" * 501}, "title"),
        ({"author": "a\x00b"}, "author"),
        ({"merged_at": datetime(2026, 11, 20, 10)}, "merged_at"),
        ({"approvers": "raj"}, "approvers"),
    ],
)
def test_a_bad_input_refuses_the_whole_batch(org_a, bad, field):
    with pytest.raises(DomainError) as caught:
        record(org_a, change(1), change(**{"number": 2, **bad}))
    assert caught.value.field == field and "change 2:" in caught.value.message
    assert count(org_a) == 0 and actions(org_a) == []


def test_the_same_pull_request_twice_in_one_batch_is_refused(org_a):
    with pytest.raises(DomainError, match="listed twice"):
        record(org_a, change(1), change(1, title="again"))
    assert count(org_a) == 0


def test_records_belong_to_their_organisation(org_a, org_b):
    record(org_a, change(1))
    record(org_b, change(1))
    assert count(org_a) == count(org_b) == 1


def test_change_evidence_lists_the_period_and_skips_an_empty_one(org_a):
    from datetime import UTC

    from zgovern.changes.services import add_change_evidence
    from zgovern.core.actor import Actor
    from zgovern.integrations import services as integrations
    from zgovern.tenancy.scoping import organization_scope

    integration = integrations.create_integration(
        org_a, Actor.system("tests"), provider="github", name="GitHub",
        config={"organization": "acme"},
    )  # fmt: skip
    with organization_scope(org_a):
        from zgovern.changes.services import record_changes

        record_changes(org_a, Actor.system("tests"), [change(1), change(2, approvers=())],
                       source="github", integration=integration)  # fmt: skip
        period = {"period_start": datetime(2026, 11, 20, tzinfo=UTC),
                  "period_end": datetime(2026, 11, 21, tzinfo=UTC)}  # fmt: skip
        item = add_change_evidence(org_a, Actor.system("tests"), integration=integration, **period)
        assert item.kind == "change_record" and item.record["count"] == 2
        assert item.record["unapproved"] == 1
        empty = {"period_start": datetime(2025, 1, 1, tzinfo=UTC),
                 "period_end": datetime(2025, 1, 2, tzinfo=UTC)}  # fmt: skip
        assert (
            add_change_evidence(org_a, Actor.system("tests"), integration=integration, **empty)
            is None
        )
