from django.urls import path

from zgovern.training import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("adopt/", views.adopt, name="adopt"),
        path("status/", views.status, name="status"),
        path("export/", views.export, name="export"),
        path("import/", views.import_completions, name="import"),
        path("<int:course_id>/", views.detail, name="detail"),
        path("<int:course_id>/edit/", views.edit, name="edit"),
    ],
    "training",
)
