"""Forms and pages with which programme managers set up programmes and focus areas.

The first half is shared by every registration form of Ontschot (also those in
``projecten.registratie``): Dutch number input, fields rendered with the NL Design System
classes and their errors wired to the input, and service errors mapped onto the form so
that a refused change shows where it went wrong and saves nothing.
"""

import csv
import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.boundfield import BoundField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from programma import services
from programma.audit import Actor
from programma.fouten import Conflict, NietGevonden
from programma.models import Budgetenvelop, Focusgebied, Organisatie, Programma, Rol, Thema
from programma.opmaak import nl_bedrag
from programma.selectors import beheerde_programmas, is_beheerder, is_programmabeheer
from programma.tabeldownload import downloaden
from programma.tabellen import Kolom, bedrag, tabel

T = TypeVar("T")
CENT = Decimal("0.01")

# --- Dutch numbers ------------------------------------------------------------------------

# Ontschot reads numbers the Dutch way: a comma separates the decimals and a dot only
# groups thousands, so "12.500,00", "12500,00" and "12500" are the same amount. A dot is
# never a decimal point: "12500.00" is refused with a hint rather than guessed at, since
# "12.500" would then mean two different things.
_GETAL = re.compile(
    r"(?P<min>-)?(?P<geheel>[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,(?P<decimalen>[0-9]+))?"
)


def lees_getal(tekst: str, *, decimalen: int, negatief: bool = True) -> Decimal:
    """The Decimal that ``tekst`` writes in Dutch notation; a ValidationError in Dutch when
    it is no such number, has more than ``decimalen`` decimals, or is negative when that is
    not allowed. A euro sign and spaces are ignored."""
    schoon = re.sub(r"[\s€]", "", tekst).replace("\u2212", "-")
    gevonden = _GETAL.fullmatch(schoon)
    if gevonden is None:
        if re.fullmatch(r"-?[0-9.]*\.[0-9]{1,2}", schoon) or schoon.count(",") > 1:
            raise ValidationError(
                _(
                    "Gebruik een komma voor decimalen en eventueel punten voor duizendtallen, bijvoorbeeld 12.500,50."
                ),
                code="notatie",
            )
        raise ValidationError(_("Vul een getal in, bijvoorbeeld 12.500,50."), code="geen_getal")
    achter = gevonden["decimalen"] or ""
    if len(achter) > decimalen:
        if decimalen == 2:
            raise ValidationError(
                _("Een bedrag heeft hoogstens twee decimalen (centen)."), code="decimalen"
            )
        raise ValidationError(
            _("Gebruik hoogstens %(n)d decimalen.") % {"n": decimalen}, code="decimalen"
        )
    if gevonden["min"] and not negatief:
        raise ValidationError(_("Het getal mag niet negatief zijn."), code="negatief")
    geheel = gevonden["geheel"].replace(".", "")
    if len(geheel.lstrip("0")) > 12:
        raise ValidationError(_("Het getal is te groot."), code="te_groot")
    return Decimal(f"{gevonden['min'] or ''}{geheel}.{achter or '0'}")


def schrijf_getal(waarde: Decimal, *, decimalen: int | None = None) -> str:
    """A Decimal as a person types it back into a form: comma decimals, no thousands dots."""
    if decimalen is not None:
        tekst = f"{waarde.quantize(Decimal(1).scaleb(-decimalen)):f}"
    else:
        tekst = f"{waarde.normalize():f}" if waarde != 0 else "0"
    return tekst.replace(".", ",")


class GetalVeld(forms.CharField):
    """A number in Dutch notation (see ``lees_getal``), cleaned to a Decimal."""

    def __init__(self, *, decimalen: int = 4, negatief: bool = True, **opties: Any) -> None:
        self.decimalen, self.negatief = decimalen, negatief
        super().__init__(**opties)
        self.widget.attrs.update(inputmode="decimal", autocomplete="off", maxlength="40")

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        tekst = super().to_python(value)
        if tekst in self.empty_values:
            return None
        return lees_getal(str(tekst), decimalen=self.decimalen, negatief=self.negatief)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return schrijf_getal(value, decimalen=2 if self.decimalen == 2 else None)
        return value


class BedragVeld(GetalVeld):
    """Money in euros: Dutch notation, at most two decimals (cents), never negative."""

    def __init__(self, **opties: Any) -> None:
        super().__init__(decimalen=2, negatief=False, **opties)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        waarde = super().to_python(value)
        return None if waarde is None else waarde.quantize(CENT)


# --- fields and errors the NL Design System way -------------------------------------------


def _klassen(widget: forms.Widget, fout: bool) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
        return "utrecht-checkbox utrecht-checkbox--html-input" + (
            " utrecht-checkbox--invalid" if fout else ""
        )
    if isinstance(widget, forms.Select):
        return "utrecht-select utrecht-select--html-select" + (
            " utrecht-select--invalid" if fout else ""
        )
    if isinstance(widget, forms.Textarea):
        return "utrecht-textarea utrecht-textarea--html-textarea" + (
            " utrecht-textarea--invalid" if fout else ""
        )
    return "utrecht-textbox utrecht-textbox--html-input" + (
        " utrecht-textbox--invalid" if fout else ""
    )


class Veld(BoundField):
    """A field whose input carries the Utrecht classes, ``aria-invalid`` and an
    ``aria-describedby`` naming both its description and its error message."""

    @property
    def fout_id(self) -> str:
        return f"{self.auto_id}_fout"

    @property
    def is_keuzelijst(self) -> bool:
        return isinstance(self.field.widget, forms.CheckboxSelectMultiple)

    @property
    def is_vinkje(self) -> bool:
        return isinstance(self.field.widget, forms.CheckboxInput)

    def build_widget_attrs(
        self, attrs: dict[str, Any], widget: forms.Widget | None = None
    ) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        beschreven = [f"{self.auto_id}_helptext"] if self.help_text else []
        if self.errors:
            beschreven.append(self.fout_id)
            attrs["aria-invalid"] = "true"
        if beschreven:
            attrs["aria-describedby"] = " ".join(beschreven)
        attrs["class"] = " ".join(
            filter(None, [_klassen(widget, bool(self.errors)), str(attrs.get("class", ""))])
        )
        return attrs


class Registratieformulier(forms.Form):
    """A form whose changes go through a service: ``bewaren`` runs it in one transaction
    and turns its ValidationError or Conflict into errors on the form."""

    bound_field_class = Veld
    # Service field name -> form field name, where they differ.
    veldnamen: dict[str, str] = {}

    def fouten_overnemen(self, fout: ValidationError) -> None:
        if not hasattr(fout, "error_dict"):
            for melding in fout.messages:
                self.add_error(None, melding)
            return
        for veld, lijst in fout.error_dict.items():
            naam = self.veldnamen.get(veld, veld)
            meldingen = [m for f in lijst for m in f.messages]
            if naam in self.fields and naam not in self.errors:
                self.add_error(naam, meldingen)
            else:
                for melding in meldingen:
                    self.add_error(None, melding)

    def bewaren(self, actie: Callable[[], T]) -> T | None:
        """The result of ``actie``, or None when it was refused: then nothing is saved."""
        try:
            with transaction.atomic():
                return actie()
        except ValidationError as fout:
            self.fouten_overnemen(fout)
        except (Conflict, NietGevonden) as fout:
            self.add_error(None, str(fout))
        return None


def formulierpagina(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The page of one registration form: heading, intro, errors, fields, button.
    ``terug`` is the URL name and arguments of the page the form belongs to."""
    naam, argumenten = context.pop("terug")
    return render(
        request, "registratie/formulier.html", context | {"terug": reverse(naam, args=argumenten)}
    )


# --- programmes ---------------------------------------------------------------------------


def _beheerd_programma(request: HttpRequest, code: str) -> Programma:
    """A programme the user manages; any other is not found, so its existence stays hidden."""
    return get_object_or_404(
        beheerde_programmas(request.user).select_related("opdrachtgever"), code=code
    )


class ProgrammaForm(Registratieformulier):
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=30,
        help_text=gettext_lazy(
            "Kort en zonder spaties, bijvoorbeeld nplv. Staat in links en rapporten en verandert niet meer."
        ),
    )
    naam = forms.CharField(label=gettext_lazy("Naam"), max_length=200)
    regeling = forms.CharField(
        label=gettext_lazy("Regeling"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Bijvoorbeeld SPUK Kansrijke Wijk."),
    )
    opdrachtgever = forms.ModelChoiceField(
        label=gettext_lazy("Opdrachtgevend ministerie"),
        queryset=Organisatie.objects.filter(soort=Organisatie.Soort.MINISTERIE),
        empty_label=gettext_lazy("Kies een ministerie"),
    )
    startjaar = forms.IntegerField(label=gettext_lazy("Startjaar"), min_value=2000, max_value=2100)
    eindjaar = forms.IntegerField(label=gettext_lazy("Eindjaar"), min_value=2000, max_value=2100)
    max_overheveling_percentage = GetalVeld(
        label=gettext_lazy("Maximale overheveling (%)"),
        decimalen=2,
        negatief=False,
        initial=Decimal("100"),
        help_text=gettext_lazy(
            "Deel van het onbestede budget dat binnen hetzelfde thema naar het volgende jaar mag, 0 tot 100."
        ),
    )
    rapportontvangers = forms.CharField(
        label=gettext_lazy("Ontvangers van rapportages"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("E-mailadressen, één per regel."),
    )

    def __init__(self, *args: Any, programma: Programma | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programma = programma
        if programma is not None:
            del self.fields["code"]

    def clean_rapportontvangers(self) -> str:
        tekst: str = self.cleaned_data["rapportontvangers"]
        regels = [r.strip() for r in tekst.splitlines() if r.strip()]
        for regel in regels:
            try:
                forms.EmailField().clean(regel)
            except ValidationError:
                raise ValidationError(
                    _("%(adres)s is geen e-mailadres.") % {"adres": regel}
                ) from None
        return "\n".join(regels)

    def velden(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "code"}


def _programma_aanmaken(actor: Actor, gebruiker: Any, **velden: Any) -> Programma:
    programma = services.programma_aanmaken(actor=actor, **velden)
    if not is_beheerder(gebruiker):
        # Whoever sets up a programme manages it, or they could not open it again.
        services.rol_toekennen(
            actor=actor, gebruiker=gebruiker, soort=Rol.Soort.PROGRAMMAMANAGER, programma=programma
        )
    return programma


@login_required
@require_http_methods(["GET", "POST"])
def programma_nieuw(request: HttpRequest) -> HttpResponse:
    if not is_programmabeheer(request.user):
        raise PermissionDenied(_("Alleen programmamanagers en beheerders zetten programma's op."))
    form = ProgrammaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        velden = form.cleaned_data
        if programma := form.bewaren(lambda: _programma_aanmaken(actor, request.user, **velden)):
            messages.success(
                request, _("Programma %(naam)s is aangemaakt.") % {"naam": programma.naam}
            )
            return redirect("programmabeheer:programma_wijzigen", code=programma.code)
    return formulierpagina(
        request,
        {
            "titel": _("Nieuw programma"),
            "intro": _("Na het opslaan voegt u thema's, focusgebieden en het budget per jaar toe."),
            "form": form,
            "knop": _("Programma aanmaken"),
            "terug": ("overzicht", []),
        },
    )


def _programma_tabellen(programma: Programma) -> list[dict[str, Any]]:
    themas = tabel(
        "themas",
        _("Thema's"),
        [Kolom("code", _("Code")), Kolom("naam", _("Naam"))],
        [[t.code, t.naam] for t in programma.themas.all()],
    )
    gebieden = tabel(
        "focusgebieden",
        _("Focusgebieden"),
        [
            Kolom("naam", _("Naam")),
            Kolom("gemeente", _("Gemeente")),
            Kolom("gemeentecode", _("CBS-gemeentecode")),
            Kolom("gebiedscodes", _("Wijken en buurten")),
        ],
        [
            [
                f.naam,
                f.gemeente,
                f.gemeentecode,
                ", ".join(f"{g.code} ({g.peiljaar})" for g in f.gebiedscodes.all()),
            ]
            for f in programma.focusgebieden.prefetch_related("gebiedscodes")
        ],
    )
    return [themas, gebieden]


@login_required
@require_http_methods(["GET", "POST"])
def programma_wijzigen(request: HttpRequest, code: str) -> HttpResponse:
    programma = _beheerd_programma(request, code)
    if bestand := downloaden(request, lambda: _programma_tabellen(programma)):
        return bestand
    initieel = {naam: getattr(programma, naam) for naam in ProgrammaForm.base_fields}
    form = ProgrammaForm(request.POST or None, initial=initieel, programma=programma)
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        if form.bewaren(
            lambda: services.programma_wijzigen(actor=actor, programma=programma, **form.velden())
        ):
            messages.success(request, _("De programmagegevens zijn opgeslagen."))
            return redirect("programma", code=programma.code)
    gebieden = programma.focusgebieden.prefetch_related("gebiedscodes")
    return render(
        request,
        "registratie/programma.html",
        {
            "programma": programma,
            "form": form,
            "themas": programma.themas.all(),
            "gebieden": gebieden,
        },
    )


class ThemaForm(Registratieformulier):
    naam = forms.CharField(label=gettext_lazy("Naam van het thema"), max_length=200)
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=40,
        help_text=gettext_lazy("Kort en zonder spaties, bijvoorbeeld armoede."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def themas(request: HttpRequest, code: str) -> HttpResponse:
    programma = _beheerd_programma(request, code)
    if bestand := downloaden(request, lambda: _programma_tabellen(programma)[:1]):
        return bestand
    form = ThemaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        if thema := form.bewaren(
            lambda: services.thema_aanmaken(actor=actor, programma=programma, **form.cleaned_data)
        ):
            messages.success(request, _("Thema %(naam)s is toegevoegd.") % {"naam": thema.naam})
            return redirect("programmabeheer:themas", code=programma.code)
    return render(
        request,
        "registratie/themas.html",
        {"programma": programma, "form": form, "themas": programma.themas.all()},
    )


# --- the budget envelope: years x themes --------------------------------------------------


class BudgetForm(Registratieformulier):
    """One amount per year and theme of the programme; an empty cell leaves it unset."""

    def __init__(self, *args: Any, programma: Programma, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programma = programma
        self.themas = list(programma.themas.all())
        self.jaren = list(range(programma.startjaar, programma.eindjaar + 1))
        self.huidig = {
            (e.jaar, e.thema_id): e.bedrag
            for e in Budgetenvelop.objects.filter(programma=programma)
        }
        for jaar in self.jaren:
            for thema in self.themas:
                self.fields[self.naam(jaar, thema)] = BedragVeld(
                    label=f"{thema.naam} {jaar}",
                    required=False,
                    initial=self.huidig.get((jaar, thema.pk)),
                )

    @staticmethod
    def naam(jaar: int, thema: Thema) -> str:
        return f"b_{jaar}_{thema.pk}"

    def rijen(self) -> list[tuple[int, list[Veld]]]:
        return [(j, [self[self.naam(j, t)] for t in self.themas]) for j in self.jaren]  # type: ignore[misc]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for jaar, thema_id in self.huidig:
            veld = f"b_{jaar}_{thema_id}"
            if veld in self.fields and veld in data and data[veld] is None:
                self.add_error(veld, _("Een vastgelegd budget kan niet leeg worden; vul 0 in."))
        return data

    def opslaan(self, actor: Actor) -> int:
        aantal = 0
        for jaar in self.jaren:
            for thema in self.themas:
                waarde = self.cleaned_data[self.naam(jaar, thema)]
                if waarde is None or waarde == self.huidig.get((jaar, thema.pk)):
                    continue
                try:
                    services.budgetenvelop_vastleggen(
                        actor=actor, programma=self.programma, thema=thema, jaar=jaar, bedrag=waarde
                    )
                except ValidationError as fout:
                    raise ValidationError({self.naam(jaar, thema): fout.messages}) from fout
                aantal += 1
        return aantal


def _budgettabel(form: BudgetForm) -> dict[str, Any]:
    kolommen = (
        [Kolom("jaar", _("Jaar"), "jaar")]
        + [Kolom(t.code, t.naam, "bedrag") for t in form.themas]
        + [Kolom("totaal", _("Totaal"), "bedrag")]
    )
    rijen = []
    for jaar in form.jaren:
        bedragen = [form.huidig.get((jaar, t.pk)) for t in form.themas]
        rijen.append(
            [jaar, *map(bedrag, bedragen), bedrag(sum((b for b in bedragen if b), Decimal(0)))]
        )
    return tabel("budget", _("Budget per jaar en thema"), kolommen, rijen)


@login_required
@require_http_methods(["GET", "POST"])
def budget(request: HttpRequest, code: str) -> HttpResponse:
    programma = _beheerd_programma(request, code)
    form = BudgetForm(request.POST or None, programma=programma)
    if bestand := downloaden(request, lambda: [_budgettabel(form)]):
        return bestand
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        aantal = form.bewaren(lambda: form.opslaan(actor))
        if aantal is not None:
            messages.success(
                request, _("Het budget is opgeslagen (%(n)d bedragen gewijzigd).") % {"n": aantal}
            )
            return redirect("programmabeheer:budget", code=programma.code)
    totaal = nl_bedrag(sum(form.huidig.values(), Decimal(0)))
    return render(
        request,
        "registratie/budget.html",
        {"programma": programma, "form": form, "totaal": totaal},
    )


# --- focus areas --------------------------------------------------------------------------


@cache
def nplv_focusgebieden() -> dict[str, str]:
    """The 20 NPLV focus areas from the reference data: name -> CBS municipality code."""
    pad = resources.files("programma").joinpath("referentiedata", "nplv-focusgebieden.csv")
    with pad.open(encoding="utf-8") as bestand:
        return {r["focusgebied"].strip(): r["gemeentecode"] for r in csv.DictReader(bestand)}


class FocusgebiedForm(Registratieformulier):
    naam = forms.CharField(
        label=gettext_lazy("Naam"),
        max_length=200,
        help_text=gettext_lazy(
            "Voor een NPLV-focusgebied de naam uit de lijst, bijvoorbeeld Rotterdam-Zuid."
        ),
        widget=forms.TextInput(attrs={"list": "nplv-focusgebieden"}),
    )
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=60,
        help_text=gettext_lazy("Kort en zonder spaties, bijvoorbeeld rotterdam-zuid."),
    )
    gemeente = forms.CharField(label=gettext_lazy("Gemeente"), max_length=100)
    gemeentecode = forms.CharField(
        label=gettext_lazy("CBS-gemeentecode"),
        max_length=6,
        help_text=gettext_lazy("GM gevolgd door 4 cijfers, bijvoorbeeld GM0599."),
    )
    gebiedscodes = forms.CharField(
        label=gettext_lazy("Wijken en buurten (CBS-codes met peiljaar)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Eén per regel: code en peiljaar, bijvoorbeeld WK059901 2024 of BU0363AA06 2024."
        ),
    )

    veldnamen = {"code": "code"}

    def __init__(self, *args: Any, focusgebied: Focusgebied | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if focusgebied is not None:
            del self.fields["code"]

    def clean_gemeentecode(self) -> str:
        return str(self.cleaned_data["gemeentecode"]).strip().upper()

    def clean_gebiedscodes(self) -> list[tuple[str, int]]:
        codes: list[tuple[str, int]] = []
        for nummer, regel in enumerate(str(self.cleaned_data["gebiedscodes"]).splitlines(), 1):
            delen = regel.replace(",", " ").split()
            if not delen:
                continue
            if len(delen) != 2 or not delen[1].isdigit() or not 2000 <= int(delen[1]) <= 2100:
                raise ValidationError(
                    _(
                        "Regel %(n)d (%(regel)s): schrijf een code en een peiljaar, bijvoorbeeld WK059901 2024."
                    )
                    % {"n": nummer, "regel": regel.strip()}
                )
            codes.append((delen[0].upper(), int(delen[1])))
        if len(set(codes)) != len(codes):
            raise ValidationError(_("Een code staat er twee keer in met hetzelfde peiljaar."))
        return codes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        naam, gemeentecode = data.get("naam", ""), data.get("gemeentecode")
        namen = {n.lower(): c for n, c in nplv_focusgebieden().items()}
        verwacht = namen.get(str(naam).strip().lower())
        if verwacht and gemeentecode and verwacht != gemeentecode:
            self.add_error(
                "gemeentecode",
                _("Volgens de NPLV-referentielijst ligt %(naam)s in %(code)s.")
                % {"naam": naam, "code": verwacht},
            )
        return data


def _gebiedscodefout(fout: ValidationError) -> ValidationError:
    """Errors on a single code belong under the codes field of the form."""
    if hasattr(fout, "error_dict") and set(fout.error_dict) <= {"code", "peiljaar"}:
        return ValidationError({"gebiedscodes": fout.messages})
    return fout


def _focusgebied_opslaan(actie: Callable[[], Focusgebied]) -> Focusgebied:
    try:
        return actie()
    except ValidationError as fout:
        raise _gebiedscodefout(fout) from fout


@login_required
@require_http_methods(["GET", "POST"])
def focusgebied_nieuw(request: HttpRequest, code: str) -> HttpResponse:
    programma = _beheerd_programma(request, code)
    form = FocusgebiedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        if gebied := form.bewaren(
            lambda: _focusgebied_opslaan(
                lambda: services.focusgebied_aanmaken(
                    actor=actor, programma=programma, **form.cleaned_data
                )
            )
        ):
            messages.success(
                request, _("Focusgebied %(naam)s is toegevoegd.") % {"naam": gebied.naam}
            )
            return redirect("programmabeheer:programma_wijzigen", code=programma.code)
    return formulierpagina(
        request,
        {
            "titel": _("Nieuw focusgebied"),
            "ondertitel": programma.naam,
            "form": form,
            "knop": _("Focusgebied toevoegen"),
            "terug": ("programmabeheer:programma_wijzigen", [programma.code]),
            "nplv_focusgebieden": sorted(nplv_focusgebieden()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def focusgebied_wijzigen(request: HttpRequest, focusgebied_id: int) -> HttpResponse:
    gebied = get_object_or_404(
        Focusgebied.objects.select_related("programma").filter(
            programma__in=beheerde_programmas(request.user)
        ),
        pk=focusgebied_id,
    )
    codes = "\n".join(f"{g.code} {g.peiljaar}" for g in gebied.gebiedscodes.all())
    initieel = {
        "naam": gebied.naam,
        "gemeente": gebied.gemeente,
        "gemeentecode": gebied.gemeentecode,
        "gebiedscodes": codes,
    }
    form = FocusgebiedForm(request.POST or None, initial=initieel, focusgebied=gebied)
    if request.method == "POST" and form.is_valid():
        actor = Actor.van(request.user)
        if form.bewaren(
            lambda: _focusgebied_opslaan(
                lambda: services.focusgebied_wijzigen(
                    actor=actor, focusgebied=gebied, **form.cleaned_data
                )
            )
        ):
            messages.success(
                request, _("Focusgebied %(naam)s is opgeslagen.") % {"naam": gebied.naam}
            )
            return redirect("programmabeheer:programma_wijzigen", code=gebied.programma.code)
    return formulierpagina(
        request,
        {
            "titel": _("Focusgebied wijzigen"),
            "ondertitel": f"{gebied.naam} · {gebied.programma.naam}",
            "form": form,
            "knop": _("Opslaan"),
            "terug": ("programmabeheer:programma_wijzigen", [gebied.programma.code]),
            "nplv_focusgebieden": sorted(nplv_focusgebieden()),
        },
    )
