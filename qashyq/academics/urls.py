from django.urls import path

from . import views

app_name = "academics"

urlpatterns = [
    path("staff/import/", views.import_people, name="import"),
    path(
        "staff/import/template/<slug:kind>.<slug:fmt>",
        views.import_template,
        name="import_template",
    ),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("courses/<int:pk>/", views.offering_detail, name="offering_detail"),
]
