from django.urls import path

from programma import registratie

app_name = "programmabeheer"

# "programmas/<code>" is the programme dashboard, so a new programme lives at
# "programma-nieuw": "programmas/nieuw" would be taken for a programme coded "nieuw".
urlpatterns = [
    path("programma-nieuw", registratie.programma_nieuw, name="programma_nieuw"),
    path(
        "programmas/<slug:code>/wijzigen", registratie.programma_wijzigen, name="programma_wijzigen"
    ),
    path("programmas/<slug:code>/themas", registratie.themas, name="themas"),
    path("programmas/<slug:code>/budget", registratie.budget, name="budget"),
    path(
        "programmas/<slug:code>/focusgebieden/nieuw",
        registratie.focusgebied_nieuw,
        name="focusgebied_nieuw",
    ),
    path(
        "focusgebieden/<int:focusgebied_id>/wijzigen",
        registratie.focusgebied_wijzigen,
        name="focusgebied_wijzigen",
    ),
]
