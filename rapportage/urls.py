from django.urls import path

from rapportage import views

app_name = "rapportage"

urlpatterns = [
    path("taken", views.taken, name="taken"),
    path("taken/<str:taak_id>/opnieuw", views.taak_herhalen, name="taak_opnieuw"),
]
