from django.urls import path

from zgovern.effectiveness import views

app_name = "effectiveness"
urlpatterns = [
    path("", views.index, name="index"),
    path("widget/", views.widget, name="widget"),
    path("controls/<int:control_id>/timeline/", views.timeline, name="timeline"),
]
