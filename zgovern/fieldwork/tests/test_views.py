"""Fieldwork pages as alice (owner), bob (org-wide auditor: reads, no writes), charlie
(outsider: 404) and dave (auditor invited to one audit only)."""

from __future__ import annotations

from django.core import mail
from django_scopes import scopes_disabled

from zgovern.fieldwork.models import AuditorGrant, Comment, Sample
from zgovern.fieldwork.tests.conftest import SYSTEM, count, expire, views_of
from zgovern.tenancy.scoping import organization_scope


def _url(org, audit, rest: str = "") -> str:
    return f"/o/{org.slug}/fieldwork/{audit.pk}/{rest}"


def _first_control(org, audit):
    from zgovern.fieldwork.scope import controls

    with organization_scope(org):
        return controls(org, audit)[0].control


def test_workspace_and_control_pages(audit_org, audit, records, alice_client, bob_client):
    org = audit_org
    page = alice_client.get(_url(org, audit))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Controls in scope" in text and "New hires</a> (2)" in text
    control = _first_control(org, audit)
    detail = bob_client.get(_url(org, audit, f"controls/{control.pk}/"))
    assert detail.status_code == 200 and control.name in detail.content.decode()
    assert alice_client.get(_url(org, audit, "controls/999999/")).status_code == 404
    link = alice_client.get(f"/o/{org.slug}/audits/{audit.pk}/").content.decode()
    assert "Auditor workspace" in link


def test_evidence_outside_the_audit_answers_404_to_an_invited_auditor(
    audit_org, audit, alice_client, dave_client
):
    from zgovern.audits.tests.conftest import add_evidence_file
    from zgovern.controls.models import Control
    from zgovern.evidence.models import EvidenceItem

    org = audit_org
    item = add_evidence_file(org, "mfa-enforced", "mfa.txt", b"all on", "MFA report")
    for client in (alice_client, dave_client):
        page = client.get(_url(org, audit, f"evidence/{item.pk}/"))
        assert page.status_code == 200 and "MFA report" in page.content.decode()
        file = client.get(_url(org, audit, f"evidence/{item.pk}/file/"))
        assert file.status_code == 200 and b"".join(file.streaming_content) == b"all on"
    with scopes_disabled():
        loose = EvidenceItem.objects.create(
            organization=org, kind="x", title="Loose", source="record", record={}, sha256="0" * 64
        )
        in_scope = {c.pk for c in _scope_controls(org, audit)}
        outside = Control.objects.filter(organization=org).exclude(pk__in=in_scope).first()
    assert dave_client.get(_url(org, audit, f"evidence/{loose.pk}/")).status_code == 404
    assert dave_client.get(_url(org, audit, f"evidence/{loose.pk}/file/")).status_code == 404
    shown = alice_client.get(_url(org, audit, f"evidence/{loose.pk}/")).content.decode()
    assert "was not collected in this audit" in shown
    if outside is not None:
        assert dave_client.get(_url(org, audit, f"controls/{outside.pk}/")).status_code == 404
        page = alice_client.get(_url(org, audit, f"controls/{outside.pk}/")).content.decode()
        assert "control is not in this audit" in page


def _scope_controls(org, audit):
    from zgovern.audits.builder import controls_in_scope

    return controls_in_scope(org, audit)


def test_population_export_and_sampling(audit_org, audit, records, alice_client, bob_client):
    org = audit_org
    url = _url(org, audit, "populations/new_hires/")
    assert "Hana Hire" in alice_client.get(url).content.decode()
    csv = alice_client.get(url + "?format=csv")
    assert csv["Content-Type"] == "text/csv" and b"Hana Hire" in csv.content
    xlsx = bob_client.get(url + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert bob_client.post(url, {"size": 1}).status_code == 403
    too_big = alice_client.post(url, {"method": "random", "size": 5})
    assert too_big.status_code == 400
    assert "larger than the population: 2 new hires" in too_big.content.decode()
    assert count(Sample, org) == 0
    drawn = alice_client.post(url, {"method": "random", "size": 2, "seed": 7})
    assert drawn.status_code == 302
    with scopes_disabled():
        sample = Sample.objects.get(organization=org)
    assert sample.seed == 7 and drawn["Location"].endswith(f"samples/{sample.pk}/")
    page = bob_client.get(drawn["Location"])
    assert page.status_code == 200 and "background check (Checkr)" in page.content.decode()
    export = bob_client.get(drawn["Location"] + "?format=csv").content.decode("utf-8-sig")
    assert export.count("\n") == 3 and ",7,2,2," in export
    picked = alice_client.post(url, {"method": "manual", "keys": [str(records["late"].pk)]})
    assert picked.status_code == 302
    assert alice_client.get(_url(org, audit, "populations/payroll/")).status_code == 404


def test_outsider_gets_404(audit_org, audit, records, charlie_client):
    org = audit_org
    for rest in ("", "populations/new_hires/", "auditors/"):
        assert charlie_client.get(_url(org, audit, rest)).status_code == 404
    assert charlie_client.get(f"/o/{org.slug}/fieldwork/access-log/").status_code == 404


def test_inviting_and_revoking_on_the_web(
    audit_org, audit, alice_client, bob_client, django_capture_on_commit_callbacks
):
    org = audit_org
    url = _url(org, audit, "auditors/")
    body = {"email": "eve@firm.example", "expires_at": "2099-01-01T10:00"}
    assert bob_client.post(url, body).status_code == 403
    bad = alice_client.post(url, {**body, "expires_at": "2000-01-01T10:00"})
    assert bad.status_code == 400 and "must end in the future" in bad.content.decode()
    assert count(AuditorGrant, org) == 0
    body["expires_at"] = _soon()
    with django_capture_on_commit_callbacks(execute=True):
        assert alice_client.post(url, body).status_code == 302
    assert any(m.to == ["eve@firm.example"] for m in mail.outbox)
    with scopes_disabled():
        grant = AuditorGrant.objects.get(organization=org)
    assert "eve@firm.example" in alice_client.get(url).content.decode()
    revoke = _url(org, audit, f"auditors/{grant.pk}/revoke/")
    assert bob_client.post(revoke).status_code == 403
    assert alice_client.post(revoke).status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def _soon() -> str:
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")


def test_invited_auditor_sees_only_their_audit(
    audit_org, audit, other_audit, records, dave, dave_client
):
    org = audit_org
    listing = dave_client.get(f"/o/{org.slug}/audits/")
    assert listing.status_code == 302 and listing["Location"].endswith("/fieldwork/")
    mine = dave_client.get(f"/o/{org.slug}/fieldwork/").content.decode()
    assert audit.name in mine and other_audit.name not in mine
    assert dave_client.get(_url(org, audit)).status_code == 200
    assert dave_client.get(f"/o/{org.slug}/audits/{audit.pk}/").status_code == 200
    assert dave_client.get(_url(org, other_audit)).status_code == 404
    assert dave_client.get(f"/o/{org.slug}/audits/{other_audit.pk}/").status_code == 404
    assert dave_client.get(f"/o/{org.slug}/people/").status_code == 404
    assert dave_client.get(f"/o/{org.slug}/fieldwork/access-log/").status_code == 404
    assert dave_client.get(_url(org, audit, "auditors/")).status_code == 404
    paths = [row["path"] for row in views_of(org, dave)]
    assert f"/o/{org.slug}/fieldwork/{audit.pk}/" in paths
    assert all(str(other_audit.pk) not in p.split("/") for p in paths)


def test_invited_auditor_samples_and_comments(
    audit_org, audit, records, dave, dave_client, alice, django_capture_on_commit_callbacks
):
    org = audit_org
    url = _url(org, audit, "populations/changes/")
    drawn = dave_client.post(url, {"method": "random", "size": 1})
    assert drawn.status_code == 302
    with scopes_disabled():
        sample = Sample.objects.get(organization=org)
    assert sample.created_by == dave
    comment = {"target_kind": "sample", "target_id": sample.pk, "body": "@alice why?"}
    with django_capture_on_commit_callbacks(execute=True):
        posted = dave_client.post(_url(org, audit, "comments/"), comment)
    assert posted.status_code == 302
    assert "@alice why?" in dave_client.get(posted["Location"]).content.decode()
    assert [m.to for m in mail.outbox if "mentioned" in m.subject] == [[alice.email]]
    assert count(Comment, org) == 1


def test_bob_reads_but_never_adds_fieldwork(audit_org, audit, records, bob_client):
    org = audit_org
    control = _first_control(org, audit)
    body = {"target_kind": "control", "target_id": control.pk, "body": "hi"}
    assert bob_client.post(_url(org, audit, "comments/"), body).status_code == 403
    assert count(Comment, org) == 0


def test_expired_grant_answers_403_with_a_message(audit_org, audit, dave_grant, dave_client):
    org = audit_org
    expire(dave_grant)
    page = dave_client.get(_url(org, audit))
    assert page.status_code == 403 and "Your access to this audit ended" in page.content.decode()
    mine = dave_client.get(f"/o/{org.slug}/fieldwork/")
    assert mine.status_code == 403 and "has ended" in mine.content.decode()


def test_access_log_lists_what_auditors_opened(
    audit_org, audit, dave, dave_client, bob, bob_client, alice, alice_client
):
    org = audit_org
    dave_client.get(_url(org, audit))
    dave_client.get(_url(org, audit, "populations/new_hires/?format=csv"))
    dave_client.get(f"/o/{org.slug}/fieldwork/")
    bob_client.get(f"/o/{org.slug}/people/")
    log = f"/o/{org.slug}/fieldwork/access-log/"
    workspace = f"<code>/o/{org.slug}/fieldwork/{audit.pk}/</code>"
    export = f"<code>/o/{org.slug}/fieldwork/{audit.pk}/populations/new_hires/?format=csv</code>"
    own_list = f"<code>/o/{org.slug}/fieldwork/</code>"
    mine = alice_client.get(f"{log}?auditor={dave.pk}").content.decode()
    assert workspace in mine and export in mine and own_list in mine
    by_audit = alice_client.get(f"{log}?audit={audit.pk}").content.decode()
    assert workspace in by_audit and own_list not in by_audit
    everyone = alice_client.get(log).content.decode()
    assert bob.email not in everyone  # an auditor member who was not invited is not logged
    assert alice_client.get(f"/o/{org.slug}/fieldwork/access-log/?audit=x").status_code == 400
    assert views_of(org, alice) == [] and views_of(org, bob) == []


def test_invited_auditor_downloads_are_logged_and_kept_to_their_audit(
    audit_org, audit, other_audit, dave, dave_client
):
    from zgovern.audits import services as audits

    org = audit_org
    with organization_scope(org):
        mine = audits.request_bundle(org, SYSTEM, audit.pk, enqueue=False)
        theirs = audits.request_bundle(org, SYSTEM, other_audit.pk, enqueue=False)
    audits.build_bundle(mine.pk, "tests")
    download = dave_client.get(f"/o/{org.slug}/audits/bundles/{mine.pk}/download/")
    assert download.status_code == 200
    b"".join(download.streaming_content)  # closes the file, as the test client does
    assert dave_client.get(f"/o/{org.slug}/audits/bundles/{theirs.pk}/").status_code == 404
    paths = [row["path"] for row in views_of(org, dave)]
    assert paths == [f"/o/{org.slug}/audits/bundles/{mine.pk}/download/"]


def test_comments_on_a_request_of_the_audit(audit_org, audit, other_audit, alice_client):
    from django.utils import timezone

    from zgovern.pbc.models import AuditRequest

    org = audit_org
    with scopes_disabled():
        mine = AuditRequest.objects.create(
            organization=org,
            audit=audit,
            reference="R-1",
            title="Population of hires",
            target_at=timezone.now(),
        )
        theirs = AuditRequest.objects.create(
            organization=org,
            audit=other_audit,
            reference="R-2",
            title="x",
            target_at=timezone.now(),
        )
    url = _url(org, audit, "comments/")
    posted = alice_client.post(url, {"target_kind": "request", "target_id": mine.pk, "body": "ok"})
    assert posted.status_code == 302
    other = {"target_kind": "request", "target_id": theirs.pk, "body": "no"}
    assert alice_client.post(url, other).status_code == 404
    assert count(Comment, org) == 1
