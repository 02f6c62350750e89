from django.urls import path

from projecten import views

app_name = "projecten"

urlpatterns = [
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
    path("beoordelen", views.beoordelen, name="beoordelen"),
    path("beoordelen/<slug:soort>/<int:pk>", views.inzending, name="inzending"),
    path("vergrendelingen", views.vergrendelingen, name="vergrendelingen"),
    path("vergrendelingen/<int:pk>/ontgrendelen", views.ontgrendelen, name="ontgrendelen"),
]
