"""Booking pages: choose a slot, confirm by e-mail link, manage (calendar file, QR code, cancel, rebook), home
visits.

Thin views: they parse the form, call `assisted.booking` / `assisted.homevisits`, and render. Links carry
signed tokens; a changed or outdated link gives a page with a clear German explanation (status 400 or 410).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from amtsweg.accounts.staff import client_ip
from amtsweg.assisted import booking, homevisits, ical, mapdata, qr, ratelimit, slots, tokens
from amtsweg.assisted.forms import BookingForm, HomeVisitForm, RebookForm
from amtsweg.assisted.models import Appointment, Site, Tour, TourStop

DAYS_PER_PAGE = 7
SESSION_KEY = "assisted.pending"


def link_error(request, error: tokens.LinkError | booking.BookingError):
    status = 410 if isinstance(error, tokens.ExpiredLink | booking.NotChangeable) else 400
    return render(request, "assisted/link_error.html", {"message": error.message}, status=status)


def _gone() -> booking.NotChangeable:
    return booking.NotChangeable(_("Dieser Termin wurde storniert oder ist verfallen. Bitte buchen Sie neu."))


def _manage_redirect(appointment: Appointment) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("assisted:manage", args=[booking.manage_token(appointment)]))


def _start_day(request) -> date | None:
    raw = request.GET.get("ab", "")
    if not raw or len(raw) > 10:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def _slot_page(request, target, *, exclude=None):
    """The free slots to show: a stop's all; a site's for one week from ?ab= (or from the first free day)."""
    now = timezone.now()
    if isinstance(target, TourStop):
        found = slots.offers(target, now=now)
        return slots.group_by_day([o for o in found if o.starts_at != exclude]), None, None
    start = _start_day(request)
    if start is None:
        first = slots.offers(target, now=now, limit=1)
        start = first[0].local_start.date() if first else timezone.localdate()
    found = slots.offers(target, now=now, start_day=start, days=DAYS_PER_PAGE)
    found = [o for o in found if o.starts_at != exclude]
    today = timezone.localdate()
    previous = start - timedelta(days=DAYS_PER_PAGE) if start > today else None
    last = (now + timedelta(days=target.booking_window_days)).date()
    following = start + timedelta(days=DAYS_PER_PAGE)
    return slots.group_by_day(found), previous, following if following <= last else None


def _location(target):
    if isinstance(target, Site):
        return mapdata.site_location(target, with_slot=False)
    return mapdata.stop_location(target)


def _book(request, target):
    form = BookingForm(request.POST or None, target=target, user=request.user)
    error = None
    alternatives = []
    status = 200
    if request.method == "POST":
        if form.is_bot:
            # Say nothing useful to a bot; a person never sees the hidden field.
            return redirect("assisted:check_email")
        try:
            ratelimit.check(client_ip(request), (request.POST.get("email") or "")[:254])
        except ratelimit.RateLimited as limited:
            error, status = limited.message, 429
        else:
            if form.is_valid():
                data = form.cleaned_data
                try:
                    appointment = booking.book(
                        target,
                        slots.parse_slot_value(data["termin"]),
                        name=data["name"],
                        email=data["email"],
                        phone=data["telefon"],
                        note=data["hinweis"],
                        service=data["anliegen"],
                        user=request.user,
                    )
                except booking.BookingError as failure:
                    error, alternatives = failure.message, failure.alternatives
                    status = 409 if isinstance(failure, slots.SlotTaken) else 400
                else:
                    if appointment.status == Appointment.Status.CONFIRMED:
                        messages.success(request, _("Ihr Termin ist gebucht. Die Bestätigung ist unterwegs."))
                        return _manage_redirect(appointment)
                    request.session[SESSION_KEY] = appointment.reference
                    return redirect("assisted:check_email")
            else:
                status = 400
    days, previous, following = _slot_page(request, target)
    context = {
        "target": target,
        "location": _location(target),
        "form": form,
        "days": days,
        "previous": previous,
        "following": following,
        "error": error,
        "alternatives": alternatives,
        "selected": request.POST.get("termin", "") if status != 409 else "",
        "bookable": slots.is_bookable_target(target),
    }
    return render(request, "assisted/book.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def book_site(request, slug: str):
    if len(slug) > 120:
        raise Http404
    site = get_object_or_404(mapdata.public_sites(), slug=slug)
    if not site.slot_rules.exists():
        raise Http404
    return _book(request, site)


@never_cache
@require_http_methods(["GET", "POST"])
def book_stop(request, pk: int):
    stop = get_object_or_404(TourStop.objects.select_related("tour__authority", "district"), pk=pk)
    if stop.tour.status == Tour.Status.DRAFT or not stop.is_public:
        raise Http404
    return _book(request, stop)


@never_cache
def check_email(request):
    reference = request.session.get(SESSION_KEY)
    appointment = None
    if isinstance(reference, str):
        appointment = Appointment.objects.filter(reference=reference).first()
    masked = None
    if appointment is not None:
        local, _at, domain = appointment.email.partition("@")
        masked = f"{local[:2]}…@{domain}"
    context = {
        "appointment": appointment,
        "masked": masked,
        "minutes": int(booking.hold_duration().total_seconds() // 60),
    }
    return render(request, "assisted/check_email.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    try:
        appointment = booking.appointment_for_confirm(token)
    except tokens.LinkError as error:
        return link_error(request, error)
    if appointment.status == Appointment.Status.CONFIRMED:
        return _manage_redirect(appointment)
    if request.method == "POST":
        try:
            appointment = booking.confirm(appointment)
        except booking.BookingError as error:
            return link_error(request, error)
        messages.success(
            request,
            _("Vielen Dank, Ihr Termin ist bestätigt. Die Bestätigung mit Kalenderdatei ist unterwegs."),
        )
        return _manage_redirect(appointment)
    if appointment.status != Appointment.Status.PENDING:
        return link_error(request, _gone())
    return render(
        request, "assisted/confirm.html", {"appointment": appointment, "target": appointment.slot.target}
    )


def _managed(request, token):
    try:
        return booking.appointment_for_manage(token), None
    except tokens.LinkError as error:
        return None, link_error(request, error)


@never_cache
def manage(request, token: str):
    appointment, failure = _managed(request, token)
    if failure:
        return failure
    context = {
        "appointment": appointment,
        "target": appointment.slot.target,
        "token": token,
        "can_change": appointment.is_active and appointment.slot.starts_at > timezone.now(),
    }
    return render(request, "assisted/manage.html", context)


@never_cache
@require_POST
def cancel(request, token: str):
    appointment, failure = _managed(request, token)
    if failure:
        return failure
    try:
        booking.cancel(appointment)
    except booking.BookingError as error:
        return link_error(request, error)
    context = {"appointment": appointment, "target": appointment.slot.target}
    return render(request, "assisted/cancelled.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def rebook(request, token: str):
    appointment, failure = _managed(request, token)
    if failure:
        return failure
    if not appointment.is_active:
        return link_error(request, _gone())
    target = appointment.slot.target
    form = RebookForm(request.POST or None)
    error, alternatives, status = None, [], 200
    if request.method == "POST":
        try:
            ratelimit.check(client_ip(request), appointment.email, action="rebook")
            if not form.is_valid():
                raise booking.InvalidContact(form.errors["termin"][0])
            appointment = booking.rebook(appointment, slots.parse_slot_value(form.cleaned_data["termin"]))
        except ratelimit.RateLimited as limited:
            error, status = limited.message, 429
        except booking.BookingError as problem:
            error, alternatives = problem.message, problem.alternatives
            status = 409 if isinstance(problem, slots.SlotTaken) else 400
        else:
            messages.success(
                request,
                _(
                    "Ihr Termin wurde verschoben. Die neue Bestätigung ist unterwegs; "
                    "ältere Links gelten nicht mehr."
                ),
            )
            return _manage_redirect(appointment)
    days, previous, following = _slot_page(request, target, exclude=appointment.slot.starts_at)
    context = {
        "appointment": appointment,
        "target": target,
        "token": token,
        "days": days,
        "previous": previous,
        "following": following,
        "error": error,
        "alternatives": alternatives,
    }
    return render(request, "assisted/rebook.html", context, status=status)


@never_cache
def ics(request, token: str):
    appointment, failure = _managed(request, token)
    if failure:
        return failure
    body = ical.appointment_ics(appointment, manage_url=booking.manage_url(appointment))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="termin-{appointment.reference}.ics"'
    return response


@never_cache
def qr_png(request, token: str):
    appointment, failure = _managed(request, token)
    if failure:
        return failure
    response = HttpResponse(qr.png(booking.manage_url(appointment)), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


# --- home visits --------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def home_visit(request):
    form = HomeVisitForm(request.POST or None)
    error, status = None, 200
    if request.method == "POST":
        if form.is_bot:
            return render(request, "assisted/home_visit_sent.html")
        try:
            ratelimit.check(client_ip(request), (request.POST.get("email") or "")[:254], action="home_visit")
        except ratelimit.RateLimited as limited:
            error, status = limited.message, 429
        else:
            if form.is_valid():
                data = form.cleaned_data
                try:
                    homevisits.request_visit(
                        district=data["kreis"],
                        name=data["name"],
                        email=data["email"],
                        phone=data["telefon"],
                        street=data["strasse"],
                        postal_code=data["plz"],
                        city=data["ort"],
                        reason=data["grund"],
                        preferred_times=data["wunschtermine"],
                        services=[data["anliegen"]] if data["anliegen"] else [],
                        user=request.user,
                    )
                except homevisits.HomeVisitError as failure:
                    error, status = failure.message, 400
                else:
                    return render(request, "assisted/home_visit_sent.html")
            else:
                status = 400
    return render(request, "assisted/home_visit.html", {"form": form, "error": error}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def home_visit_confirm(request, token: str):
    if request.method == "GET":
        try:
            tokens.read(tokens.HOME_CONFIRM, token, max_age=homevisits.CONFIRM_DAYS * 86400)
        except tokens.LinkError as error:
            return link_error(request, error)
        return render(request, "assisted/home_visit_confirm.html", {"token": token})
    try:
        visit = homevisits.confirm_visit(token)
    except tokens.LinkError as error:
        return link_error(request, error)
    return render(request, "assisted/home_visit_confirmed.html", {"visit": visit})


def start(request):
    """/termine/: where appointments can be booked."""
    items = [item for item in mapdata.locations() if item.booking_url]
    return render(request, "assisted/start.html", {"items": items})
