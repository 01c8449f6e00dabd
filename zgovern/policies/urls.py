from django.urls import path

from zgovern.policies import views

V = "versions/<int:version_id>/"
org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("adopt/", views.adopt, name="adopt"),
        path("library.pdf", views.library_pdf, name="library_pdf"),
        path("acknowledgements/", views.matrix, name="matrix"),
        path("acknowledgements.csv", views.matrix_csv, name="matrix_csv"),
        path("reviews/flag/", views.flag_reviews, name="flag_reviews"),
        path("checks/", views.enable_checks, name="enable_checks"),
        path("<int:policy_id>/", views.detail, name="detail"),
        path("<int:policy_id>/settings/", views.policy_settings, name="settings"),
        path("<int:policy_id>/versions/new/", views.new_version, name="new_version"),
        path(V, views.version, name="version"),
        path(V + "edit/", views.edit, name="edit"),
        path(V + "diff/", views.diff, name="diff"),
        path(V + "pdf/", views.version_pdf, name="version_pdf"),
        path(V + "submit/", views.submit, name="submit"),
        path(V + "return/", views.send_back, name="return"),
        path(V + "approve/", views.approve, name="approve"),
        path(V + "publish/", views.publish, name="publish"),
        path(V + "retire/", views.retire, name="retire"),
        path(V + "paper/", views.paper, name="paper"),
    ],
    "policies",
)
