"""The frameworks pages with alice (owner), bob (auditor, read-only) and charlie (owner of
another organisation, who must get 404 everywhere in organisation A)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from zgovern.controls.models import Control
from zgovern.frameworks import services
from zgovern.frameworks.models import Category, Criterion, Framework, SystemDescription
from zgovern.frameworks.tests.conftest import (
    BROKEN,
    CUSTOM,
    SYSTEM,
    actions,
    adopt,
    category,
    criterion,
)
from zgovern.tenancy.scoping import organization_scope


def url(org, path: str = "") -> str:
    return f"/o/{org.slug}/frameworks/{path}"


def _count(model, org) -> int:
    with scopes_disabled():
        return model.objects.filter(organization=org).count()


def _save(org, **fields) -> SystemDescription:
    with organization_scope(org):
        return services.save_system_description(org, SYSTEM, fields)


# -- index, adoption, upload --------------------------------------------------------------


def test_navigation_lists_frameworks_after_the_dashboard(org_a, alice_client):
    html = alice_client.get(url(org_a)).content.decode()
    dashboard = html.index(f'href="/o/{org_a.slug}/"')
    frameworks = html.index(f'href="/o/{org_a.slug}/frameworks/" aria-current="page"')
    assert dashboard < frameworks < html.index(f'href="/o/{org_a.slug}/tasks/"')


def test_index_shows_adopted_frameworks_with_scope_and_the_library(org_a, soc2, alice_client):
    response = alice_client.get(url(org_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "SOC 2 Trust Services Criteria" in html
    assert "0 of 33 criteria in scope ready" in html
    assert "In scope: Security</p>" in html
    assert "Out of scope: Availability, Confidentiality" in html
    # ISO is still in the library, with its Adopt button and the upload form.
    assert "ISO/IEC 27001" in html and 'value="iso27001"' in html
    assert 'enctype="multipart/form-data"' in html
    assert url(org_a, "format/") in html


def test_reader_sees_the_index_without_forms(org_a, soc2, bob_client):
    response = bob_client.get(url(org_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "SOC 2 Trust Services Criteria" in html
    assert "Adopt</button>" not in html and "multipart/form-data" not in html


def test_outsider_gets_404_on_every_page(org_a, soc2, charlie_client):
    with scopes_disabled():
        cat = Category.objects.filter(framework=soc2).first()
        leaf = Criterion.objects.filter(framework=soc2, assessable=True).first()
    version = _save(org_a, services="x")
    gets = ["", "format/", f"{soc2.pk}/", f"{soc2.pk}/scope/", "system/", "system/edit/",
            f"system/{version.pk}/", "system/diff/?a=1&b=1"]  # fmt: skip
    posts = ["adopt/", "upload/", f"categories/{cat.pk}/scope/",
             f"criteria/{leaf.pk}/applicability/", "system/edit/"]  # fmt: skip
    for path in gets:
        assert charlie_client.get(url(org_a, path)).status_code == 404, path
    for path in posts:
        assert charlie_client.post(url(org_a, path), {"key": "iso27001"}).status_code == 404
    assert _count(Framework, org_a) == 1 and _count(SystemDescription, org_a) == 1


def test_adopt_takes_the_framework_and_its_default_controls(org_a, alice_client):
    response = alice_client.post(url(org_a, "adopt/"), {"key": "soc2"})
    with scopes_disabled():
        framework = Framework.objects.get(organization=org_a, key="soc2")
    assert response.status_code == 302
    assert response["Location"] == url(org_a, f"{framework.pk}/scope/")
    assert _count(Control, org_a) > 50
    assert actions(org_a)[-2:] == ["framework.adopted", "controls.defaults_adopted"]
    page = alice_client.get(response["Location"]).content.decode()
    assert "SOC 2 Trust Services Criteria adopted, with" in page


def test_adopting_iso_after_soc2_maps_the_controls_already_there(org_a, soc2, alice_client):
    before = _count(Control, org_a)
    response = alice_client.post(url(org_a, "adopt/"), {"key": "iso27001"}, follow=True)
    assert "the controls you already have are mapped to its criteria" in response.content.decode()
    assert _count(Control, org_a) == before
    with scopes_disabled():
        a85 = Criterion.objects.get(organization=org_a, framework__key="iso27001", ref="A.8.5")
        assert a85.controls.filter(key="mfa-enforced").exists()


def test_adopting_twice_or_an_unknown_key_says_why(org_a, soc2, alice_client):
    again = alice_client.post(url(org_a, "adopt/"), {"key": "soc2"})
    assert again.status_code == 409
    assert "already adopted" in again.content.decode()
    unknown = alice_client.post(url(org_a, "adopt/"), {"key": "pci"})
    assert unknown.status_code == 404 and "No built-in framework" in unknown.content.decode()
    empty = alice_client.post(url(org_a, "adopt/"), {})
    assert empty.status_code == 400
    assert _count(Framework, org_a) == 1


def test_reader_cannot_adopt_or_upload(org_a, bob_client):
    assert bob_client.post(url(org_a, "adopt/"), {"key": "soc2"}).status_code == 403
    upload = SimpleUploadedFile("acme.yaml", CUSTOM.encode())
    assert bob_client.post(url(org_a, "upload/"), {"file": upload}).status_code == 403
    assert _count(Framework, org_a) == 0


def test_upload_adopts_a_custom_framework(org_a, alice_client):
    upload = SimpleUploadedFile("acme.yaml", CUSTOM.encode(), content_type="application/yaml")
    response = alice_client.post(url(org_a, "upload/"), {"file": upload})
    assert response.status_code == 302
    with scopes_disabled():
        framework = Framework.objects.get(organization=org_a, key="acme-sec")
    assert framework.is_custom
    page = alice_client.get(url(org_a, f"{framework.pk}/")).content.decode()
    assert "PAY-1" in page and "Card data is tokenised" in page


def test_bad_upload_lists_each_problem_with_line_and_field(org_a, alice_client):
    upload = SimpleUploadedFile("broken.yaml", BROKEN.encode())
    response = alice_client.post(url(org_a, "upload/"), {"file": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<td>13</td><td><code>nodes[0].children[1].id</code></td>" in html
    assert "duplicate id &#x27;AC-1&#x27; (first defined on line 11)" in html
    assert "<td>17</td><td><code>nodes[1].parent</code></td>" in html
    assert "The file was not adopted" in html
    assert _count(Framework, org_a) == _count(Criterion, org_a) == 0


def test_upload_without_a_file_or_with_a_builtin_id(org_a, alice_client):
    missing = alice_client.post(url(org_a, "upload/"), {})
    assert missing.status_code == 400 and "This field is required" in missing.content.decode()
    builtin = SimpleUploadedFile("x.yaml", CUSTOM.replace("acme-sec", "soc2").encode())
    response = alice_client.post(url(org_a, "upload/"), {"file": builtin})
    assert response.status_code == 409 and "built-in framework" in response.content.decode()
    assert _count(Framework, org_a) == 0


def test_file_format_page_shows_the_documentation_as_text(org_a, bob_client):
    response = bob_client.get(url(org_a, "format/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<pre class="fw-doc"># Framework library file format' in html
    assert "zgovern frameworks validate" in html


# -- framework view -------------------------------------------------------------------------


def test_framework_view_shows_criteria_controls_coverage_and_readiness(org_a, soc2, alice_client):
    with organization_scope(org_a):
        services.set_criterion_applicability(
            org_a, SYSTEM, criterion(org_a, soc2, "CC6.4").pk,
            not_applicable=True, justification="Data centres are AWS's <carve-out>",
        )  # fmt: skip
    response = alice_client.get(url(org_a, f"{soc2.pk}/"))
    assert response.status_code == 200
    html = response.content.decode()
    cc61 = criterion(org_a, soc2, "CC6.1")
    assert f'id="criterion-{cc61.pk}"' in html
    assert "Multi-factor authentication is enforced" in html  # a mapped control
    assert '<span class="badge bad">Missing</span>' in html
    assert '<span class="badge bad">Uncovered</span>' in html
    assert "Data centres are AWS&#x27;s &lt;carve-out&gt;" in html
    assert "0% ready · 0 of 32 criteria ready" in html  # Security, less CC6.4
    assert "Also maps to" in html and "A.5.15" not in html  # ISO not adopted


def test_framework_view_links_cross_references_when_both_are_adopted(org_a, soc2, alice_client):
    adopt(org_a, "iso27001", controls=False)
    with scopes_disabled():
        iso = Framework.objects.get(organization=org_a, key="iso27001")
        a515 = Criterion.objects.get(framework=iso, ref="A.5.15")
    html = alice_client.get(url(org_a, f"{soc2.pk}/")).content.decode()
    assert f'href="{url(org_a, f"{iso.pk}/")}#criterion-{a515.pk}"' in html
    iso_html = alice_client.get(url(org_a, f"{iso.pk}/")).content.decode()
    assert f"{url(org_a, f'{soc2.pk}/')}#criterion-{criterion(org_a, soc2, 'CC6.1').pk}" in iso_html


def test_reader_sees_the_framework_view(org_a, soc2, bob_client):
    response = bob_client.get(url(org_a, f"{soc2.pk}/"))
    assert response.status_code == 200
    assert "See the scope decisions" in response.content.decode()


def test_another_organisations_framework_is_404(org_a, org_b, soc2_b, alice_client):
    assert alice_client.get(url(org_a, f"{soc2_b.pk}/")).status_code == 404
    assert alice_client.get(url(org_a, f"{soc2_b.pk}/scope/")).status_code == 404


def _queries(client, path: str) -> int:
    client.get(path)  # warm caches (library files, session)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_framework_view_query_count_does_not_grow_with_criteria(org_a, soc2, alice_client):
    soc2_only = _queries(alice_client, url(org_a, f"{soc2.pk}/"))
    adopt(org_a, "iso27001")  # 93 more criteria, more controls, cross-references
    with scopes_disabled():
        iso = Framework.objects.get(organization=org_a, key="iso27001")
    both = _queries(alice_client, url(org_a, f"{soc2.pk}/"))
    print(f"framework view queries: SOC 2 only {soc2_only}, SOC 2 + ISO {both}")
    assert both == soc2_only
    assert _queries(alice_client, url(org_a, f"{iso.pk}/")) == both
    assert soc2_only < 25


# -- scoping ---------------------------------------------------------------------------------


def test_scope_page_has_a_form_per_category_and_criterion(org_a, soc2, alice_client):
    response = alice_client.get(url(org_a, f"{soc2.pk}/scope/"))
    assert response.status_code == 200
    html = response.content.decode()
    security, privacy = category(org_a, soc2, "security"), category(org_a, soc2, "privacy")
    assert url(org_a, f"categories/{privacy.pk}/scope/") in html
    assert "Always in scope: this category cannot be scoped out." in html
    assert f'name="c{security.pk}-in_scope" value="on"' in html  # hidden, not a checkbox
    cc64 = criterion(org_a, soc2, "CC6.4")
    assert url(org_a, f"criteria/{cc64.pk}/applicability/") in html
    assert f'name="k{cc64.pk}-justification"' in html


def test_reader_sees_scope_decisions_without_forms(org_a, soc2, bob_client):
    response = bob_client.get(url(org_a, f"{soc2.pk}/scope/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Reason: Always in scope." in html
        and '<form method="post"' not in html.split("<main", 1)[1]
    )


def test_scoping_a_category_in_with_a_reason(org_a, soc2, alice_client):
    availability = category(org_a, soc2, "availability")
    prefix = f"c{availability.pk}"
    response = alice_client.post(
        url(org_a, f"categories/{availability.pk}/scope/"),
        {f"{prefix}-in_scope": "on", f"{prefix}-reason": "99.9% uptime SLA"},
    )
    assert response.status_code == 302
    assert response["Location"] == url(org_a, f"{soc2.pk}/scope/#category-{availability.pk}")
    saved = category(org_a, soc2, "availability")
    assert saved.in_scope and saved.scope_reason == "99.9% uptime SLA"
    index = alice_client.get(url(org_a)).content.decode()
    assert "In scope: Security, Availability</p>" in index


def test_scope_errors_are_shown_next_to_the_field(org_a, soc2, alice_client):
    availability = category(org_a, soc2, "availability")
    prefix = f"c{availability.pk}"
    response = alice_client.post(
        url(org_a, f"categories/{availability.pk}/scope/"), {f"{prefix}-in_scope": "on"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    section = html.split(f'id="category-{availability.pk}"', 1)[1].split("</section>", 1)[0]
    assert "Say why this category is in or out of scope." in section
    assert not category(org_a, soc2, "availability").in_scope


def test_security_cannot_be_scoped_out(org_a, soc2, alice_client):
    security = category(org_a, soc2, "security")
    response = alice_client.post(
        url(org_a, f"categories/{security.pk}/scope/"), {f"c{security.pk}-reason": "no"}
    )
    assert response.status_code == 400
    assert "Security is always in scope." in response.content.decode()
    assert category(org_a, soc2, "security").in_scope


def test_marking_a_criterion_not_applicable(org_a, soc2, alice_client):
    cc64 = criterion(org_a, soc2, "CC6.4")
    path = url(org_a, f"criteria/{cc64.pk}/applicability/")
    refused = alice_client.post(path, {f"k{cc64.pk}-not_applicable": "on"})
    assert refused.status_code == 400
    html = refused.content.decode()
    item = html.split(f'id="criterion-{cc64.pk}"', 1)[1].split("</li>", 1)[0]
    assert "needs a justification" in item
    assert "<details open>" in html  # the list with the error is open
    response = alice_client.post(
        path, {f"k{cc64.pk}-not_applicable": "on", f"k{cc64.pk}-justification": "AWS carve-out"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#criterion-{cc64.pk}")
    assert criterion(org_a, soc2, "CC6.4").not_applicable


def test_groups_and_other_organisations_criteria_are_404(org_a, org_b, soc2, soc2_b, alice_client):
    group = criterion(org_a, soc2, "CC6")
    theirs = criterion(org_b, soc2_b, "CC6.4")
    theirs_cat = category(org_b, soc2_b, "privacy")
    for path in (f"criteria/{group.pk}/applicability/", f"criteria/{theirs.pk}/applicability/",
                 f"categories/{theirs_cat.pk}/scope/"):  # fmt: skip
        assert alice_client.post(url(org_a, path), {}).status_code == 404, path
    assert not criterion(org_b, soc2_b, "CC6.4").not_applicable


def test_reader_cannot_scope(org_a, soc2, bob_client):
    availability = category(org_a, soc2, "availability")
    cc64 = criterion(org_a, soc2, "CC6.4")
    data = {f"c{availability.pk}-in_scope": "on", f"c{availability.pk}-reason": "x"}
    assert (
        bob_client.post(url(org_a, f"categories/{availability.pk}/scope/"), data).status_code == 403
    )
    data = {f"k{cc64.pk}-not_applicable": "on", f"k{cc64.pk}-justification": "x"}
    assert (
        bob_client.post(url(org_a, f"criteria/{cc64.pk}/applicability/"), data).status_code == 403
    )
    assert not category(org_a, soc2, "availability").in_scope
    assert not criterion(org_a, soc2, "CC6.4").not_applicable


# -- system description ---------------------------------------------------------------------


def test_system_page_before_any_version(org_a, alice_client, bob_client):
    html = alice_client.get(url(org_a, "system/")).content.decode()
    assert "No system description yet." in html and "Write the first version" in html
    reader = bob_client.get(url(org_a, "system/"))
    assert reader.status_code == 200 and "Write the first version" not in reader.content.decode()


def test_editing_saves_new_versions_and_keeps_the_old(org_a, alice, alice_client):
    form = alice_client.get(url(org_a, "system/edit/"))
    assert form.status_code == 200 and "Saving stores version 1." in form.content.decode()
    first = alice_client.post(url(org_a, "system/edit/"), {"services": "Billing", "data": "x"})
    assert first.status_code == 302 and first["Location"] == url(org_a, "system/")
    edit = alice_client.get(url(org_a, "system/edit/")).content.decode()
    assert "Saving stores version 2" in edit and "Billing</textarea>" in edit
    alice_client.post(url(org_a, "system/edit/"), {"services": "Billing and invoicing"})
    with scopes_disabled():
        versions = list(SystemDescription.objects.filter(organization=org_a).order_by("version"))
    assert [(v.version, v.services, v.data) for v in versions] == [
        (1, "Billing", "x"),
        (2, "Billing and invoicing", ""),
    ]
    assert versions[1].created_by == alice
    page = alice_client.get(url(org_a, "system/")).content.decode()
    assert "Version 2, saved by alice@a.example" in page
    assert url(org_a, f"system/{versions[0].pk}/") in page
    assert "?a=1&amp;b=2" in page


def test_system_edit_refuses_too_long_text(org_a, alice_client):
    response = alice_client.post(url(org_a, "system/edit/"), {"people": "x" * 20_001})
    assert response.status_code == 400
    assert "at most 20000 characters" in response.content.decode()
    assert _count(SystemDescription, org_a) == 0


def test_reader_reads_versions_but_cannot_edit(org_a, bob_client):
    version = _save(org_a, services="Billing")
    assert bob_client.get(url(org_a, "system/")).status_code == 200
    assert bob_client.get(url(org_a, f"system/{version.pk}/")).status_code == 200
    assert bob_client.get(url(org_a, "system/edit/")).status_code == 302
    assert bob_client.post(url(org_a, "system/edit/"), {"services": "x"}).status_code == 403
    assert _count(SystemDescription, org_a) == 1


def test_an_old_version_and_another_organisations(org_a, org_b, alice_client):
    old = _save(org_a, services="Billing v1")
    _save(org_a, services="Billing v2")
    theirs = _save(org_b, services="Theirs")
    html = alice_client.get(url(org_a, f"system/{old.pk}/")).content.decode()
    assert "Billing v1" in html and "The current version is 2" in html
    assert alice_client.get(url(org_a, f"system/{theirs.pk}/")).status_code == 404


def test_diff_between_versions_is_escaped(org_a, bob_client):
    _save(org_a, services="Billing\nInvoices", boundaries="prod")
    _save(org_a, services="Billing\n<script>alert(1)</script>", boundaries="prod")
    response = bob_client.get(url(org_a, "system/diff/?a=1&b=2"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="del">-Invoices</span>' in html
    assert '<span class="add">+&lt;script&gt;alert(1)&lt;/script&gt;</span>' in html
    assert "<script>alert" not in html
    boundaries = html.split("<h2>Boundaries</h2>", 1)[1].split("</section>", 1)[0]
    assert "No change." in boundaries


@pytest.mark.parametrize("query", ["?a=1&b=9", "?a=x&b=1", "?a=0&b=1", "?a=1"])
def test_diff_with_bad_versions_says_which(org_a, alice_client, query):
    _save(org_a, services="one")
    response = alice_client.get(url(org_a, f"system/diff/{query}"))
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
