from django.urls import path

from zgovern.fieldwork import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("access-log/", views.access_log, name="access_log"),
        path("<int:audit_id>/", views.workspace, name="workspace"),
        path("<int:audit_id>/controls/<int:control_id>/", views.control, name="control"),
        path("<int:audit_id>/evidence/<int:evidence_id>/", views.evidence, name="evidence"),
        path(
            "<int:audit_id>/evidence/<int:evidence_id>/file/",
            views.evidence_file,
            name="evidence_file",
        ),
        path(
            "<int:audit_id>/populations/<slug:population>/",
            views.population,
            name="population",
        ),
        path("<int:audit_id>/samples/<int:sample_id>/", views.sample, name="sample"),
        path("<int:audit_id>/comments/", views.comment, name="comment"),
        path("<int:audit_id>/auditors/", views.grants, name="grants"),
        path(
            "<int:audit_id>/auditors/<int:grant_id>/revoke/",
            views.revoke_grant,
            name="revoke_grant",
        ),
    ],
    "fieldwork",
)

# So the organisation's routes can include this module by name.
urlpatterns, app_name = org_urlpatterns
