"""``{{ waarde|getal }}``: a Decimal as people read it, exactly: no trailing zeros, no
exponent, the decimal separator of the active language."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def getal(waarde: Decimal | None) -> str:
    if waarde is None:
        return ""
    kort = (
        waarde.quantize(Decimal(1)) if waarde == waarde.to_integral_value() else waarde.normalize()
    )
    return number_format(abs(kort) if kort == 0 else kort)
