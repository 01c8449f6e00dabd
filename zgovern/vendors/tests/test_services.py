"""The vendor services: inventory rules, documents, assessments, conclusions, flags with
their exact boundaries, evidence and control links, and the questionnaire loader."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.controls.models import Control, ControlEvidence
from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.evidence import storage
from zgovern.frameworks.yamlsource import LibraryError
from zgovern.tenancy.scoping import organization_scope
from zgovern.vendors import queries, questionnaires, services
from zgovern.vendors.models import VendorAssessmentStatus
from zgovern.vendors.tests.conftest import (
    SYSTEM,
    actions,
    add_vendor,
    counts,
    full_answers,
    pdf,
    refreshed,
    start,
    submitted,
)


def test_vendor_is_created_logged_and_unique_by_name(org_a, org_b):
    vendor = add_vendor(
        org_a, "AWS", data_categories=["source_code", "customer_data"], owner_email="bob@a.example"
    )
    assert vendor.data_category_list == ["customer_data", "source_code"]
    assert vendor.owner.email == "bob@a.example"
    before = counts(org_a)
    with pytest.raises(Conflict):
        add_vendor(org_a, "aws")
    assert counts(org_a) == before
    add_vendor(org_b, "AWS")  # another organisation may use the name
    assert actions(org_a) == ["vendor.created"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"criticality": "extreme"}, "criticality"),
        ({"data_categories": ["gold"]}, "data_categories"),
        ({"contract_start": date(2025, 1, 2), "contract_end": date(2025, 1, 1)}, "contract_end"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"owner_email": "charlie@b.example"}, "owner_email"),
        ({"name": ""}, "name"),
        ({"service": "x" * 301}, "service"),
    ],
)
def test_bad_vendor_input_is_refused_and_nothing_saved(org_a, charlie, fields, field):
    before = counts(org_a)
    with pytest.raises(DomainError) as caught:
        add_vendor(org_a, **({"name": "V"} | fields))
    assert caught.value.field == field
    assert counts(org_a) == before


def test_update_logs_changes_only(org_a):
    vendor = add_vendor(org_a)
    with organization_scope(org_a):
        services.update_vendor(org_a, SYSTEM, vendor.pk, criticality="critical")
        services.update_vendor(org_a, SYSTEM, vendor.pk, criticality="low", owner_email="")
    assert actions(org_a) == ["vendor.created", "vendor.updated"]
    with organization_scope(org_a), pytest.raises(NotFound):
        services.update_vendor(org_a, SYSTEM, 10**9, name="X")


def test_soc2_document_needs_period_and_sets_expiry(org_a):
    vendor = add_vendor(org_a)
    with organization_scope(org_a):
        with pytest.raises(DomainError) as caught:
            services.add_document(org_a, SYSTEM, vendor.pk, kind="soc2_type2", uploaded_file=pdf())
        assert caught.value.field == "period_start"
        doc = services.add_document(
            org_a, SYSTEM, vendor.pk, kind="soc2_type2", uploaded_file=pdf(),
            period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
        )  # fmt: skip
    assert doc.expires_on == date(2026, 12, 31)
    assert refreshed(vendor).soc2_expires_on == date(2026, 12, 31)
    with scopes_disabled():
        assert doc.evidence.kind == "vendor_document"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("big.pdf", b"%PDF-1.4" + b"x" * 200, "larger than the limit"),
        ("run.exe", b"MZ\x90\x00", "type are not accepted"),
        ("fake.pdf", b"not a pdf at all", "PDF"),
    ],
)
def test_bad_attachment_is_refused_naming_the_problem(org_a, settings, name, data, message):
    settings.EVIDENCE_MAX_BYTES = 100
    vendor = add_vendor(org_a)
    before = counts(org_a)
    with organization_scope(org_a), pytest.raises(DomainError) as caught:
        services.add_document(
            org_a, SYSTEM, vendor.pk, kind="iso27001", uploaded_file=pdf(name, data),
            expires_on=date(2030, 1, 1),
        )  # fmt: skip
    assert message.lower() in caught.value.message.lower()
    assert caught.value.status == 400
    assert counts(org_a) == before


def test_answers_are_validated_by_type(org_a):
    vendor = add_vendor(org_a)
    assessment = start(org_a, vendor)
    yes_no = next(q for q in assessment.questions if q["type"] == "yes_no")
    choice = next(q for q in assessment.questions if q["type"] == "choice")
    before = counts(org_a)
    for qid, value in ((yes_no["id"], "maybe"), (choice["id"], "Sometimes"), (yes_no["id"], "")):
        answers = full_answers(assessment) | {qid: {"answer": value}}
        with organization_scope(org_a), pytest.raises(DomainError) as caught:
            services.submit_answers(org_a, SYSTEM, assessment.pk, answers=answers)
        assert caught.value.field == f"q_{qid}"
    assert counts(org_a) == before
    assert refreshed(assessment).status == VendorAssessmentStatus.IN_PROGRESS


def test_attachment_only_where_the_question_allows_it(org_a, settings):
    vendor = add_vendor(org_a)
    assessment = start(org_a, vendor)
    plain = next(q["id"] for q in assessment.questions if not q["attachment"])
    allowed = next(q["id"] for q in assessment.questions if q["attachment"])
    before = counts(org_a)
    with organization_scope(org_a), pytest.raises(DomainError):
        services.submit_answers(
            org_a, SYSTEM, assessment.pk, answers=full_answers(assessment), files={plain: pdf()}
        )
    settings.EVIDENCE_MAX_BYTES = 10
    with organization_scope(org_a), pytest.raises(DomainError) as caught:
        services.submit_answers(
            org_a, SYSTEM, assessment.pk, answers=full_answers(assessment), files={allowed: pdf()}
        )
    assert "larger than the limit" in caught.value.message and allowed in caught.value.message
    assert counts(org_a) == before


def test_conclusion_completes_records_evidence_and_links_controls(org_a):
    vendor = add_vendor(org_a, criticality="critical")
    assessment = submitted(org_a, vendor)
    with organization_scope(org_a):
        for key in ("vendor-assessments", "subservice-reports-reviewed"):
            Control.objects.create(organization=org_a, key=key, name=key)
        with pytest.raises(DomainError) as caught:
            services.conclude(org_a, SYSTEM, assessment.pk, conclusion="not_acceptable")
        assert caught.value.field == "notes"
        done = services.conclude(org_a, SYSTEM, assessment.pk, conclusion="acceptable")
        linked = set(
            ControlEvidence.objects.filter(evidence=done.evidence).values_list(
                "control__key", flat=True
            )
        )
        with pytest.raises(Conflict):
            services.conclude(org_a, SYSTEM, assessment.pk, conclusion="acceptable")
    assert linked == {"vendor-assessments", "subservice-reports-reviewed"}
    assert done.status == VendorAssessmentStatus.COMPLETED
    assert done.next_review_due == services.add_months(timezone.localdate(), 12)
    assert done.evidence.record["answers"] == done.answers
    assert refreshed(vendor).next_review_due == done.next_review_due


def test_review_cadence_is_configurable_per_criticality(org_a):
    vendor = add_vendor(org_a, criticality="low")
    with organization_scope(org_a):
        assert services.review_months(org_a)["low"] == 36
        services.set_review_months(org_a, SYSTEM, low=6)
        with pytest.raises(DomainError):
            services.set_review_months(org_a, SYSTEM, critical=0)
    assessment = submitted(org_a, vendor)
    with organization_scope(org_a):
        done = services.conclude(org_a, SYSTEM, assessment.pk, conclusion="acceptable")
    assert done.next_review_due == services.add_months(timezone.localdate(), 6)
    assert "vendor.review_cadence_changed" in actions(org_a)


def _assessed(org, vendor, days_ago: int):
    assessment = submitted(org, vendor)
    with organization_scope(org):
        return services.conclude(
            org, SYSTEM, assessment.pk, conclusion="acceptable",
            assessed_at=timezone.now() - timedelta(days=days_ago),
        )  # fmt: skip


def test_flags_with_exact_boundaries(org_a):
    never = add_vendor(org_a, "Never")
    recent = add_vendor(org_a, "Recent")
    old = add_vendor(org_a, "Old")
    low_old = add_vendor(org_a, "Low old", criticality="low")
    _assessed(org_a, recent, 364)
    _assessed(org_a, old, 366)
    _assessed(org_a, low_old, 366)
    today = timezone.localdate()
    with organization_scope(org_a):
        flags = {v.name: f for v, f in queries.flagged(org_a, today)}
        counts_ = queries.flag_counts(org_a, today)
    assert flags["Never"] == ["no_assessment"]
    assert "Recent" not in flags or "assessment_stale" not in flags["Recent"]
    assert "assessment_stale" in flags["Old"]
    assert "assessment_stale" not in flags.get("Low old", [])
    assert counts_["no_assessment"] == 1 and counts_["assessment_stale"] == 1
    assert never.pk  # silence: created for its flag


def test_expired_soc2_report_is_flagged(org_a):
    vendor = add_vendor(org_a, criticality="medium")
    today = timezone.localdate()
    with organization_scope(org_a):
        services.add_document(
            org_a, SYSTEM, vendor.pk, kind="soc2_type1", uploaded_file=pdf(),
            period_start=today - timedelta(days=400), period_end=today - timedelta(days=370),
            expires_on=today - timedelta(days=1),
        )  # fmt: skip
        assert queries.flags_of(refreshed(vendor)) == ["soc2_expired"]
        services.add_document(
            org_a, SYSTEM, vendor.pk, kind="soc2_type2", uploaded_file=pdf("new.pdf"),
            period_start=today - timedelta(days=200), period_end=today - timedelta(days=10),
        )  # fmt: skip
        assert queries.flags_of(refreshed(vendor)) == []


def test_inventory_snapshot_is_evidence_for_vendor_inventory(org_a):
    add_vendor(org_a, "=HYPERLINK()")
    with organization_scope(org_a):
        Control.objects.create(organization=org_a, key="vendor-inventory", name="Inventory")
        item = services.snapshot_inventory(org_a, SYSTEM)
        linked = ControlEvidence.objects.filter(evidence=item, control__key="vendor-inventory")
        assert linked.exists()
    with storage.open_blob(org_a, item.sha256) as blob:
        text = blob.read().decode("utf-8-sig")
    assert item.file_name.startswith("vendor-inventory-") and item.kind == "vendor_inventory"
    assert "'=HYPERLINK()" in text and "no_assessment" in text


def test_shipped_questionnaire_loads():
    security = questionnaires.get("security")
    assert 20 <= len(security.questions) <= 30
    assert {q.type for q in security.questions} == {"yes_no", "text", "choice"}
    assert any(q.attachment for q in security.questions)
    with pytest.raises(DomainError):
        questionnaires.get("nope")


def test_questionnaire_problems_are_located():
    text = (
        "key: t\ntitle: T\nversion: 1\nsections:\n  - title: S\n    questions:\n"
        "      - id: a\n        text: A?\n        type: maybe\n"
        "      - id: a\n        text: B?\n        type: choice\n        options: [One]\n"
    )
    with pytest.raises(LibraryError) as caught:
        questionnaires.parse(text)
    messages = [str(p) for p in caught.value.problems]
    assert any(":9: sections[0].questions[0].type" in m for m in messages)
    assert any("used twice (first on line 7)" in m for m in messages)
    assert any("at least two options" in m for m in messages)


def test_conclusion_date_rules(org_a):
    from datetime import datetime

    vendor = add_vendor(org_a)
    assessment = submitted(org_a, vendor)
    before = counts(org_a)
    with organization_scope(org_a):
        with pytest.raises(DomainError) as caught:
            services.conclude(
                org_a, SYSTEM, assessment.pk, conclusion="acceptable",
                assessed_at=timezone.now() + timedelta(days=1),
            )  # fmt: skip
        assert caught.value.field == "assessed_at"
        done = services.conclude(
            org_a, SYSTEM, assessment.pk, conclusion="acceptable",
            assessed_at=datetime(2025, 3, 1, 12, 0),  # naive: read as UTC
        )  # fmt: skip
    assert done.next_review_due == date(2026, 3, 1)
    assert counts(org_a)["assessments"] == before["assessments"]


def test_public_subprocessor_list_shows_only_public_fields(org_a):
    add_vendor(org_a, "Hosting", is_subprocessor=True, public_description="Cloud hosting (EU).")
    add_vendor(org_a, "Internal tool", is_subprocessor=False)
    with organization_scope(org_a):
        assert queries.public_subprocessors(org_a) == [
            {"name": "Hosting", "description": "Cloud hosting (EU)."}
        ]
