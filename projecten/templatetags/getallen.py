"""``{{ waarde|getal }}``: a Decimal as people read it, exactly: no trailing zeros, no
exponent, the decimal and thousands separators of the active language (Dutch 12.345,5;
English 12,345.5). ``{{ bedrag|bedrag }}``: an amount with two decimals the same way."""

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
    return number_format(abs(kort) if kort == 0 else kort, force_grouping=True)


@register.filter
def bedrag(waarde: Decimal | None) -> str:
    if waarde is None:
        return ""
    return number_format(waarde.quantize(Decimal("0.01")), decimal_pos=2, force_grouping=True)
