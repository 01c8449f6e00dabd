from django.urls import path

from zgovern.identity import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("import/", views.import_accounts, name="import"),
        path("settings/", views.identity_settings, name="settings"),
        path("workforce-checks/", views.workforce, name="workforce"),
        path("<int:account_id>/", views.detail, name="detail"),
        path("<int:account_id>/link/", views.link, name="link"),
        path("<int:account_id>/unlink/", views.unlink, name="unlink"),
        path("<int:account_id>/service/", views.mark_service, name="service"),
        path("<int:account_id>/not-service/", views.unmark_service, name="unservice"),
        path("people/<int:person_id>/aliases/", views.add_alias, name="alias_add"),
        path("aliases/<int:alias_id>/delete/", views.remove_alias, name="alias_remove"),
    ],
    "identity",
)
