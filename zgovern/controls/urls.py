from django.urls import path

from zgovern.controls import plan_views, views

org_urlpatterns = (
    [
        path("", views.index, name="index"),
        path("new/", views.create, name="create"),
        path("<int:control_id>/", views.detail, name="detail"),
        path("<int:control_id>/edit/", views.edit, name="edit"),
        path("<int:control_id>/owner/", views.set_owner, name="set_owner"),
        path("<int:control_id>/override/", views.set_override, name="set_override"),
        path("<int:control_id>/override/clear/", views.clear_override, name="clear_override"),
        path("<int:control_id>/checks/", views.add_check, name="add_check"),
        path("<int:control_id>/checks/remove/", views.remove_check, name="remove_check"),
        path("<int:control_id>/policies/", views.add_policy, name="add_policy"),
        path("<int:control_id>/policies/remove/", views.remove_policy, name="remove_policy"),
        path("<int:control_id>/requirements/", views.add_requirement, name="add_requirement"),
        path(
            "requirements/<int:requirement_id>/",
            views.edit_requirement,
            name="edit_requirement",
        ),
        path(
            "requirements/<int:requirement_id>/remove/",
            views.remove_requirement,
            name="remove_requirement",
        ),
        path("<int:control_id>/criteria/", views.map_criterion, name="map_criterion"),
        path("<int:control_id>/criteria/remove/", views.unmap_criterion, name="unmap_criterion"),
        path("<int:control_id>/evidence/", views.link_evidence, name="link_evidence"),
        path("<int:control_id>/evidence/remove/", views.unlink_evidence, name="unlink_evidence"),
        path("<int:control_id>/evidence/add/", views.add_evidence, name="add_evidence"),
        path("plan/", plan_views.plan, name="plan"),
        path("plan.csv", plan_views.plan_csv, name="plan_csv"),
        path("plan.xlsx", plan_views.plan_xlsx, name="plan_xlsx"),
        path("plan/generate/", plan_views.generate, name="generate"),
        path("tasks/new/", plan_views.task_new, name="task_new"),
        path("tasks/<int:task_id>/", plan_views.task, name="task"),
        path("tasks/<int:task_id>/status/", plan_views.task_status, name="task_status"),
    ],
    "controls",
)
