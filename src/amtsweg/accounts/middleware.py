"""The staff area (/verwaltung/) is closed by default: allowed networks only, a verified second factor, an
active
staff membership, and an idle timeout. Views add their role checks with `@staff_required(role=...)`."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from amtsweg.accounts import staff
from amtsweg.accounts.tenancy import forbidden, is_staff_member

logger = logging.getLogger("amtsweg.accounts.security")

STAFF_PREFIX = "/verwaltung/"
OPEN_STAFF_URLS = (
    "accounts:staff_login",
    "accounts:staff_code",
    "accounts:staff_enrol",
    "accounts:staff_logout",
)


class StaffAreaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        in_staff_area = request.path.startswith(STAFF_PREFIX)
        verified = bool(user is not None and user.is_authenticated and user.is_verified())

        if verified and staff.is_idle_expired(request):
            logger.info("staff session ended after idle timeout", extra={"user_id": user.pk})
            logout(request)
            messages.warning(
                request,
                _("Sie wurden nach längerer Inaktivität abgemeldet. Bitte melden Sie sich erneut an."),
            )
            if in_staff_area:
                return HttpResponseRedirect(reverse("accounts:staff_login"))
            verified = False

        if in_staff_area:
            if not staff.network_allowed(request):
                logger.warning("staff area request from a network not allowed", extra={"path": request.path})
                return forbidden(request, _("Der Zugang für Beschäftigte ist aus diesem Netz nicht erlaubt."))
            open_page = request.path in {reverse(name) for name in OPEN_STAFF_URLS}
            if not open_page and (not verified or not is_staff_member(request.user)):
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(reverse("accounts:staff_login") + "?" + query)

        if verified:
            staff.touch(request)
        return self.get_response(request)
