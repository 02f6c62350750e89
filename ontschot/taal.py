"""Which language a page is in: Dutch, unless the reader chose another with the language
switch (Django's language cookie, set by ``set_language``).

Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language header:
Ontschot is a Dutch government application whose documents, e-mails and reports are in
Dutch, so a reader with an English browser still starts in Dutch and switches on purpose.
"""

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class TaalMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        gekozen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        taal = gekozen if gekozen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(taal)
        request.LANGUAGE_CODE = translation.get_language()
