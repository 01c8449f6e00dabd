from django.urls import path

from zgovern.people import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("new/", views.add, name="add"),
        path("import/", views.import_roster, name="import"),
        path("<int:person_id>/", views.detail, name="detail"),
        path("<int:person_id>/edit/", views.edit, name="edit"),
        path("<int:person_id>/background-checks/new/", views.background_check, name="check"),
        path("<int:person_id>/training/new/", views.training, name="training"),
    ],
    "people",
)
