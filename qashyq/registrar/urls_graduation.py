"""URLs of the graduation pages (included by registrar.urls under the same namespace)."""

from django.urls import path, re_path

from .views import graduation as views

urlpatterns: list = [
    path("graduation/", views.graduation_index, name="graduation_index"),
    path("graduation/me/", views.graduation_mine, name="graduation_mine"),
    path(
        "students/<int:student_id>/graduation/",
        views.graduation_student,
        name="graduation_student",
    ),
    path(
        "graduation/programs/<int:program_id>/events/",
        views.attestation_events,
        name="attestation_events",
    ),
    path(
        "graduation/programs/<int:program_id>/events/new/",
        views.attestation_event_create,
        name="attestation_event_create",
    ),
    path(
        "graduation/events/<int:pk>/edit/",
        views.attestation_event_edit,
        name="attestation_event_edit",
    ),
    path(
        "graduation/events/<int:pk>/results/",
        views.attestation_results,
        name="attestation_results",
    ),
    path(
        "graduation/events/<int:pk>/results/<int:student_id>/",
        views.attestation_result_record,
        name="attestation_result_record",
    ),
    path(
        "graduation/programs/<int:program_id>/graduates/",
        views.graduation_graduates,
        name="graduation_graduates",
    ),
    re_path(
        r"^graduation/programs/(?P<program_id>[0-9]+)/graduates\.(?P<fmt>xlsx|csv)$",
        views.graduation_graduates_export,
        name="graduation_graduates_export",
    ),
    path(
        "graduation/programs/<int:program_id>/graduates/order/",
        views.graduation_order_draft,
        name="graduation_order_draft",
    ),
]
