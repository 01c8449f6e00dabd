from django.urls import path

from zgovern.changes import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
        path("export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
        path("<int:change_id>/", views.detail, name="detail"),
    ],
    "changes",
)
