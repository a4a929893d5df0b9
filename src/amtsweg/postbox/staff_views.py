"""Outgoing mail for staff (/verwaltung/postausgang/): the print queue of letters, marking them printed and
posted (the posting date starts the `post` rule), and the evidence of each delivery. Only deliveries of the
staff member's own authorities are visible (`.for_staff`)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages as flash
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from amtsweg.accounts.tenancy import staff_required
from amtsweg.postbox import services
from amtsweg.postbox.models import Delivery

ROLE = "case_worker"


def _deliveries(request):
    return Delivery.objects.for_staff(request.user, ROLE).select_related("document", "authority")


@never_cache
@staff_required(role=ROLE)
@require_GET
def print_queue(request):
    queued = (
        _deliveries(request)
        .filter(
            channel=Delivery.Channel.POST, status__in=[Delivery.Status.PRINT_QUEUED, Delivery.Status.PRINTED]
        )
        .order_by("print_queued_at")
    )
    posted = (
        _deliveries(request).filter(status=Delivery.Status.POSTED).order_by("-posted_on", "-created_at")[:50]
    )
    return render(
        request,
        "postbox/staff_queue.html",
        {"queued": queued, "posted": posted, "today": timezone.localdate()},
    )


@never_cache
@staff_required(role=ROLE)
@require_GET
def letter(request, pk):
    delivery = get_object_or_404(_deliveries(request), pk=pk)
    response = FileResponse(
        delivery.document.file.open("rb"),
        content_type="application/pdf",
        filename=f"brief-{delivery.document.verification_code}.pdf",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required(role=ROLE)
@require_POST
def mark(request, pk):
    delivery = get_object_or_404(_deliveries(request), pk=pk)
    action = request.POST.get("aktion")
    try:
        if action == "gedruckt":
            services.mark_printed(delivery, by=request.user)
            flash.success(request, _("Als gedruckt vermerkt."))
        elif action == "versandt":
            try:
                posted_on = dt.date.fromisoformat((request.POST.get("datum") or "")[:10])
            except ValueError:
                raise services.DeliveryError(_("Bitte geben Sie das Datum der Einlieferung an.")) from None
            delivery = services.mark_posted(delivery, posted_on=posted_on, by=request.user)
            flash.success(
                request,
                _("Als versandt vermerkt. Bekanntgabe am %(date)s.")
                % {"date": delivery.notification_date.strftime("%d.%m.%Y")},
            )
        else:
            raise services.DeliveryError(_("Unbekannte Aktion."))
    except services.DeliveryError as exc:
        flash.error(request, str(exc))
    return redirect("postbox_staff:queue")


@never_cache
@staff_required(role=ROLE)
@require_GET
def delivery_detail(request, pk):
    delivery = get_object_or_404(_deliveries(request), pk=pk)
    return render(
        request,
        "postbox/staff_delivery.html",
        {
            "delivery": delivery,
            "evidence": delivery.evidence.order_by("sequence"),
            "chain_ok": services.verify_evidence_chain(delivery),
        },
    )
