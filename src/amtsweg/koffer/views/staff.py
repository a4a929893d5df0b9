"""Device registry for authority administrators (/verwaltung/buergerkoffer/).

Only staff with the role `authority_admin` register and revoke devices, and only for their own authorities
(`Device.objects.for_staff`, so another authority's device is a 404). The token is shown once, in the answer
to the registration (not stored, not in a redirect).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from amtsweg.accounts.tenancy import staff_required
from amtsweg.koffer import services
from amtsweg.koffer.forms import DeviceForm, RevokeForm
from amtsweg.koffer.models import Device

ROLE = "authority_admin"


@staff_required(role=ROLE)
def device_list(request):
    devices = (
        Device.objects.for_staff(request.user, ROLE)
        .select_related("authority", "staff_user", "kit")
        .order_by("revoked_at", "name")
    )
    return render(request, "koffer/staff/devices.html", {"devices": devices})


@never_cache
@staff_required(role=ROLE)
@require_http_methods(["GET", "POST"])
def device_register(request):
    form = DeviceForm(request.POST or None, admin=request.user)
    if request.method == "POST" and form.is_valid():
        membership = form.cleaned_data["membership"]
        device, token = services.register_device(
            membership.authority,
            membership.user,
            form.cleaned_data["name"],
            by=request.user,
            kit=form.cleaned_data["kit"],
        )
        response = render(request, "koffer/staff/device_created.html", {"device": device, "token": token})
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "koffer/staff/device_form.html", {"form": form})


@staff_required(role=ROLE)
@require_http_methods(["GET", "POST"])
def device_revoke(request, pk: int):
    device = get_object_or_404(
        Device.objects.for_staff(request.user, ROLE).select_related("staff_user"), pk=pk
    )
    if device.is_revoked:
        messages.info(request, _("Das Gerät ist bereits gesperrt."))
        return redirect("koffer_staff:devices")
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.revoke_device(device, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request,
            _("Das Gerät „%(name)s“ ist gesperrt. Bei seiner nächsten Verbindung löscht es alle Daten.")
            % {"name": device.name},
        )
        return redirect("koffer_staff:devices")
    return render(request, "koffer/staff/device_revoke.html", {"device": device, "form": form})
