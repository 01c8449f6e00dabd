from django.urls import path

from zgovern.readiness import views

org_urlpatterns = (
    [
        path("report/", views.report, name="report"),
        path("report.pdf", views.report_pdf, name="report_pdf"),
        path("report.xlsx", views.report_xlsx, name="report_xlsx"),
    ],
    "readiness",
)
