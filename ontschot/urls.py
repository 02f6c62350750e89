from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ontschot import gezondheid
from ontschot import views as ontschot_views
from ontschot.api import api
from rapportage import overzicht

admin.site.site_header = "Ontschot beheer"
admin.site.site_title = "Ontschot"
admin.site.index_title = "Beheer van programma's, projecten en toegang"

urlpatterns = [
    path("", overzicht.overzicht, name="overzicht"),
    path("programmas/<slug:code>", overzicht.programma, name="programma"),
    path("", include("projecten.urls")),
    path("", include("programma.urls_registratie")),
    path("", include("projecten.urls_registratie")),
    path("", include("projecten.urls_partner")),
    path("", include("rapportage.urls")),
    path("inloggen", auth_views.LoginView.as_view(template_name="inloggen.html"), name="login"),
    path("uitloggen", auth_views.LogoutView.as_view(), name="logout"),
    path("toegankelijkheid", ontschot_views.toegankelijkheid, name="toegankelijkheid"),
    path("gezondheid", gezondheid.leeft, name="gezondheid"),
    path("gezondheid/gereed", gezondheid.gereed, name="gezondheid-gereed"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
    path("api/v1/", api.urls),
]
