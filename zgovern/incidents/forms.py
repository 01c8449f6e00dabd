"""Forms of the incident pages. They parse and bound the input; the rules (severity, the
order of the times, owners, links) live in the services."""

from __future__ import annotations

from django import forms

from zgovern.controls.models import Control
from zgovern.core.errors import DomainError
from zgovern.incidents.models import Incident, IncidentStatus
from zgovern.incidents.queries import SORTS

_WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
SORT_LABELS = {
    "-detected": "Newest detection", "detected": "Oldest detection",
    "severity": "Most severe first", "-severity": "Least severe first", "due": "Due soonest",
    "-due": "Due latest", "title": "Title", "-title": "Title, Z to A",
    "status": "Status", "-updated": "Recently changed", "updated": "Least recently changed",
}  # fmt: skip


def _when(label: str = "", **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(label=label or None, widget=_WHEN, required=False, **kwargs)


class FilterForm(forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False)
    severity = forms.ChoiceField(required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *IncidentStatus.choices],
                               required=False)  # fmt: skip
    past_target = forms.BooleanField(label="Open past target only", required=False)
    detected_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    detected_to = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False,
                                  help_text="Inclusive.")  # fmt: skip
    sort = forms.ChoiceField(choices=[(k, SORT_LABELS[k]) for k in SORTS], required=False)

    def __init__(self, *args, severities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = [("", "Any severity"), *((s, s) for s in severities)]

    def filters(self) -> dict:
        """The valid filters, ready for :func:`zgovern.incidents.queries.incidents`."""
        from datetime import datetime, time, timedelta

        from django.utils import timezone

        if not self.is_bound or not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        zone = timezone.get_current_timezone()
        start, end = data.pop("detected_from"), data.pop("detected_to")
        data["detected_from"] = datetime.combine(start, time(), zone) if start else None
        data["detected_to"] = (
            datetime.combine(end + timedelta(days=1), time(), zone) if end else None
        )
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


def _control_choices(org) -> list[tuple[int, str]]:
    rows = Control.objects.filter(organization=org).order_by("key").values_list("pk", "key", "name")
    return [(pk, f"{key}: {name}") for pk, key, name in rows]


class IdList(forms.CharField):
    """Ids separated by commas or spaces."""

    def to_python(self, value):
        text = super().to_python(value) or ""
        parts = [p for p in text.replace(",", " ").split() if p]
        if not all(p.isdigit() and len(p) < 19 for p in parts):
            raise forms.ValidationError("Give ids (numbers) separated by commas.")
        return [int(p) for p in parts]


class IncidentForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                  max_length=20_000)  # fmt: skip
    severity = forms.ChoiceField()
    status = forms.ChoiceField(choices=IncidentStatus.choices)
    owner_email = forms.CharField(label="Owner's email", max_length=254, required=False,
                                  help_text="A member or a person on the roster.")  # fmt: skip
    started_at = _when("Started at", help_text="When it began, if known (UTC).")
    detected_at = forms.DateTimeField(widget=_WHEN, help_text="UTC.")
    reported_at = _when()
    contained_at = _when(help_text="Filled with now when the status becomes contained.")
    resolved_at = _when(help_text="Filled with now when the status becomes resolved.")
    affected_systems = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                       max_length=5_000)  # fmt: skip
    affected_data = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                    max_length=5_000)  # fmt: skip
    customers_notified = forms.BooleanField(required=False)
    customers_notified_at = _when("Customers notified at")
    root_cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                 max_length=20_000)  # fmt: skip
    lessons_learned = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                      max_length=20_000)  # fmt: skip
    risk_ids = IdList(label="Linked risks", required=False, max_length=2000,
                      help_text="Risk ids, separated by commas.")  # fmt: skip
    control_ids = forms.TypedMultipleChoiceField(
        label="Linked controls", coerce=int, required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )  # fmt: skip

    def __init__(self, *args, org=None, severities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"].choices = [(s, s) for s in severities]
        self.fields["control_ids"].choices = _control_choices(org) if org is not None else []

    def fields_for_service(self) -> dict:
        return dict(self.cleaned_data)


def incident_initial(incident: Incident) -> dict:
    names = (
        "title", "description", "status", "started_at", "detected_at", "reported_at",
        "contained_at", "resolved_at", "affected_systems", "affected_data",
        "customers_notified", "customers_notified_at", "root_cause", "lessons_learned",
    )  # fmt: skip
    initial = {name: getattr(incident, name) for name in names}
    initial.update(
        severity=incident.severity.name, owner_email=incident.owner_email,
        risk_ids=", ".join(str(pk) for pk in incident.risks.values_list("pk", flat=True)),
        control_ids=list(incident.controls.values_list("pk", flat=True)),
    )  # fmt: skip
    return initial


class TimelineForm(forms.Form):
    action = forms.CharField(label="What was done", max_length=5_000,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    at = _when("When", help_text="Empty means now (UTC).")
    by = forms.CharField(label="By", max_length=300, required=False,
                         help_text="Empty means you.")  # fmt: skip


class FiguresForm(forms.Form):
    detected_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    detected_to = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False,
                                  help_text="Inclusive.")  # fmt: skip


def add_domain_error(form: forms.Form, exc: DomainError) -> int:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return exc.status
