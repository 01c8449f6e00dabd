from django.urls import path

from zgovern.frameworks import views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("adopt/", views.adopt, name="adopt"),
        path("upload/", views.upload, name="upload"),
        path("format/", views.file_format, name="format"),
        path("<int:framework_id>/", views.framework_detail, name="framework"),
        path("<int:framework_id>/scope/", views.scope, name="scope"),
        path("categories/<int:category_id>/scope/", views.category_scope, name="category_scope"),
        path(
            "criteria/<int:criterion_id>/applicability/",
            views.criterion_applicability,
            name="criterion_applicability",
        ),
        path("system/", views.system, name="system"),
        path("system/edit/", views.system_edit, name="system_edit"),
        path("system/diff/", views.system_diff, name="system_diff"),
        path("system/<int:system_description_id>/", views.system_version, name="system_version"),
    ],
    "frameworks",
)
