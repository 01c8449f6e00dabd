from django.urls import path

from zgovern.audits import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("new/", views.add, name="add"),
        path("signing-key/", views.signing_key, name="signing_key"),
        path("<int:audit_id>/", views.detail, name="detail"),
        path("<int:audit_id>/edit/", views.edit, name="edit"),
        path("<int:audit_id>/export/", views.export, name="export"),
        path("bundles/<int:bundle_id>/", views.bundle_status, name="bundle"),
        path("bundles/<int:bundle_id>/download/", views.download, name="download"),
    ],
    "audits",
)
