"""Access-review pages: alice (owner) uses them, bob (auditor) reads but cannot write,
charlie (another organisation) gets 404; refusals show the reason with their 4xx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from zgovern.reviews.models import Campaign, ReviewItem
from zgovern.reviews.tests.conftest import decide_all, item, start


def _url(org, path: str = "") -> str:
    return f"/o/{org.slug}/reviews/{path}"


@pytest.fixture
def campaign(world, alice, dave):
    return start(world, alice, assignments=[{"system": "github", "reviewer": dave.pk}])


def test_campaigns_list_flags_a_late_one(alice_client, world, alice):
    start(world, alice, title="On time")
    late = start(world, alice, title="Behind", at=timezone.now() - timedelta(days=30),
                 due_date=timezone.localdate() - timedelta(days=2))  # fmt: skip
    response = alice_client.get(_url(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert "On time" in body and "Behind" in body and "Late" in body
    assert late.is_late()


def test_new_campaign_form_starts_one(alice_client, world, alice, dave):
    assert alice_client.get(_url(world, "new/")).status_code == 200
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = alice_client.post(_url(world, "new/"), {
        "title": "Web review", "systems": ["github"], "reviewer_mode": "system",
        "default_reviewer": alice.pk, "due_date": due, "cadence": "quarterly",
        "revocation_days": 1, "reviewer__github": dave.pk, "owner__github": "",
    })  # fmt: skip
    assert response.status_code == 302
    with scopes_disabled():
        campaign = Campaign.objects.get(title="Web review")
        assert campaign.assignments.get().reviewer == dave
        assert campaign.items.count() == 6


def test_new_campaign_with_bad_input_shows_the_form_again(alice_client, world, alice):
    response = alice_client.post(_url(world, "new/"), {"title": "", "systems": ["nope"]})
    assert response.status_code == 400
    with scopes_disabled():
        assert Campaign.objects.count() == 0


def test_campaign_page_filters_items(alice_client, world, campaign):
    page = alice_client.get(_url(world, f"{campaign.pk}/"))
    assert page.status_code == 200 and "old-timer" in page.content.decode()
    flagged = alice_client.get(_url(world, f"{campaign.pk}/"), {"flag": "terminated"})
    body = flagged.content.decode()
    assert "frank" in body and "old-timer" not in body
    jira = alice_client.get(_url(world, f"{campaign.pk}/"), {"system": "jira"}).content.decode()
    assert "svc-bot" in jira and "old-timer" not in jira
    assert alice_client.get(_url(world, f"{campaign.pk}/"), {"flag": "x"}).status_code == 400


def test_deciding_inline(alice_client, world, campaign):
    row = item(campaign, "jira", "erin")
    response = alice_client.post(
        _url(world, f"items/{row.pk}/decide/"),
        {"decision": "revoke", "note": "moved team", "next": "?system=jira"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?system=jira")
    row = item(campaign, "jira", "erin")
    assert (row.decision, row.note, row.task is not None) == ("revoke", "moved team", True)
    decided = alice_client.get(_url(world, f"{campaign.pk}/"), {"decision": "revoke"})
    assert "moved team" in decided.content.decode()


def test_refusals_show_the_reason_with_their_status(alice_client, world, campaign):
    own = item(campaign, "github", "alice")  # reviewed by dave, and alice's own anyway
    response = alice_client.post(_url(world, f"items/{own.pk}/decide/"), {"decision": "approve"})
    assert response.status_code == 403 and "your own account" in response.content.decode()
    erin = item(campaign, "jira", "erin")
    response = alice_client.post(_url(world, f"items/{erin.pk}/decide/"), {"decision": "maybe"})
    assert response.status_code == 400 and "APPROVE or REVOKE" in response.content.decode()
    response = alice_client.post(_url(world, f"{campaign.pk}/complete/"))
    assert response.status_code == 409 and "still undecided" in response.content.decode()
    with scopes_disabled():
        assert not ReviewItem.objects.exclude(decision="").exists()


def test_completing_locks_the_campaign(alice_client, world, campaign):
    decide_all(world, campaign)
    response = alice_client.post(_url(world, f"{campaign.pk}/complete/"))
    assert response.status_code == 302
    row = item(campaign, "jira", "erin")
    response = alice_client.post(_url(world, f"items/{row.pk}/decide/"), {"decision": "revoke"})
    assert response.status_code == 409 and "locked" in response.content.decode()
    assert item(campaign, "jira", "erin").decision == "approve"
    page = alice_client.get(_url(world, f"{campaign.pk}/")).content.decode()
    assert "Decisions (CSV)" in page and 'type="radio"' not in page


def test_exceptions_and_verify(alice_client, world, campaign):
    row = item(campaign, "jira", "erin")
    alice_client.post(_url(world, f"items/{row.pk}/decide/"), {"decision": "revoke"})
    with scopes_disabled():
        ReviewItem.objects.filter(pk=row.pk).update(revoke_by=timezone.now() - timedelta(hours=1))
    response = alice_client.post(_url(world, f"{campaign.pk}/verify/"))
    assert response.status_code == 302
    page = alice_client.get(_url(world, f"{campaign.pk}/exceptions/"))
    assert page.status_code == 200 and "erin" in page.content.decode()


def test_exports(alice_client, world, campaign):
    response = alice_client.get(_url(world, f"{campaign.pk}/export.csv"))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert response.content.decode("utf-8-sig").count("\n") == 10
    response = alice_client.get(_url(world, f"{campaign.pk}/export.xlsx"))
    import io

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 10 and sheet.cell(1, 2).value == "username"


def test_bob_reads_but_cannot_write(bob_client, world, campaign):
    assert bob_client.get(_url(world)).status_code == 200
    assert bob_client.get(_url(world, f"{campaign.pk}/")).status_code == 200
    row = item(campaign, "jira", "erin")
    for path in ("new/", f"{campaign.pk}/complete/", f"items/{row.pk}/decide/"):
        assert bob_client.post(_url(world, path), {"decision": "approve"}).status_code == 403
    assert item(campaign, "jira", "erin").decision == ""


def test_charlie_gets_404(charlie_client, world, campaign):
    row = item(campaign, "jira", "erin")
    for path in ("", f"{campaign.pk}/", f"{campaign.pk}/export.csv", f"items/{row.pk}/decide/"):
        assert charlie_client.get(_url(world, path)).status_code == 404
    assert charlie_client.post(_url(world, f"items/{row.pk}/decide/")).status_code == 404
