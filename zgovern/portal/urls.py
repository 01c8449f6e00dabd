from django.urls import path

from zgovern.portal import views

org_urlpatterns = (
    [
        path("policies/<int:version_id>/", views.policy, name="policy"),
        path("training/<int:course_id>/", views.course, name="course"),
        path("training/<int:course_id>/certificate/", views.certificate, name="certificate"),
    ],
    "portal",
)
