"""Tour planning and home visits for staff (/verwaltung/touren/).

Who may plan: staff with the role `assisted_operator` or `authority_admin` in an authority; they see and
change only that authority's tours, kits, teams and home-visit requests (querysets from `for_staff`, so
another authority's ID is a 404).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amtsweg.accounts.tenancy import authorities_for, forbidden, staff_required
from amtsweg.assisted import homevisits, tours
from amtsweg.assisted.forms import (
    AcceptVisitForm,
    AssignForm,
    KitForm,
    ReasonForm,
    StopForm,
    TeamForm,
    TourForm,
)
from amtsweg.assisted.models import Appointment, HomeVisitRequest, Kit, StaffTeam, Tour
from amtsweg.assisted.slots import local_datetime
from amtsweg.catalog.models import Service
from amtsweg.directory import services as directory
from amtsweg.regions.models import Place

PLANNER_ROLES = ("assisted_operator", "authority_admin")


def planner_authorities(user):
    first, second = (authorities_for(user, role) for role in PLANNER_ROLES)
    return (first | second).distinct()


def scoped(queryset, user):
    """The model's rows of the authorities the user plans for (tenancy via the model's `for_staff`)."""
    first, second = (queryset.for_staff(user, role) for role in PLANNER_ROLES)
    return (first | second).distinct()


def planner_required(view):
    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not planner_authorities(request.user).exists():
            return forbidden(
                request,
                _(
                    "Für die Tourenplanung brauchen Sie die Rolle „Assistierte Antragstellung“ oder "
                    "„Behördenverwaltung“."
                ),
            )
        return view(request, *args, **kwargs)

    return wrapper


def _tour(request, pk) -> Tour:
    queryset = scoped(Tour.objects.all(), request.user).select_related("authority", "kit", "team")
    return get_object_or_404(queryset, pk=pk)


@planner_required
def tour_list(request):
    today = timezone.localdate()
    tour_rows = (
        scoped(Tour.objects.all(), request.user)
        .filter(date__gte=today)
        .select_related("authority", "kit", "team")
        .annotate(stop_count=Count("stops", distinct=True))
        .order_by("date", "start_time")
    )
    open_visits = (
        scoped(HomeVisitRequest.objects.all(), request.user)
        .filter(status=HomeVisitRequest.Status.REQUESTED)
        .count()
    )
    return render(request, "assisted/staff/tour_list.html", {"tours": tour_rows, "open_visits": open_visits})


def _depot_initial(authority) -> dict:
    initial = {"depot_name": authority.name, "start_time": "08:00", "end_time": "16:00"}
    office = directory.main_office(directory.authorities().get(pk=authority.pk))
    if office is not None and office.lat is not None:
        initial.update(
            {
                "depot_name": f"{authority.name}, {office.city}",
                "depot_lat": office.lat,
                "depot_lon": office.lon,
            }
        )
    elif authority.district_id:
        initial.update({"depot_lat": authority.district.lat, "depot_lon": authority.district.lon})
    return initial


@planner_required
@require_http_methods(["GET", "POST"])
def tour_create(request):
    authority = planner_authorities(request.user).order_by("name").first()
    form = TourForm(request.POST or None, initial=_depot_initial(authority))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tour = tours.create_tour(
                authority,
                title=data["title"],
                day=data["date"],
                start=data["start_time"],
                end=data["end_time"],
                depot_name=data["depot_name"],
                depot_lat=data["depot_lat"],
                depot_lon=data["depot_lon"],
                slot_minutes=data["slot_minutes"],
                capacity_per_slot=data["capacity_per_slot"],
                actor=request.user,
            )
        except tours.TourError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Die Tour ist angelegt. Fügen Sie jetzt Halte hinzu."))
            return redirect("assisted_staff:tour", pk=tour.pk)
    context = {"form": form, "authority": authority}
    return render(request, "assisted/staff/tour_form.html", context, status=400 if form.errors else 200)


def _places_for(authority):
    places = Place.objects.filter(lat__isnull=False)
    if authority.district_id:
        places = places.filter(district_id=authority.district_id)
    return list(places.order_by("name"))


def _stop_form(tour, data=None) -> StopForm:
    return StopForm(data, places=_places_for(tour.authority), services=Service.objects.order_by("name"))


def _assign_form(tour, data=None) -> AssignForm:
    return AssignForm(
        data,
        initial={"team": tour.team_id or "", "kit": tour.kit_id or ""},
        teams=StaffTeam.objects.filter(authority=tour.authority),
        kits=Kit.objects.filter(authority=tour.authority, is_active=True),
    )


def _detail_context(tour, *, stop_form=None):
    stops = list(
        tour.stops.select_related("district").prefetch_related("services").order_by("position", "pk")
    )
    active = Appointment.objects.filter(slot__stop__tour=tour).active()
    bookings = {row["slot__stop"]: row["n"] for row in active.values("slot__stop").annotate(n=Count("pk"))}
    for stop in stops:
        stop.booking_count = bookings.get(stop.pk, 0)
    tour_legs = tours.legs(tour, stops)
    return {
        "tour": tour,
        "stops": stops,
        "legs": tour_legs,
        "km": sum(leg.road_km for leg in tour_legs),
        "returns_at": tours.returns_at(tour),
        "overruns": tours.overruns(tour),
        "stop_form": stop_form or _stop_form(tour),
        "assign_form": _assign_form(tour),
        "reason_form": ReasonForm(),
        "appointments": active.select_related("slot", "service").order_by("slot__starts_at"),
    }


@planner_required
def tour_detail(request, pk: int):
    tour = _tour(request, pk)
    return render(request, "assisted/staff/tour_detail.html", _detail_context(tour))


def _back(tour):
    return HttpResponseRedirect(reverse("assisted_staff:tour", kwargs={"pk": tour.pk}))


@planner_required
@require_POST
def stop_add(request, pk: int):
    tour = _tour(request, pk)
    form = _stop_form(tour, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        place = data["place_obj"]
        try:
            tours.add_stop(
                tour,
                name=data["name"],
                city=place.name if place else "",
                district=place.district if place else tour.authority.district,
                place=place,
                lat=data["lat"],
                lon=data["lon"],
                street=data["street"],
                postal_code=data["postal_code"],
                duration_minutes=data["duration_minutes"],
                kind=data["kind"],
                services=data["service_objs"],
                actor=request.user,
            )
        except tours.TourError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Der Halt ist hinzugefügt."))
            return _back(tour)
    context = _detail_context(tour, stop_form=form)
    return render(request, "assisted/staff/tour_detail.html", context, status=400)


def _action(request, tour, func, success: str):
    try:
        func()
    except tours.TourError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return _back(tour)


@planner_required
@require_POST
def optimise(request, pk: int):
    tour = _tour(request, pk)
    try:
        km = tours.optimise(tour, actor=request.user)
    except tours.TourError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Die Halte sind nach Fahrstrecke geordnet: geschätzt %(km)s km.") % {"km": f"{km:.0f}"}
        )
    return _back(tour)


@planner_required
@require_POST
def assign(request, pk: int):
    tour = _tour(request, pk)
    form = _assign_form(tour, request.POST)
    if not form.is_valid():
        messages.error(request, _("Bitte wählen Sie Team und Koffer aus der Liste."))
        return _back(tour)
    team = form.team_map.get(form.cleaned_data["team"])
    kit = form.kit_map.get(form.cleaned_data["kit"])
    return _action(
        request,
        tour,
        lambda: tours.assign(tour, team=team, kit=kit, actor=request.user),
        _("Team und Bürgerkoffer sind zugewiesen."),
    )


@planner_required
@require_POST
def publish(request, pk: int):
    tour = _tour(request, pk)
    return _action(
        request,
        tour,
        lambda: tours.publish(tour, actor=request.user),
        _("Die Tour ist veröffentlicht: Die Halte stehen auf der Karte und sind buchbar."),
    )


@planner_required
@require_POST
def stop_remove(request, pk: int, stop_pk: int):
    tour = _tour(request, pk)
    stop = get_object_or_404(tour.stops, pk=stop_pk)
    return _action(
        request, tour, lambda: tours.remove_stop(stop, actor=request.user), _("Der Halt ist entfernt.")
    )


@planner_required
@require_POST
def stop_cancel(request, pk: int, stop_pk: int):
    tour = _tour(request, pk)
    stop = get_object_or_404(tour.stops, pk=stop_pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Bitte geben Sie einen Grund an; er wird den gebuchten Personen mitgeteilt.")
        )
        return _back(tour)
    try:
        count = tours.cancel_stop(stop, reason=form.cleaned_data["reason"], actor=request.user)
    except tours.TourError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Der Halt ist abgesagt; %(count)s gebuchte Personen werden per E-Mail informiert.")
            % {"count": count},
        )
    return _back(tour)


@planner_required
@require_http_methods(["GET", "POST"])
def resources(request):
    authority = planner_authorities(request.user).order_by("name").first()
    people = [m.user for m in authority.staff_memberships.filter(is_active=True).select_related("user")]
    kit_form = KitForm(request.POST if request.POST.get("form") == "kit" else None, prefix="kit")
    team_data = request.POST if request.POST.get("form") == "team" else None
    team_form = TeamForm(team_data, prefix="team", people=people)
    if request.method == "POST":
        if kit_form.is_bound and kit_form.is_valid():
            data = kit_form.cleaned_data
            if Kit.objects.filter(authority=authority, name=data["name"]).exists():
                kit_form.add_error("name", _("Einen Koffer mit diesem Namen gibt es schon."))
            else:
                Kit.objects.create(authority=authority, **data)
                messages.success(request, _("Der Bürgerkoffer ist angelegt."))
                return redirect("assisted_staff:resources")
        if team_form.is_bound and team_form.is_valid():
            data = team_form.cleaned_data
            if StaffTeam.objects.filter(authority=authority, name=data["name"]).exists():
                team_form.add_error("name", _("Ein Team mit diesem Namen gibt es schon."))
            else:
                team = StaffTeam.objects.create(authority=authority, name=data["name"])
                team.members.set([team_form.people[k] for k in data["members"]])
                messages.success(request, _("Das Team ist angelegt."))
                return redirect("assisted_staff:resources")
    context = {
        "authority": authority,
        "kits": scoped(Kit.objects.all(), request.user).order_by("name"),
        "teams": scoped(StaffTeam.objects.all(), request.user).prefetch_related("members").order_by("name"),
        "kit_form": kit_form,
        "team_form": team_form,
    }
    status = 400 if (kit_form.errors or team_form.errors) else 200
    return render(request, "assisted/staff/resources.html", context, status=status)


def _visits(request):
    return scoped(HomeVisitRequest.objects.all(), request.user).exclude(
        status=HomeVisitRequest.Status.UNCONFIRMED
    )


@planner_required
def home_visits(request):
    rows = _visits(request).select_related("district").order_by("status", "-created_at")
    return render(request, "assisted/staff/home_visits.html", {"visits": rows})


@planner_required
@require_http_methods(["GET", "POST"])
def home_visit_detail(request, pk: int):
    queryset = _visits(request).select_related("district", "authority").prefetch_related("services")
    visit = get_object_or_404(queryset, pk=pk)
    decision = request.POST.get("decision")
    accept_form = AcceptVisitForm(request.POST if decision == "accept" else None, prefix="accept")
    decline_form = ReasonForm(request.POST if decision == "decline" else None, prefix="decline")
    status = 200
    if request.method == "POST":
        try:
            if accept_form.is_bound and accept_form.is_valid():
                data = accept_form.cleaned_data
                starts = local_datetime(data["date"], data["time"])
                homevisits.accept(
                    visit, starts_at=starts, minutes=data["minutes"], note=data["note"], actor=request.user
                )
                messages.success(
                    request, _("Der Hausbesuch ist zugesagt; die Person erhält eine E-Mail mit dem Termin.")
                )
                return redirect("assisted_staff:home_visits")
            if decline_form.is_bound and decline_form.is_valid():
                homevisits.decline(visit, reason=decline_form.cleaned_data["reason"], actor=request.user)
                messages.success(
                    request, _("Die Anfrage ist abgelehnt; die Person erhält die Begründung per E-Mail.")
                )
                return redirect("assisted_staff:home_visits")
            status = 400
        except homevisits.HomeVisitError as error:
            messages.error(request, error.message)
            status = 400
    context = {"visit": visit, "accept_form": accept_form, "decline_form": decline_form}
    return render(request, "assisted/staff/home_visit_detail.html", context, status=status)
