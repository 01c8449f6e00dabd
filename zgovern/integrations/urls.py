from django.urls import path

from zgovern.integrations import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("new/", views.add, name="add"),
        path("built-in/", views.builtins, name="builtins"),
        path("<int:integration_id>/", views.detail, name="detail"),
        path("<int:integration_id>/edit/", views.edit, name="edit"),
        path("<int:integration_id>/credentials/", views.credentials, name="credentials"),
        path("<int:integration_id>/test/", views.test_connection, name="test"),
        path("<int:integration_id>/run/", views.run_now, name="run"),
        path("<int:integration_id>/delete/", views.delete, name="delete"),
    ],
    "integrations",
)
