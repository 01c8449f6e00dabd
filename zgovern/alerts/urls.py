from django.urls import path

from zgovern.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.index, name="index"),
    path("preferences/", views.preferences, name="preferences"),
    path("settings/", views.org_settings, name="settings"),
]
org_urlpatterns = (urlpatterns, app_name)
