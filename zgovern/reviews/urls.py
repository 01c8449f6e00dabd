from django.urls import path

from zgovern.reviews import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("new/", views.add, name="add"),
        path("<int:campaign_id>/", views.detail, name="detail"),
        path("<int:campaign_id>/complete/", views.complete, name="complete"),
        path("<int:campaign_id>/exceptions/", views.exceptions, name="exceptions"),
        path("<int:campaign_id>/verify/", views.verify, name="verify"),
        path("<int:campaign_id>/export.csv", views.export_csv, name="export_csv"),
        path("<int:campaign_id>/export.xlsx", views.export_xlsx, name="export_xlsx"),
        path("items/<int:item_id>/decide/", views.decide, name="decide"),
    ],
    "reviews",
)
