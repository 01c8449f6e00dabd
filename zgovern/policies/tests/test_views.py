"""The policy pages with alice (owner), bob (read-only) and charlie (outsider): adoption,
the editor's preview, the approval buttons, sanitised rendering, diffs, PDFs and the
matrix export."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from zgovern.policies.models import Acknowledgement, Policy, PolicyVersion
from zgovern.policies.rendering import diff, to_html
from zgovern.policies.tests.conftest import add_person, published_policy

pytestmark = pytest.mark.django_db
EVIL = (
    "# Hello\n\n<script>alert('x')</script>\n\n<img src=x onerror=\"alert(1)\">\n\n"
    '[click](javascript:alert(1)) and <a href="javascript:alert(2)">raw</a>\n\n'
    '<iframe src="https://evil.example"></iframe><div onclick="x()">div</div>\n'
)


def _url(org, tail=""):
    return f"/o/{org.slug}/policies/{tail}"


def test_sanitising_drops_scripts_raw_html_and_javascript_links():
    html = to_html(EVIL)
    assert "<h1>Hello</h1>" in html
    for bad in ("<script", "alert('x')", "onerror", "javascript:", "<iframe", "onclick", "<img"):
        assert bad not in html, bad
    assert "click" in html and "raw" in html and "div" in html


def test_diff_marks_added_and_removed_lines():
    lines = diff("a\nb\nc\n", "a\nB\nc\nd\n")
    kinds = [(line.kind, line.text) for line in lines]
    assert ("removed", "b") in kinds and ("added", "B") in kinds and ("added", "d") in kinds
    assert ("same", "a") in kinds


def test_adopt_edit_preview_and_publish_in_the_browser(alice_client, org_a):
    response = alice_client.post(_url(org_a, "adopt/"), {"template_key": "acceptable-use"})
    assert response.status_code == 302
    with scopes_disabled():
        version = PolicyVersion.objects.get(policy__organization=org_a)
    edit = _url(org_a, f"versions/{version.pk}/edit/")
    preview = alice_client.post(edit, {"body": EVIL, "preview": "1", "material": "on"})
    assert preview.status_code == 200
    assert b"<h1>Hello</h1>" in preview.content and b"<script>alert" not in preview.content
    with scopes_disabled():
        assert "Hello" not in PolicyVersion.objects.get(pk=version.pk).body  # not saved
    assert alice_client.post(edit, {"body": EVIL, "save": "1"}).status_code == 302
    for step in ("submit", "approve", "publish"):
        response = alice_client.post(_url(org_a, f"versions/{version.pk}/{step}/"))
        assert response.status_code == 302, step
    page = alice_client.get(_url(org_a, f"versions/{version.pk}/"))
    assert page.status_code == 200 and b"<script>alert" not in page.content
    assert b"javascript:" not in page.content
    refused = alice_client.post(edit, {"body": "changed", "save": "1"})
    assert refused.status_code == 409
    with scopes_disabled():
        assert PolicyVersion.objects.get(pk=version.pk).status == "published"


def test_empty_and_bad_forms_answer_400(alice_client, org_a):
    assert alice_client.post(_url(org_a, "adopt/"), {}).status_code == 400
    assert alice_client.post(_url(org_a, "adopt/"), {"template_key": "zzz"}).status_code == 400
    with scopes_disabled():
        assert Policy.objects.count() == 0


def test_pages_read_for_bob_and_hidden_from_charlie(org_a, org_b, alice_client, bob_client,
                                                    charlie_client):  # fmt: skip
    policy = published_policy(org_a)
    with scopes_disabled():
        version = policy.current_version()
    urls = [
        "", "acknowledgements/", "acknowledgements.csv", "library.pdf", f"{policy.pk}/",
        f"versions/{version.pk}/", f"versions/{version.pk}/diff/", f"versions/{version.pk}/pdf/",
    ]  # fmt: skip
    for tail in urls:
        assert alice_client.get(_url(org_a, tail)).status_code == 200, tail
        assert bob_client.get(_url(org_a, tail)).status_code == 200, tail
        assert charlie_client.get(_url(org_a, tail)).status_code == 404, tail
    assert bob_client.post(_url(org_a, f"versions/{version.pk}/retire/")).status_code == 403
    assert bob_client.post(_url(org_a, "adopt/"), {"template_key": "encryption"}).status_code == 403
    with scopes_disabled():
        assert Policy.objects.count() == 1


def test_matrix_export_and_paper_acknowledgement(alice_client, org_a):
    ann = add_person(org_a, "ann@a.example", full_name="=cmd|' /C calc'!A0")
    add_person(org_a, "ben@a.example", full_name="Ben")
    policy = published_policy(org_a)
    with scopes_disabled():
        version = policy.current_version()
    scan = SimpleUploadedFile("form.pdf", b"%PDF-1.4 scan")
    response = alice_client.post(
        _url(org_a, f"versions/{version.pk}/paper/"), {"person": str(ann.pk), "scan": scan}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Acknowledgement.objects.get().method == "paper"
    csv_text = alice_client.get(_url(org_a, "acknowledgements.csv")).content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].startswith("person,work_email,department,Acceptable Use Policy v1")
    assert any(line.startswith("'=cmd") for line in lines)  # a formula is neutralised
    assert any("ben@a.example" in line and "pending" in line for line in lines)
    matrix = alice_client.get(_url(org_a, "acknowledgements/"))
    assert b"50.0" in matrix.content or b"1 / 2" in matrix.content


def test_diff_page_against_another_version(alice_client, org_a):
    policy = published_policy(org_a, "encryption")
    alice_client.post(_url(org_a, f"{policy.pk}/versions/new/"))
    with scopes_disabled():
        first, second = PolicyVersion.objects.order_by("number")
    alice_client.post(
        _url(org_a, f"versions/{second.pk}/edit/"),
        {"body": first.body + "\nNew line.\n", "save": "1"},
    )
    page = alice_client.get(_url(org_a, f"versions/{second.pk}/diff/?against={first.pk}"))
    assert page.status_code == 200 and b"New line." in page.content
    assert alice_client.get(_url(org_a, f"versions/{second.pk}/diff/?against=x")).status_code == 404
