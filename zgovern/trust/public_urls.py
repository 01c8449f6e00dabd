"""The public Trust Center, mounted at ``/trust/`` outside ``/o/<slug>/`` (no account)."""

from django.urls import path

from zgovern.trust import public

app_name = "trust"

urlpatterns = [
    path("<slug:org_slug>/", public.page, name="page"),
    path("<slug:org_slug>/request/", public.request_report, name="request"),
    path("<slug:org_slug>/report/<str:token>/", public.report, name="report"),
    path("<slug:org_slug>/report/<str:token>/download/", public.download, name="download"),
]
