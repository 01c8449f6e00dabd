from django.urls import path

from zgovern.vendors import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("export.csv", views.export_csv, name="export_csv"),
        path("export.xlsx", views.export_xlsx, name="export_xlsx"),
        path("snapshot/", views.snapshot, name="snapshot"),
        path("cadence/", views.cadence, name="cadence"),
        path("new/", views.add, name="add"),
        path("<int:vendor_id>/", views.detail, name="detail"),
        path("<int:vendor_id>/edit/", views.edit, name="edit"),
        path("<int:vendor_id>/documents/new/", views.add_document, name="add_document"),
        path("<int:vendor_id>/assessments/new/", views.start_assessment, name="start"),
        path("assessments/<int:assessment_id>/", views.assessment, name="assessment"),
        path("assessments/<int:assessment_id>/answer/", views.answer, name="answer"),
        path("assessments/<int:assessment_id>/send/", views.send, name="send"),
        path("assessments/<int:assessment_id>/conclude/", views.conclude, name="conclude"),
        path("questionnaires/", views.questionnaire_list, name="questionnaires"),
        path("questionnaires/<slug:questionnaire_key>/", views.questionnaire, name="questionnaire"),
    ],
    "vendors",
)
