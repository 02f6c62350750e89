"""Django's form widgets in NL Design System markup, for every form of Ontschot.

``FORM_RENDERER = "ontschot.formulieren.UtrechtRenderer"`` makes every bound field an
:class:`UtrechtBoundField`, which gives each widget the class of its Utrecht component
(``utrecht-textbox``, ``utrecht-select``, ``utrecht-textarea``, ``utrecht-checkbox``,
``utrecht-radio-button``) and its ``--invalid`` variant when the field has errors. Django
itself adds ``aria-invalid="true"`` and ``aria-describedby="<id>_helptext <id>_error"``;
templates/_formulier.html renders the description and the error message with those ids.
Classes a form sets on a widget itself are kept; the component class is added in front.
"""

from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates

TEKSTVAK = "utrecht-textbox utrecht-textbox--html-input"
KEUZELIJST = "utrecht-select utrecht-select--html-select"
TEKSTGEBIED = "utrecht-textarea utrecht-textarea--html-textarea"
VINKJE = "utrecht-checkbox utrecht-checkbox--html-input"
KEUZERONDJE = "utrecht-radio-button utrecht-radio-button--html-input"
BESTAND = "ontschot-bestand"


def klassen_voor(widget: forms.Widget, *, ongeldig: bool) -> str:
    """The Utrecht component classes for a widget, '' for a hidden one."""
    if widget.is_hidden:
        return ""
    # CheckboxSelectMultiple is a RadioSelect subclass in Django: ask for it first.
    if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple)):
        basis, fout = VINKJE, "utrecht-checkbox--invalid"
    elif isinstance(widget, forms.RadioSelect):
        basis, fout = KEUZERONDJE, "utrecht-radio-button--invalid"
    elif isinstance(widget, forms.Select):
        basis, fout = KEUZELIJST, "utrecht-select--invalid"
    elif isinstance(widget, forms.Textarea):
        basis, fout = TEKSTGEBIED, "utrecht-textarea--invalid"
    elif isinstance(widget, forms.FileInput):
        basis, fout = BESTAND, "ontschot-bestand--invalid"
    elif isinstance(widget, forms.widgets.Input):
        basis, fout = TEKSTVAK, "utrecht-textbox--invalid"
    else:
        return ""
    return f"{basis} {fout}" if ongeldig else basis


class UtrechtBoundField(BoundField):
    """A bound field whose widget renders with its Utrecht component classes."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        klassen = klassen_voor(widget, ongeldig=bool(self.errors))
        if klassen:
            eigen = attrs.get("class") or widget.attrs.get("class") or ""
            attrs["class"] = f"{klassen} {eigen}".strip()
        return attrs

    @property
    def is_verplicht(self) -> bool:
        return bool(self.field.required) and not self.is_hidden


class UtrechtRenderer(DjangoTemplates):
    bound_field_class = UtrechtBoundField
