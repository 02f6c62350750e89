from django.urls import path

from rapportage import overzicht, views

app_name = "rapportage"

urlpatterns = [
    path("projecten", overzicht.lijst, name="projecten"),
    path("projecten/<int:project_id>", overzicht.project, name="project"),
    path("taken", views.taken, name="taken"),
    path("taken/<str:taak_id>/opnieuw", views.taak_herhalen, name="taak_opnieuw"),
    path("rapporten", views.rapporten_lijst, name="rapporten"),
    path("rapporten/<int:rapport_id>", views.rapport, name="rapport"),
    path("rapporten/<int:rapport_id>/publiceren", views.rapport_publiceren, name="publiceren"),
    path(
        "rapporten/<int:rapport_id>/<slug:formaat>",
        views.rapport_downloaden,
        name="downloaden",
    ),
]
