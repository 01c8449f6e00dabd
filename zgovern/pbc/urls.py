from django.urls import path

from zgovern.pbc import views

org_urlpatterns = (
    [
        path("", views.audits, name="audits"),
        path("audit/<int:audit_id>/", views.index, name="index"),
        path("audit/<int:audit_id>/new/", views.add, name="add"),
        path("audit/<int:audit_id>/import/", views.import_requests, name="import"),
        path("audit/<int:audit_id>/target/", views.target, name="target"),
        path("audit/<int:audit_id>/exceptions/", views.exceptions, name="exceptions"),
        path("audit/<int:audit_id>/exceptions/export/", views.export, name="export"),
        path("<int:request_id>/", views.detail, name="detail"),
        path("<int:request_id>/edit/", views.edit, name="edit"),
        path("<int:request_id>/answer/", views.answer, name="answer"),
        path("<int:request_id>/link/", views.link, name="link"),
        path("<int:request_id>/unlink/", views.unlink, name="unlink"),
        path("<int:request_id>/upload/", views.upload, name="upload"),
        path("<int:request_id>/start/", views.start, name="start"),
        path("<int:request_id>/decide/", views.decide, name="decide"),
        path("exceptions/<int:exception_id>/", views.exception, name="exception"),
    ],
    "pbc",
)
