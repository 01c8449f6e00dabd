"""The incident log's rules: severities, the order of the times, statuses, the timeline,
figures, the target flag and the evidence a closed incident leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_scopes import scopes_disabled

from zgovern.controls.models import Control, ControlEvidence
from zgovern.core.errors import Conflict, DomainError
from zgovern.frameworks.yamlsource import LibraryError
from zgovern.incidents import figures, queries, services, severities
from zgovern.incidents.models import AppendOnly, TimelineEntry
from zgovern.incidents.tests.conftest import SYSTEM, actions, add_incident, ago, counts, reload
from zgovern.tenancy.scoping import organization_scope


def test_defaults_installed_once_and_due_time_follows_the_target(org_a):
    incident = add_incident(org_a, detected_at=ago(hours=100))
    assert incident.due_at == incident.detected_at + timedelta(hours=72)
    assert incident.past_target()
    with organization_scope(org_a):
        assert queries.past_target_count(org_a) == 1
        services.define_severity(org_a, SYSTEM, name="sev2", description="High.",
                                 response_target_hours=200)  # fmt: skip
        assert queries.past_target_count(org_a) == 0
        services.define_severity(org_a, SYSTEM, name="SEV5", description="Trivial.",
                                 response_target_hours=2000)  # fmt: skip
        assert [s.name for s in queries.severity_table(org_a)][-1] == "SEV5"
    assert reload(incident).due_at == incident.detected_at + timedelta(hours=200)
    assert actions(org_a) == [
        "incident.severities_installed", "incident.created", "incident.severity_defined",
        "incident.severity_defined",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"resolved_at": "detected-1h", "status": "resolved"}, "resolved_at", "detected_at"),
        ({"started_at": "detected+1h"}, "detected_at", "started_at"),
        ({"reported_at": "detected-1h"}, "reported_at", "detected_at"),
        ({"contained_at": "detected+2h", "resolved_at": "detected+1h", "status": "resolved"},
         "resolved_at", "contained_at"),
        ({"severity": "SEV9"}, "severity", "SEV1"),
        ({"severity": ""}, "severity", "required"),
        ({"detected_at": None}, "detected_at", "detected"),
        ({"detected_at": "future"}, "detected_at", "future"),
        ({"customers_notified": True}, "customers_notified_at", "When"),
        ({"status": "open", "contained_at": "detected+1h"}, "status", "contained_at"),
        ({"owner_email": "ghost@x.example"}, "owner_email", "roster"),
        ({"risk_ids": [424242]}, "risk_ids", "424242"),
    ],
)  # fmt: skip
def test_bad_incidents_are_refused_whole(org_a, fields, field, words):
    detected = ago(hours=10)
    shift = {"detected-1h": detected - timedelta(hours=1),
             "detected+1h": detected + timedelta(hours=1),
             "detected+2h": detected + timedelta(hours=2), "future": ago(hours=-1)}  # fmt: skip
    values = {k: shift.get(v, v) if isinstance(v, str) else v for k, v in fields.items()}
    with pytest.raises(DomainError) as caught:
        add_incident(org_a, **{"detected_at": detected, **values})
    assert caught.value.field == field and words in caught.value.message
    assert counts(org_a) == (0, 0)
    assert "incident.created" not in actions(org_a)


def test_statuses_fill_times_and_closing_records_evidence(org_a, alice):
    with scopes_disabled():
        for key in ("incident-tracking", "post-incident-review", "breach-notification"):
            Control.objects.create(organization=org_a, key=key, name=key)
    incident = add_incident(org_a, started_at=ago(hours=5), detected_at=ago(hours=4),
                            owner_email=alice.email)  # fmt: skip
    with organization_scope(org_a):
        services.add_timeline_entry(org_a, SYSTEM, incident.pk, action="Key revoked",
                                    at=ago(hours=3), by="Ops")  # fmt: skip
        services.update_incident(org_a, SYSTEM, incident.pk, status="contained")
        assert reload(incident).contained_at is not None
        services.update_incident(
            org_a, SYSTEM, incident.pk, status="closed", customers_notified=True,
            customers_notified_at=ago(hours=1), root_cause="Key in a public repo.",
        )  # fmt: skip
        closed = reload(incident)
        with pytest.raises(Conflict):
            services.update_incident(org_a, SYSTEM, incident.pk, title="Changed")
        with pytest.raises(Conflict):
            services.add_timeline_entry(org_a, SYSTEM, incident.pk, action="late")
    assert closed.resolved_at is not None and closed.closed_at is not None
    assert figures.hours(closed.time_to_detect) == 1.0
    record = closed.evidence.record
    assert closed.evidence.kind == "incident_record" and record["timeline"][0]["by"] == "Ops"
    assert record["incident"]["root_cause"] == "Key in a public repo."
    with scopes_disabled():
        keys = set(ControlEvidence.objects.filter(evidence=closed.evidence)
                   .values_list("control__key", flat=True))  # fmt: skip
    assert keys == {"incident-tracking", "post-incident-review", "breach-notification"}
    assert actions(org_a)[-3:] == ["incident.updated", "incident.updated", "incident.closed"]


def test_timeline_is_append_only_and_bounded_by_the_start(org_a):
    incident = add_incident(org_a, detected_at=ago(hours=3))
    with organization_scope(org_a):
        with pytest.raises(DomainError) as caught:
            services.add_timeline_entry(org_a, SYSTEM, incident.pk, action="x", at=ago(hours=9))
        assert caught.value.field == "at"
        entry = services.add_timeline_entry(org_a, SYSTEM, incident.pk, action="Paged on-call")
        assert entry.by_label == "tests" and entry.recorded_by == "tests"
        entry.action = "rewritten"
        with pytest.raises(AppendOnly):
            entry.save()
        with pytest.raises(AppendOnly):
            entry.delete()
        assert TimelineEntry.objects.get(pk=entry.pk).action == "Paged on-call"


def test_figures_per_severity(org_a):
    for hours_to_resolve in (1, 2, 3, 4, 10):
        add_incident(org_a, status="resolved", detected_at=ago(hours=20),
                     resolved_at=ago(hours=20 - hours_to_resolve))  # fmt: skip
    add_incident(org_a, severity="SEV1", started_at=ago(hours=30), detected_at=ago(hours=24))
    with organization_scope(org_a):
        rows = {r.severity: r for r in figures.response_figures(org_a)}
        none = figures.response_figures(org_a, ago(hours=1), None)
    sev2 = rows["SEV2"].figures["time_to_resolve"]
    assert (rows["SEV2"].incidents, sev2.n, sev2.median, sev2.mean, sev2.p90) == (5, 5, 3, 4, 10)
    assert rows["SEV2"].figures["time_to_detect"].n == 0
    assert rows["SEV1"].figures["time_to_detect"].median == 6
    assert rows["SEV4"].incidents == 0 and all(r.incidents == 0 for r in none)


def test_severity_file_problems_are_located(tmp_path):
    bad = tmp_path / "severities.yaml"
    bad.write_text("severities:\n  - name: SEV1\n    rank: 1\n    description: x\n"
                   "    response_target_hours: 0\n")  # fmt: skip
    with pytest.raises(LibraryError) as error:
        severities.load(bad)
    assert "severities[0].response_target_hours: must be between 1" in str(error.value)
    assert [d.name for d in severities.defaults()] == ["SEV1", "SEV2", "SEV3", "SEV4"]
