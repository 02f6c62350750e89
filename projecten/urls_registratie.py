from django.urls import path

from projecten import registratie

app_name = "projectbeheer"

urlpatterns = [
    path("programmas/<slug:code>/projecten/nieuw", registratie.project_nieuw, name="project_nieuw"),
    path(
        "projecten/<int:project_id>/wijzigen", registratie.project_wijzigen, name="project_wijzigen"
    ),
    path("projecten/<int:project_id>/partners", registratie.partners, name="partners"),
    path("projecten/<int:project_id>/status", registratie.status, name="status"),
    path("projecten/<int:project_id>/doelen/nieuw", registratie.doel_nieuw, name="doel_nieuw"),
    path(
        "projecten/<int:project_id>/indicatoren/nieuw",
        registratie.indicator_nieuw,
        name="indicator_nieuw",
    ),
    path(
        "indicatoren/<int:indicator_id>/streefwaarden",
        registratie.streefwaarden,
        name="streefwaarden",
    ),
    path(
        "projecten/<int:project_id>/beschikkingen/nieuw",
        registratie.beschikking_nieuw,
        name="beschikking_nieuw",
    ),
    path("beschikkingen/<int:beschikking_id>/tranches", registratie.tranches, name="tranches"),
    path("projecten/<int:project_id>/begroting", registratie.begroting, name="begroting"),
]
