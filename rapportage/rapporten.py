"""Services of the accountability reports: ask for one, make it in the background,
publish it, tell the ministry, and record every download.

Flow. :func:`rapport_aanvragen` records the request and queues
``rapportage.tasks.rapport_maken`` on commit, so the person who asked gets the report's
id at once. The task (:func:`rapport_maken`) freezes the data into the report's snapshot
the first time it runs and keeps it: a retry, or a report made again after a crash,
renders the same snapshot. It then renders the PDF with WeasyPrint (progress in percent
on the report while it runs) and stores it privately under a fixed name, with its
SHA-256, so a second run replaces the file instead of adding one.

Publishing makes a finished report visible to the programme's ministry staff and to its
partners' report keys, and queues the e-mail to the ministry (sent once, recorded with
``gemeld_op``). Downloads of every kind (PDF, XLSX, CSV, SiSa) leave an audit row.
"""

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from programma import tabelbestanden
from programma.audit import Actor, registreer
from programma.models import Focusgebied, Organisatie, Programma, Rol
from programma.perioden import parse_periode
from programma.wachtrij import na_commit
from projecten.models import Project
from rapportage import exports, momentopname
from rapportage.models import Rapport, pdf_pad
from rapportage.pdf import moment_van

logger = logging.getLogger("ontschot.rapporten")

MAKEN = "rapportage.tasks.rapport_maken"
MELDEN = "rapportage.tasks.publicatie_melden"
# A report "in the making" for longer than this has lost its worker: it is queued again.
VERWEESD_NA = timedelta(minutes=int(getattr(settings, "RAPPORT_VERWEESD_MINUTEN", 30)))

FORMATEN = {
    "pdf": ("application/pdf", "pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("application/zip", "csv.zip"),
    "sisa": ("text/csv; charset=utf-8", "sisa.csv"),
}


# --- asking ----------------------------------------------------------------------------


@transaction.atomic
def rapport_aanvragen(
    *,
    actor: Actor,
    soort: str,
    programma: Programma,
    jaar: int | None = None,
    focusgebied: Focusgebied | None = None,
    project: Project | None = None,
    periode: str | None = None,
    organisatie: Organisatie | None = None,
) -> Rapport:
    """Record a request for a report and queue its making. Raises ValidationError (Dutch,
    per field) for a kind, year, area, project or period that does not fit."""
    fouten: dict[str, str] = {}
    if soort not in Rapport.Soort.values:
        raise ValidationError(
            {"soort": "Kies jaarverantwoording, gebiedsrapportage of projectrapportage."}
        )
    if soort in (Rapport.Soort.JAARVERANTWOORDING, Rapport.Soort.GEBIEDSRAPPORTAGE):
        if jaar is None:
            fouten["jaar"] = "Kies een jaar."
        elif not programma.startjaar <= jaar <= programma.eindjaar:
            fouten["jaar"] = (
                f"Jaar {jaar} ligt buiten de programmaperiode "
                f"{programma.startjaar}–{programma.eindjaar}."
            )
        periode = str(jaar)
        project = None
        if soort == Rapport.Soort.GEBIEDSRAPPORTAGE:
            if focusgebied is None:
                fouten["focusgebied"] = "Kies een focusgebied."
            elif focusgebied.programma_id != programma.pk:
                fouten["focusgebied"] = "Dit focusgebied hoort bij een ander programma."
        else:
            focusgebied = None
    else:
        focusgebied = None
        if project is None:
            fouten["project"] = "Kies een interventie."
        elif project.programma_id != programma.pk:
            fouten["project"] = "Deze interventie hoort bij een ander programma."
        if not periode:
            fouten["periode"] = "Kies een periode, bijvoorbeeld 2025 of 2025-K2."
        else:
            try:
                parse_periode(periode)
                if project is not None:
                    project.valideer_periode(periode)
            except ValidationError as fout:
                fouten["periode"] = " ".join(fout.messages)
    if fouten:
        raise ValidationError(fouten)
    assert periode is not None
    rapport = Rapport.objects.create(
        soort=soort,
        programma=programma,
        focusgebied=focusgebied,
        project=project,
        periode=periode,
        gevraagd_door=actor.gebruiker,
        gevraagd_door_organisatie=organisatie,
    )
    registreer(
        actor=actor,
        actie="rapport_aanvragen",
        obj=rapport,
        na={"soort": soort, "programma": programma.code, "periode": periode},
    )
    na_commit(MAKEN, rapport.pk)
    return rapport


# --- making ----------------------------------------------------------------------------


def momentopname_maken(rapport: Rapport) -> dict[str, Any]:
    """Freeze the data of ``rapport`` as it is now."""
    if rapport.soort == Rapport.Soort.JAARVERANTWOORDING:
        return momentopname.jaarverantwoording(
            programma=rapport.programma, jaar=int(rapport.periode)
        )
    if rapport.soort == Rapport.Soort.GEBIEDSRAPPORTAGE:
        assert rapport.focusgebied is not None
        return momentopname.gebiedsrapportage(
            programma=rapport.programma, focusgebied=rapport.focusgebied, jaar=int(rapport.periode)
        )
    assert rapport.project is not None
    return momentopname.projectrapportage(project=rapport.project, periode=rapport.periode)


def _voortgang(rapport_id: int, procent: int) -> None:
    Rapport.objects.filter(pk=rapport_id, status=Rapport.Status.BEZIG).update(voortgang=procent)


def rapport_maken(*, rapport_id: int) -> Rapport | None:
    """Make the report: freeze (once), render, store. Safe to run twice: a finished
    report is left alone; an unfinished one is made again from the same snapshot and its
    PDF replaced, so exactly one PDF exists. Returns None for an unknown id."""
    from rapportage.pdf import pdf_maken

    systeem = Actor.systeem("rapportage")
    with transaction.atomic():
        rapport = (
            Rapport.objects.select_for_update(of=("self",))
            .select_related("programma", "focusgebied", "project")
            .filter(pk=rapport_id)
            .first()
        )
        if rapport is None or rapport.status == Rapport.Status.KLAAR:
            return rapport
        rapport.status = Rapport.Status.BEZIG
        rapport.bezig_sinds = timezone.now()
        rapport.pogingen += 1
        rapport.voortgang = 5
        rapport.foutmelding = ""
        rapport.save(
            update_fields=["status", "bezig_sinds", "pogingen", "voortgang", "foutmelding"]
        )
    try:
        if rapport.momentopname is None:
            gegevens = momentopname_maken(rapport)
            with transaction.atomic():
                # Frozen once: a concurrent run that froze first wins, and both render that.
                Rapport.objects.filter(pk=rapport.pk, momentopname__isnull=True).update(
                    momentopname=gegevens,
                    gegevens_sha256=gegevens["gegevenshash"],
                    voortgang=20,
                )
            rapport.refresh_from_db(fields=["momentopname", "gegevens_sha256"])
        assert rapport.momentopname is not None
        pk = rapport.pk
        uitkomst = pdf_maken(rapport.momentopname, voortgang=lambda p: _voortgang(pk, min(p, 95)))
        with transaction.atomic():
            rapport = (
                Rapport.objects.select_for_update(of=("self",))
                .defer("momentopname")
                .get(pk=rapport.pk)
            )
            if rapport.status == Rapport.Status.KLAAR:
                return rapport
            naam = f"{rapport.bestandsnaam}.pdf"
            opslag = rapport.pdf.storage
            pad = pdf_pad(rapport, naam)
            if opslag.exists(pad):
                opslag.delete(pad)
            rapport.pdf.save(naam, ContentFile(uitkomst.pdf), save=False)
            rapport.sha256 = uitkomst.sha256
            rapport.paginas = uitkomst.paginas
            rapport.status = Rapport.Status.KLAAR
            rapport.voortgang = 100
            rapport.gemaakt_op = timezone.now()
            # Not the snapshot again: it was stored once, when it was frozen.
            rapport.save(
                update_fields=["pdf", "sha256", "paginas", "status", "voortgang", "gemaakt_op"]
            )
            registreer(
                actor=systeem,
                actie="rapport_gemaakt",
                obj=rapport,
                na={
                    "sha256": rapport.sha256,
                    "gegevens_sha256": rapport.gegevens_sha256,
                    "paginas": rapport.paginas,
                },
            )
        return rapport
    except Exception as fout:
        Rapport.objects.filter(pk=rapport_id).exclude(status=Rapport.Status.KLAAR).update(
            status=Rapport.Status.MISLUKT, foutmelding=f"{type(fout).__name__}: {fout}"[:2000]
        )
        raise


def verweesde_rapporten_opnieuw() -> list[int]:
    """Queue again every report that has been 'in the making' for longer than a worker
    can take (its worker died) or was asked for and never picked up."""
    grens = timezone.now() - VERWEESD_NA
    ids = list(
        Rapport.objects.filter(status=Rapport.Status.BEZIG, bezig_sinds__lt=grens).values_list(
            "pk", flat=True
        )
    ) + list(
        Rapport.objects.filter(status=Rapport.Status.GEVRAAGD, gevraagd_op__lt=grens).values_list(
            "pk", flat=True
        )
    )
    from programma.wachtrij import in_wachtrij

    for pk in ids:
        in_wachtrij(MAKEN, pk)
    return ids


# --- publishing ------------------------------------------------------------------------


@transaction.atomic
def rapport_publiceren(*, actor: Actor, rapport: Rapport) -> Rapport:
    rapport = (
        Rapport.objects.select_for_update(of=("self",)).defer("momentopname").get(pk=rapport.pk)
    )
    if rapport.status != Rapport.Status.KLAAR:
        raise ValidationError("Alleen een rapport dat klaar is, kan worden gepubliceerd.")
    if rapport.gepubliceerd_op is not None:
        raise ValidationError("Dit rapport is al gepubliceerd.")
    rapport.gepubliceerd_op = timezone.now()
    rapport.gepubliceerd_door = actor.gebruiker
    rapport.save(update_fields=["gepubliceerd_op", "gepubliceerd_door"])
    registreer(
        actor=actor,
        actie="rapport_publiceren",
        obj=rapport,
        na={"gepubliceerd_op": rapport.gepubliceerd_op.isoformat(), "sha256": rapport.sha256},
    )
    na_commit(MELDEN, rapport.pk)
    return rapport


def ministerie_ontvangers(programma: Programma) -> list[str]:
    """The e-mail addresses of the programme's ministry staff and its configured report
    recipients, each once, in a fixed order."""
    adressen = [
        e.strip().lower()
        for e in User.objects.filter(
            is_active=True, rollen__soort=Rol.Soort.MINISTERIE, rollen__programma=programma
        )
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    ]
    adressen += [r.strip().lower() for r in programma.rapportontvangers.splitlines() if r.strip()]
    return list(dict.fromkeys(adressen))


def publicatie_melden(*, rapport_id: int) -> int:
    """E-mail the programme's ministry staff that a report was published, with a link.
    Once: the report row is locked while sending and ``gemeld_op`` records it; a failed
    send rolls back, so the retry sends it."""
    with transaction.atomic():
        rapport = (
            Rapport.objects.select_for_update(of=("self",))
            .select_related("programma", "focusgebied", "project")
            .defer("momentopname")
            .filter(pk=rapport_id, gepubliceerd_op__isnull=False)
            .first()
        )
        if rapport is None or rapport.gemeld_op is not None:
            return 0
        ontvangers = ministerie_ontvangers(rapport.programma)
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "rapport": rapport,
                "titel": str(rapport),
                "link": settings.BASIS_URL + reverse("rapportage:rapport", args=[rapport.pk]),
            }
            berichten = []
            for adres in ontvangers:
                onderwerp = (
                    f"Ontschot: {rapport.get_soort_display().lower()} "
                    f"{rapport.programma.naam} {rapport.periode} gepubliceerd"
                )
                bericht = EmailMultiAlternatives(
                    # One header line, whatever line breaks were typed into the name.
                    subject=" ".join(onderwerp.split())[:200],
                    body=render_to_string("email/rapport_gepubliceerd.txt", context),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[adres],
                )
                bericht.attach_alternative(
                    render_to_string("email/rapport_gepubliceerd.html", context), "text/html"
                )
                berichten.append(bericht)
        rapport.gemeld_op = timezone.now()
        rapport.save(update_fields=["gemeld_op"])
        registreer(
            actor=Actor.systeem("rapportage"),
            actie="rapport_gemeld",
            obj=rapport,
            na={"ontvangers": ontvangers},
        )
        if berichten:
            get_connection().send_messages(berichten)
        return len(berichten)


# --- downloads -------------------------------------------------------------------------


def bestand(rapport: Rapport, formaat: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of a finished report in ``formaat``: the PDF as
    stored, or an export of its snapshot."""
    if formaat not in FORMATEN or rapport.status != Rapport.Status.KLAAR:
        raise ValidationError("Dit bestand bestaat niet.")
    soort, extensie = FORMATEN[formaat]
    naam = f"{rapport.bestandsnaam}.{extensie}"
    gegevens = rapport.momentopname or {}
    moment = moment_van(gegevens)
    if formaat == "pdf":
        with rapport.pdf.open("rb") as f:
            return f.read(), soort, naam
    tabellen = list(gegevens["tabellen"].values())
    if formaat == "xlsx":
        return (
            tabelbestanden.xlsx_bytes(tabellen, titel=gegevens["titel"], moment=moment),
            soort,
            naam,
        )
    if formaat == "csv":
        return tabelbestanden.zip_csv(tabellen, moment=moment), soort, naam
    return exports.sisa_csv(sisa_rijen(gegevens)), soort, naam


def sisa_rijen(gegevens: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per grant for the SiSa-style CSV, from the snapshot's grant table."""
    t = gegevens["tabellen"]["financien_beschikkingen"]
    kol = {k["naam"]: i for i, k in enumerate(t["kolommen"])}
    jaar = int(gegevens["periode"][:4])
    return [
        {
            "regeling": r[kol["regeling"]],
            "kenmerk": r[kol["kenmerk"]],
            "ontvanger": r[kol["ontvanger"]],
            "gemeentecode": r[kol["gemeentecode"]],
            "jaar": jaar,
            "verleend": r[kol["verleend"]],
            "ontvangen": r[kol["ontvangen"]],
            "besteed_jaar": r[kol["besteed_jaar"]],
            "besteed_cumulatief": r[kol["besteed_cumulatief"]],
            "overloop": r[kol["overloop"]],
            "eindverantwoording": bool(r[kol["eindverantwoording"]]),
        }
        for r in t["rijen"]
    ]


def download_vastleggen(*, actor: Actor, rapport: Rapport, formaat: str) -> None:
    """Every download of a report leaves an audit row: who, which report, which file."""
    with transaction.atomic():
        registreer(
            actor=actor,
            actie="rapport_downloaden",
            obj=rapport,
            na={"formaat": formaat, "sha256": rapport.sha256},
        )
