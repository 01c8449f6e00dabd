"""Forms of the people pages. They parse and bound the input; the rules (unique email,
dates, status, managers) live in the services."""

from __future__ import annotations

from django import forms

from zgovern.core.errors import DomainError
from zgovern.people.models import CheckStatus, EmploymentType, Person, PersonStatus

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FilterForm(forms.Form):
    q = forms.CharField(label="Search", max_length=200, required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *PersonStatus.choices], required=False)
    employment_type = forms.ChoiceField(
        label="Type", choices=[("", "Any type"), *EmploymentType.choices], required=False
    )
    department = forms.CharField(max_length=120, required=False)

    def filters(self) -> dict:
        """The valid filters (an invalid form filters nothing)."""
        if not self.is_valid():
            return {}
        return {name: self.cleaned_data[name].strip() for name in self.fields}


class PersonForm(forms.Form):
    full_name = forms.CharField(max_length=200)
    work_email = forms.EmailField(max_length=254)
    employment_type = forms.ChoiceField(choices=EmploymentType.choices)
    department = forms.CharField(max_length=120, required=False)
    manager_email = forms.EmailField(
        label="Manager's work email",
        max_length=254,
        required=False,
        help_text="Someone already on the roster; leave empty for none.",
    )
    start_date = forms.DateField(widget=_DATE)
    end_date = forms.DateField(
        widget=_DATE, required=False, help_text="The last day worked; empty while employed."
    )
    status = forms.ChoiceField(
        choices=[("", "From the dates"), *PersonStatus.choices],
        required=False,
        help_text="A passed end date always means terminated.",
    )
    external_id = forms.CharField(label="HR id", max_length=120, required=False)

    def fields_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["status"] = data["status"] or None
        return data


def person_initial(person: Person) -> dict:
    return {
        "full_name": person.full_name,
        "work_email": person.work_email,
        "employment_type": person.employment_type,
        "department": person.department,
        "manager_email": person.manager.work_email if person.manager_id else "",
        "start_date": person.start_date,
        "end_date": person.end_date,
        "status": person.status,
        "external_id": person.external_id,
    }


class BackgroundCheckForm(forms.Form):
    status = forms.ChoiceField(choices=CheckStatus.choices)
    completed_on = forms.DateField(
        widget=_DATE, required=False, help_text="Required unless the check is pending."
    )
    provider = forms.CharField(max_length=120, required=False)
    reference = forms.CharField(
        max_length=200, required=False, help_text="The provider's report or case number."
    )


class TrainingForm(forms.Form):
    course_key = forms.SlugField(
        label="Course key", max_length=80, help_text="e.g. security-awareness-2026"
    )
    course_title = forms.CharField(max_length=200, required=False)
    completed_on = forms.DateField(widget=_DATE, required=False, help_text="Empty means today.")


class RosterForm(forms.Form):
    file = forms.FileField(help_text="A CSV (UTF-8) or XLSX file with the columns below.")


def add_domain_error(form: forms.Form, exc: DomainError) -> int:
    """Put a service's refusal on the field it names, or on the form; returns the status."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return exc.status
