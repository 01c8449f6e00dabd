from django.urls import path

from zgovern.evidence import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("upload/", views.upload, name="upload"),
        path("links/new/", views.add_link, name="add_link"),
        path("<int:evidence_id>/", views.detail, name="detail"),
        path("<int:evidence_id>/download/", views.download, name="download"),
        path("<int:evidence_id>/correct/", views.correct, name="correct"),
    ],
    "evidence",
)
