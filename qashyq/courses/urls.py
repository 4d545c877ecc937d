from django.urls import path

from . import views, views_consultations, views_offline

app_name = "courses"

urlpatterns = [
    path("courses/<int:pk>/offline/", views_offline.offline_page, name="offline_page"),
    path("courses/<int:pk>/offline.zip", views_offline.offline_package, name="offline_package"),
    path(
        "courses/<int:pk>/offline/settings/",
        views_offline.offline_settings,
        name="offline_settings",
    ),
    path(
        "courses/<int:pk>/consultations/",
        views_consultations.consultations_page,
        name="consultations",
    ),
    path(
        "courses/<int:pk>/consultations.ics",
        views_consultations.consultations_ics,
        name="consultations_ics",
    ),
    path(
        "courses/<int:pk>/consultations/<slug:action>/",
        views_consultations.consultations_action,
        name="consultations_action",
    ),
    path("courses/<int:pk>/materials/", views.course_materials, name="materials"),
    path(
        "courses/<int:pk>/materials/<int:material_pk>/completion/",
        views.material_completion,
        name="material_completion",
    ),
    path(
        "courses/<int:pk>/materials/<int:material_pk>/<str:field>/",
        views.course_material_file,
        name="material_file",
    ),
    path(
        "courses/<int:pk>/components/<int:component_pk>/file/",
        views.course_component_file,
        name="component_file",
    ),
    path("courses/<int:pk>/eumk/start/", views.eumk_start, name="eumk_start"),
    path(
        "eumk/components/<int:component_pk>/file/",
        views.eumk_component_file,
        name="eumk_component_file",
    ),
    path("eumk/review/", views.review_queue, name="review_queue"),
    path("eumk/completeness/", views.completeness, name="completeness"),
    path("eumk/versions/<int:version_pk>/review/", views.review_decide, name="review_decide"),
    path("eumk/<int:pk>/", views.eumk_detail, name="eumk_detail"),
    path("eumk/<int:pk>/<slug:action>/", views.eumk_action, name="eumk_action"),
    path(
        "eumk/materials/<int:material_pk>/<str:field>/",
        views.eumk_material_file,
        name="eumk_material_file",
    ),
]
