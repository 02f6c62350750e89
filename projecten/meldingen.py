"""Who is told what by e-mail, and the e-mails themselves: the outcome of a review for
the partner organisation, a released tranche for the programme managers.

Composition only: the services in ``projecten.services`` decide when an e-mail goes out
and record that it did. Every e-mail has a Dutch plain-text body and an HTML body from
``templates/email/``; text that people typed is escaped in the HTML.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programma.models import Rol
from projecten.inzendingen import euro, omschrijving, project_van
from projecten.models import Beoordeelbaar, Beoordeling, Tranche


def _met_adres(gebruikers: Any) -> list[User]:
    """Active users with an e-mail address, each address once."""
    gezien: set[str] = set()
    resultaat = []
    for gebruiker in gebruikers:
        adres = gebruiker.email.strip().lower()
        if adres and adres not in gezien:
            gezien.add(adres)
            resultaat.append(gebruiker)
    return resultaat


def partnerontvangers(objecten: list[Beoordeelbaar]) -> list[User]:
    """Who hears the outcome of ``objecten``: the people with a partner role for the
    organisation that submitted them, and the people who submitted them."""
    organisaties = {o.ingediend_door_organisatie_id for o in objecten} - {None}
    indieners = {o.ingediend_door_id for o in objecten} - {None}
    return _met_adres(
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(
            Q(rollen__soort=Rol.Soort.PARTNER, rollen__organisatie_id__in=organisaties)
            | Q(pk__in=indieners)
        )
        .distinct()
        .order_by("email", "pk")
    )


def programmamanagers(programma_id: int) -> list[User]:
    return _met_adres(
        User.objects.filter(
            is_active=True,
            rollen__soort=Rol.Soort.PROGRAMMAMANAGER,
            rollen__programma_id=programma_id,
        )
        .exclude(email="")
        .distinct()
        .order_by("email", "pk")
    )


def _naam(gebruiker: User) -> str:
    return gebruiker.get_full_name() or gebruiker.get_username()


def _bericht(
    *, onderwerp: str, sjabloon: str, context: dict[str, Any], aan: User
) -> EmailMultiAlternatives:
    context = {**context, "naam": _naam(aan)}
    bericht = EmailMultiAlternatives(
        subject=onderwerp,
        body=render_to_string(f"email/{sjabloon}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[aan.email],
    )
    bericht.attach_alternative(render_to_string(f"email/{sjabloon}.html", context), "text/html")
    return bericht


@dataclass(frozen=True)
class Uitkomst:
    """One reviewed submission as the partner reads it."""

    wat: str
    programma: str
    goedgekeurd: bool
    uitkomst: str
    toelichting: str

    @property
    def ingesprongen(self) -> str:
        """The comment for the plain-text e-mail, every line under the item it belongs to."""
        return "\n  ".join(self.toelichting.splitlines())


def beoordelingsberichten(
    soort: str, objecten: list[Beoordeelbaar], ontvangers: list[User]
) -> list[EmailMultiAlternatives]:
    """One e-mail per recipient listing the outcome and the reviewer's comment per item."""
    with translation.override(settings.LANGUAGE_CODE):
        uitkomsten = [
            Uitkomst(
                wat=omschrijving(soort, obj),
                programma=project_van(soort, obj).programma.naam,
                goedgekeurd=obj.status == Beoordeling.GOEDGEKEURD,
                uitkomst=obj.get_status_display().lower(),  # type: ignore[attr-defined]
                toelichting=obj.beoordeling_toelichting,
            )
            for obj in objecten
        ]
        teruggestuurd = sum(not u.goedgekeurd for u in uitkomsten)
        if len(uitkomsten) == 1:
            onderwerp = _("Ontschot: %(wat)s is %(uitkomst)s") % {
                "wat": uitkomsten[0].wat,
                "uitkomst": uitkomsten[0].uitkomst,
            }
        else:
            onderwerp = _(
                "Ontschot: %(n)d inzendingen beoordeeld, %(goed)d goedgekeurd en %(terug)d teruggestuurd"
            ) % {
                "n": len(uitkomsten),
                "goed": len(uitkomsten) - teruggestuurd,
                "terug": teruggestuurd,
            }
        organisatie = objecten[0].ingediend_door_organisatie
        context = {
            "uitkomsten": uitkomsten,
            "teruggestuurd": teruggestuurd,
            "organisatie": organisatie.naam if organisatie else "",
        }
        return [
            _bericht(
                onderwerp=" ".join(onderwerp.split())[:200],
                sjabloon="beoordeling",
                context=context,
                aan=ontvanger,
            )
            for ontvanger in ontvangers
        ]


@dataclass(frozen=True)
class Vrijgave:
    """One released tranche as a programme manager reads it."""

    project: str
    beschikking: str
    volgnummer: int
    bedrag: str
    reden: str
    moment: str


def vrijgaveberichten(
    tranches: list[Tranche], ontvangers: list[User]
) -> list[EmailMultiAlternatives]:
    """One e-mail per programme manager listing each released tranche, why and when."""
    with translation.override(settings.LANGUAGE_CODE):
        vrijgaven = [
            Vrijgave(
                project=str(t.beschikking.project),
                beschikking=t.beschikking.kenmerk,
                volgnummer=t.volgnummer,
                bedrag=euro(t.bedrag),
                reden=t.vrijgave_reden,
                moment=f"{timezone.localtime(t.vrijgegeven_op):%d-%m-%Y %H:%M}"
                if t.vrijgegeven_op
                else "",
            )
            for t in tranches
        ]
        # Two sentences rather than one ngettext: the singular names the tranche and
        # its grant, the plural counts them, and gettext wants the same placeholders.
        if len(vrijgaven) == 1:
            onderwerp = _("Ontschot: tranche %(nr)d van %(beschikking)s is vrijgegeven") % {
                "nr": vrijgaven[0].volgnummer,
                "beschikking": vrijgaven[0].beschikking,
            }
        else:
            onderwerp = _("Ontschot: %(n)d tranches zijn vrijgegeven") % {"n": len(vrijgaven)}
        context = {
            "vrijgaven": vrijgaven,
            "programma": tranches[0].beschikking.project.programma.naam,
        }
        return [
            _bericht(
                onderwerp=" ".join(onderwerp.split())[:200],
                sjabloon="tranchevrijgave",
                context=context,
                aan=ontvanger,
            )
            for ontvanger in ontvangers
        ]
