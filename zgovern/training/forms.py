"""Forms of the training pages. They parse and bound the input; the rules live in the
services."""

from __future__ import annotations

from django import forms

from zgovern.training.models import MAX_DUE_DAYS, Audience, Cadence
from zgovern.training.schedule import STATUSES


class CourseForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    audience = forms.ChoiceField(choices=Audience.choices)
    departments = forms.CharField(
        max_length=2000, required=False, help_text="Comma-separated; only for some departments."
    )
    cadence = forms.ChoiceField(choices=Cadence.choices)
    due_days = forms.IntegerField(
        label="Due within (days of the start date)", min_value=1, max_value=MAX_DUE_DAYS
    )
    active = forms.BooleanField(required=False, help_text="Assigned to its audience.")


def course_initial(course) -> dict:
    return {
        "title": course.title, "description": course.description, "audience": course.audience,
        "departments": ", ".join(course.departments), "cadence": course.cadence,
        "due_days": course.due_days, "active": course.active,
    }  # fmt: skip


class AdoptForm(forms.Form):
    key = forms.SlugField(max_length=80)


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Due or overdue"), ("all", "Everyone"), *((s, s.title()) for s in STATUSES)],
        required=False,
    )
    course = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV (UTF-8) export of your learning platform.")
