"""Routes of the sign-in link, outside any organisation (mounted at
``/account/sign-in-link/``)."""

from django.urls import path

from zgovern.portal import signin_views

app_name = "signin"

urlpatterns = [
    path("", signin_views.request_link, name="request"),
    path("<str:token>/", signin_views.use_link, name="use"),
]
