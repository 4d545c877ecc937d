"""URLs of the registrar's iup pages (included by registrar.urls under the same namespace)."""

from django.urls import path

from .views import iup as views

urlpatterns: list = [
    path("iup/", views.iup_mine, name="iup_mine"),
    path("iup/start/", views.iup_start, name="iup_start"),
    path("iup/queue/", views.iup_queue, name="iup_queue"),
    path("iup/enrol/", views.iup_enrol_program, name="iup_enrol_program"),
    path("iup/programs/<int:program_id>/", views.iup_program_plan, name="iup_program_plan"),
    path("iup/<int:plan_id>/", views.iup_plan, name="iup_plan"),
    path("iup/<int:plan_id>/electives/", views.iup_electives, name="iup_electives"),
    path("iup/<int:plan_id>/submit/", views.iup_submit, name="iup_submit"),
    path("iup/<int:plan_id>/decide/", views.iup_decide, name="iup_decide"),
    path("iup/<int:plan_id>/reopen/", views.iup_reopen, name="iup_reopen"),
    path("iup/<int:plan_id>/enrol/", views.iup_enrol, name="iup_enrol"),
    path("iup/<int:plan_id>/schedule/", views.iup_schedule, name="iup_schedule"),
]
