from django.urls import path

from zgovern.risks import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("new/", views.add, name="add"),
        path("heat-map/", views.heat_map, name="heat_map"),
        path("scales/", views.scale_table, name="scales"),
        path("assessment/", views.assess, name="assess"),
        path("export.csv", views.export_csv, name="export_csv"),
        path("export.xlsx", views.export_xlsx, name="export_xlsx"),
        path("<int:risk_id>/", views.detail, name="detail"),
        path("<int:risk_id>/edit/", views.edit, name="edit"),
        path("<int:risk_id>/accept/", views.accept, name="accept"),
    ],
    "risks",
)
