from django.urls import path

from zgovern.monitoring import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("checks/<str:check_id>/", views.check, name="check"),
        path("resources/", views.resources, name="resources"),
        path("resources/<int:resource_id>/", views.resource, name="resource"),
        path("runs/", views.runs, name="runs"),
        path("runs/<int:run_id>/", views.run, name="run"),
        path("import/", views.import_findings, name="import"),
    ],
    "monitoring",
)
