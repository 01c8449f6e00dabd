from django.urls import path

from zgovern.tenancy import views

org_urlpatterns = (
    [
        path("", views.settings_page, name="settings"),
        path("members/", views.members_page, name="members"),
        path("members/<int:member_id>/role/", views.change_role, name="member_role"),
        path("members/<int:member_id>/remove/", views.remove_member, name="member_remove"),
        path("invitations/", views.invite, name="invite"),
        path(
            "invitations/<int:invitation_id>/revoke/",
            views.revoke_invitation,
            name="invitation_revoke",
        ),
        path("tokens/", views.tokens_page, name="tokens"),
        path("tokens/<int:token_id>/revoke/", views.revoke_token, name="token_revoke"),
        path("activity/", views.activity_page, name="activity"),
    ],
    "tenancy",
)
