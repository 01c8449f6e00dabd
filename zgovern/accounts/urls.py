from django.urls import path

from zgovern.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup, name="signup"),
    path("organizations/new/", views.new_organization, name="new_organization"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("security/", views.mfa_setup, name="security"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
