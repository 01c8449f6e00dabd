from django.urls import path

from zgovern.incidents import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("new/", views.add, name="add"),
        path("figures/", views.response_figures, name="figures"),
        path("severities/", views.severity_table, name="severities"),
        path("export.csv", views.export_csv, name="export_csv"),
        path("export.xlsx", views.export_xlsx, name="export_xlsx"),
        path("<int:incident_id>/", views.detail, name="detail"),
        path("<int:incident_id>/edit/", views.edit, name="edit"),
        path("<int:incident_id>/timeline/", views.add_timeline, name="timeline"),
    ],
    "incidents",
)
