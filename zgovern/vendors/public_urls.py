"""The vendor's assessment link, mounted outside ``/o/<slug>/`` (no account needed)."""

from django.urls import path

from zgovern.vendors import public

urlpatterns = [
    path("<str:token>/", public.assessment_link, name="vendor_assessment_link"),
]
