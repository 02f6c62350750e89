from django.urls import path

from projecten import views

app_name = "projecten"

urlpatterns = [
    path("projecten", views.lijst, name="lijst"),
    path("projecten/<int:project_id>/metingen", views.metingen, name="metingen"),
    path(
        "projecten/<int:project_id>/metingen/sjabloon.xlsx",
        views.sjabloon,
        {"formaat": "xlsx"},
        name="sjabloon_xlsx",
    ),
    path(
        "projecten/<int:project_id>/metingen/sjabloon.csv",
        views.sjabloon,
        {"formaat": "csv"},
        name="sjabloon_csv",
    ),
]
