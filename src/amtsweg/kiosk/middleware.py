"""Kiosk mode: a request carrying a terminal's device cookie is a kiosk request.

* `request.kiosk_terminal` is the terminal (or None). Templates switch to the large, high-contrast layout
  with the inactivity wipe (base.html loads kiosk.css/kiosk.js when it is set).
* A forged or revoked device token is refused with a clear page, and the cookie is deleted.
* The back office (/verwaltung/) and the operators' admin (/betrieb/) are refused to kiosk requests: a
  terminal is a public device, staff work at their own workstation.
* Kiosk responses are never stored by the browser (`Cache-Control: no-store`), so nothing personal remains.
"""

from __future__ import annotations

import logging

from django.shortcuts import render
from django.utils.translation import gettext as _

from amtsweg.kiosk import services

logger = logging.getLogger("amtsweg.kiosk")
CLOSED_PREFIXES = ("/verwaltung/", "/betrieb/")
OPEN_WITH_BAD_TOKEN = ("/kiosk/aktivieren/", "/static/")


def refuse(request, message: str, *, status: int = 403, delete_cookie: bool = False):
    response = render(request, "kiosk/refused.html", {"message": message}, status=status)
    response["Cache-Control"] = "no-store"
    if delete_cookie:
        response.delete_cookie(services.COOKIE_NAME, path="/", samesite="Strict")
    return response


class KioskMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.kiosk_terminal = None
        token = request.COOKIES.get(services.COOKIE_NAME)
        if token:
            terminal, reason = services.resolve(token)
            if terminal is None:
                if request.path.startswith(OPEN_WITH_BAD_TOKEN):
                    response = self.get_response(request)
                    response.delete_cookie(services.COOKIE_NAME, path="/", samesite="Strict")
                    return response
                logger.warning("kiosk request with %s device token", reason, extra={"path": request.path})
                message = (
                    _(
                        "Dieses Terminal wurde von der Behörde gesperrt. Bitte wenden Sie sich an das "
                        "Personal."
                    )
                    if reason == "revoked"
                    else _("Der Gerätecode dieses Terminals ist ungültig. Der Kiosk-Modus wurde beendet.")
                )
                return refuse(request, message, delete_cookie=True)
            request.kiosk_terminal = terminal
            services.touch(terminal)
            if request.path.startswith(CLOSED_PREFIXES):
                logger.warning("kiosk request to the back office refused", extra={"path": request.path})
                return refuse(
                    request,
                    _(
                        "Vom Bürgerterminal aus ist der Verwaltungsbereich nicht erreichbar. Beschäftigte "
                        "melden sich bitte an ihrem eigenen Arbeitsplatz an."
                    ),
                )
        response = self.get_response(request)
        if request.kiosk_terminal is not None:
            response["Cache-Control"] = "no-store"
        return response
