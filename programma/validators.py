"""Validators for Dutch identifiers and money, with messages a programme office understands."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

gemeentecode_validator = RegexValidator(
    r"^GM[0-9]{4}\Z", "Een CBS-gemeentecode is 'GM' gevolgd door 4 cijfers, bijvoorbeeld GM0363."
)
kvk_validator = RegexValidator(r"^[0-9]{8}\Z", "Een KvK-nummer bestaat uit precies 8 cijfers.")

GEBIEDSCODE_PATROON = re.compile(r"GM[0-9]{4}|WK[0-9]{4}[0-9A-Z]{2}|BU[0-9]{4}[0-9A-Z]{4}")


def valideer_gebiedscode(code: str) -> None:
    if not GEBIEDSCODE_PATROON.fullmatch(code or ""):
        raise ValidationError(
            "Ongeldige CBS-gebiedscode %(code)s: gebruik WK + 6 tekens (wijk) of BU + 8 tekens "
            "(buurt), bijvoorbeeld WK036301 of BU0363AA06.",
            code="gebiedscode",
            params={"code": repr(code)},
        )


def valideer_bedrag(bedrag: Decimal) -> None:
    """Money is euros with at most two decimals and never negative."""
    if not isinstance(bedrag, Decimal):
        raise ValidationError(
            "Een bedrag moet een decimaal getal zijn, geen %(t)s.",
            params={"t": type(bedrag).__name__},
        )
    if not bedrag.is_finite():
        raise ValidationError("Een bedrag moet een eindig getal zijn.")
    if bedrag < 0:
        raise ValidationError("Een bedrag mag niet negatief zijn.", code="negatief")
    exponent = bedrag.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationError(
            "Een bedrag heeft hoogstens twee decimalen (centen).", code="decimalen"
        )


def valideer_percentage(waarde: Decimal) -> None:
    if waarde < 0 or waarde > 100:
        raise ValidationError("Een percentage ligt tussen 0 en 100.", code="percentage")
