from django.urls import path

from zgovern.findings import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("scan/", views.run, name="run"),
        path("settings/", views.settings, name="settings"),
        path("summary/", views.summary, name="summary"),
        path("export.csv", views.export_csv, name="export_csv"),
        path("export.xlsx", views.export_xlsx, name="export_xlsx"),
        path("export.pdf", views.export_pdf, name="export_pdf"),
        path("<int:finding_id>/", views.detail, name="detail"),
    ],
    "findings",
)

# So that the organisation's URLs can mount this module with include("zgovern.findings.urls").
urlpatterns, app_name = org_urlpatterns
