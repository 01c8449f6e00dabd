"""The bundle's fast paths give exactly what the plain ones give: CSV batches handed to
csv.writer whole, paths that are already safe, the hand-indented manifest, rows read past
Django's converters, and OSCAL ids made without UUID objects."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from zgovern.audits.builder import _cell, csv_text
from zgovern.audits.oscal import NS, _Ids
from zgovern.audits.writer import Entry, _normalised_path, manifest_bytes, safe_path
from zgovern.core.rows import plain_rows
from zgovern.monitoring.models import CheckInterval, Resource
from zgovern.tenancy.scoping import organization_scope

FIELD_START = st.sampled_from(["=", "+", "-", "@", "\t", "\r", '"', ",", "\n", " ", "a", "1"])
TEXT = st.builds(lambda first, rest: first + rest, FIELD_START, st.text(max_size=8)) | st.text(
    max_size=4
)
MOMENTS = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)
CELLS = TEXT | st.none() | st.integers() | st.booleans() | st.dates() | MOMENTS | st.floats()


def slow_csv(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=1, max_size=6))
def test_csv_batches_match_the_cell_by_cell_text(rows):
    assert csv_text(rows) == slow_csv(rows)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(TEXT | st.none(), min_size=1, max_size=5), min_size=1, max_size=6))
def test_text_only_batches_match_the_cell_by_cell_text(rows):
    assert csv_text(rows) == slow_csv(rows)


def test_a_formula_anywhere_in_a_batch_is_neutralised():
    rows = [["ok", "fine"]] * 50 + [["ok", "=HYPERLINK(1)"], ['@x,"y"', "-1"]]
    text = csv_text(rows)
    assert "'=HYPERLINK(1)" in text and '"\'@x,""y"""' in text and ",'-1" in text
    assert csv_text([["=1"]]) == "'=1\r\n"
    assert csv_text([["a", None], ["", "\tb"]]) == "a,\r\n,'\tb\r\n"
    assert csv_text([["a", 1], ["b", "+x"]]) == "a,1\r\nb,'+x\r\n"


def test_datetimes_are_written_in_iso_8601():
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert csv_text([["a", moment]]) == "a,2026-03-01T09:30:00+00:00\r\n"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ09._() +-/\\:é<>|con"), max_size=30))
def test_safe_paths_take_the_fast_path_only_when_nothing_would_change(path):
    assert safe_path(path) == _normalised_path(path)


@pytest.mark.parametrize("path", ["con/a.txt", "a/LPT1.log", "x" * 121, "a/.b", "a /b"])
def test_near_safe_paths_are_still_normalised(path):
    assert safe_path(path) == _normalised_path(path) != path


def test_the_manifest_is_json_with_one_line_per_file():
    entries = [Entry("a/b.txt", 3, "ab" * 32, 'say "hi"\n', "s"), Entry("é", 0, "0" * 64, "", "")]
    raw = manifest_bytes({"format": "f", "audit": {"id": 1}}, entries)
    parsed = json.loads(raw)
    assert parsed["audit"] == {"id": 1} and parsed["format"] == "f"
    assert parsed["files"][0] == {"path": "a/b.txt", "size": 3, "sha256": "ab" * 32,
                                  "title": 'say "hi"\n', "section": "s"}  # fmt: skip
    assert parsed["files"][1]["path"] == "é"
    assert raw.decode().count("\n  {") == 2
    assert json.loads(manifest_bytes({"format": "f"}, [])) == {"format": "f", "files": []}


@pytest.mark.django_db
def test_plain_rows_give_the_instants_the_orm_gives(org_a):
    now = timezone.now().replace(microsecond=0)
    with organization_scope(org_a):
        resource = Resource.objects.create(
            organization=org_a, provider="aws", resource_type="t", external_id="x", name="x"
        )
        for number, started in enumerate([now - timedelta(days=9), now - timedelta(days=3)]):
            CheckInterval.objects.create(
                organization=org_a, check_id=f"c{number}", resource=resource, status="pass",
                started_at=started + timedelta(microseconds=number * 1234),
                confirmed_at=started, ended_at=None if number else started + timedelta(days=1),
            )  # fmt: skip
        rows = CheckInterval.objects.filter(organization=org_a).order_by("check_id")
        fields = ("check_id", "started_at", "ended_at", "confirmed_at")
        expected = list(rows.values_list(*fields))
        as_datetimes = list(plain_rows(rows, fields, fields[1:]))
        as_text = list(plain_rows(rows, fields, fields[1:], text=True))
    assert as_datetimes == expected
    assert all(v is None or v.tzinfo == UTC for row in as_datetimes for v in row[1:])
    iso = [tuple(v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v for v in row)
           for row in expected]  # fmt: skip
    assert as_text == iso
    assert as_text[0][1].endswith("+00:00") and as_text[1][2] is None


@pytest.mark.parametrize("parts", [("observation", 5), ("finding", "CC1.1", "é"), ()])
def test_oscal_ids_are_the_uuid5_of_their_parts(parts):
    class Org:
        slug = "acme"

    class Audit:
        pk = 7

    space = uuid.uuid5(uuid.NAMESPACE_URL, f"{NS}/acme/audits/7")
    expected = str(uuid.uuid5(space, "/".join(str(p) for p in parts)))
    assert _Ids(Org(), Audit())(*parts) == expected
