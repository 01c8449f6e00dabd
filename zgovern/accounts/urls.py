from django.urls import path

from zgovern.accounts import views, views_security

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup, name="signup"),
    path("organizations/new/", views.new_organization, name="new_organization"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("mfa/setup/", views_security.mfa_setup, name="mfa_setup"),
    path("security/", views_security.security, name="security"),
    path(
        "security/recovery-codes/",
        views_security.regenerate_recovery_codes,
        name="regenerate_recovery_codes",
    ),
    path("security/mfa/remove/", views_security.remove_mfa, name="remove_mfa"),
    path("security/password/", views_security.change_password, name="change_password"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
