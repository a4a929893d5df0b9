"""What the map, the list view and the open data show: public sites and upcoming Bürgerkoffer stops.

One function (`locations`) answers for all three, so the list view for people who do not use maps has
exactly the map's content. Filters: type, service, district, date, and "near a place" (sorts by distance and
shows it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.assisted import geo
from amtsweg.assisted.models import LocationKind, Site, SiteHours, TourStop
from amtsweg.assisted.slots import TZ, closure_reason, fmt_day, fmt_when, local_datetime, offers
from amtsweg.catalog.models import Service

STOPS_AHEAD_DAYS = 120
LOOKAHEAD_DAYS = 21


@dataclass
class Filters:
    kind: str | None = None
    service: Service | None = None
    district: object | None = None
    day: date | None = None
    near_name: str | None = None
    near: tuple[float, float] | None = None

    @property
    def active(self) -> bool:
        return any([self.kind, self.service, self.district, self.day, self.near])


@dataclass
class Location:
    key: str
    kind: str
    kind_label: str
    name: str
    address: str
    city: str
    district_ags: str
    district_name: str
    lat: float
    lon: float
    services: list[tuple[str, str]]
    when_text: str
    detail_url: str
    booking_url: str | None
    is_demo: bool
    accessibility: str = ""
    step_free: bool = False
    host_label: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    next_at: datetime | None = None
    distance_km: float | None = None
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        """The shape the map script reads (and, with absolute URLs, the GeoJSON properties)."""
        return {
            "id": self.key,
            "type": self.kind,
            "type_label": self.kind_label,
            "name": self.name,
            "address": self.address,
            "district": self.district_ags,
            "district_name": self.district_name,
            "lat": round(self.lat, 6),
            "lon": round(self.lon, 6),
            "services": [{"key": k, "name": n} for k, n in self.services],
            "next_text": self.when_text,
            "next": self.next_at.isoformat() if self.next_at else None,
            "starts_at": self.starts_at.isoformat() if self.starts_at else None,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "url": self.detail_url,
            "booking_url": self.booking_url,
            "demo": self.is_demo,
            "accessibility": self.accessibility,
            "step_free": self.step_free,
            "distance_km": round(self.distance_km, 1) if self.distance_km is not None else None,
        }


# --- next opening of a site ---------------------------------------------------------------------------------


def site_next_opening(site: Site, now: datetime | None = None) -> tuple[str, datetime | None]:
    """("Jetzt geöffnet bis 16:00", now) or ("Nächste Öffnung: Montag, 01.12.2026, 08:00", that moment)."""
    now = now or timezone.now()
    hours = list(site.hours.all())
    if not hours:
        return _("Keine Öffnungszeiten hinterlegt"), None
    local = now.astimezone(TZ)
    for offset in range(LOOKAHEAD_DAYS):
        day = local.date() + timedelta(days=offset)
        if closure_reason(site, day):
            continue
        for interval in sorted((h for h in hours if h.weekday == day.weekday()), key=lambda h: h.opens):
            opens = local_datetime(day, interval.opens)
            closes = local_datetime(day, interval.closes)
            if opens <= now < closes:
                return _("Jetzt geöffnet bis %(time)s") % {"time": f"{closes:%H:%M}"}, now
            if opens > now:
                return _("Nächste Öffnung: %(when)s") % {"when": fmt_when(opens)}, opens
    return _("In den nächsten drei Wochen geschlossen"), None


def _site_open_on(site: Site, day: date) -> bool:
    return any(h.weekday == day.weekday() for h in site.hours.all()) and not closure_reason(site, day)


# --- queries ------------------------------------------------------------------------------------------------


def _services(obj) -> list[tuple[str, str]]:
    return [(s.key, s.display_name) for s in obj.services.all()]


def public_sites():
    return (
        Site.objects.filter(is_public=True)
        .select_related("district", "place", "authority")
        .prefetch_related(
            "services",
            Prefetch("hours", queryset=SiteHours.objects.order_by("weekday", "opens")),
            "slot_rules",
        )
        .order_by("name")
    )


def upcoming_stops(now: datetime | None = None, days: int = STOPS_AHEAD_DAYS):
    now = now or timezone.now()
    return (
        TourStop.objects.bookable(now)
        .filter(starts_at__lte=now + timedelta(days=days))
        .select_related("tour", "district", "place")
        .prefetch_related("services")
        .order_by("starts_at", "pk")
    )


def site_location(site: Site, now: datetime | None = None, *, with_slot: bool = True) -> Location:
    text, moment = site_next_opening(site, now)
    booking_url = None
    if site.slot_rules.all():
        booking_url = reverse("assisted:book_site", kwargs={"slug": site.slug})
        if with_slot:
            first = offers(site, now=now, limit=1)
            if first:
                text = f"{text} · " + _("Nächster freier Termin: %(when)s") % {
                    "when": fmt_when(first[0].starts_at)
                }
    return Location(
        key=f"site-{site.pk}",
        kind=site.kind,
        kind_label=str(LocationKind(site.kind).label),
        name=site.name,
        address=site.address,
        city=site.city,
        district_ags=site.district.ags,
        district_name=site.district.full_name,
        lat=site.lat,
        lon=site.lon,
        services=_services(site),
        when_text=text,
        detail_url=site.get_absolute_url(),
        booking_url=booking_url,
        is_demo=site.is_demo,
        accessibility=site.accessibility,
        step_free=site.step_free,
        host_label=site.get_host_display(),
        next_at=moment,
    )


def stop_location(stop: TourStop) -> Location:
    local_start = stop.starts_at.astimezone(TZ)
    local_end = stop.ends_at.astimezone(TZ)
    text = _("Nächster Halt: %(day)s, %(start)s–%(end)s Uhr") % {
        "day": fmt_day(local_start),
        "start": f"{local_start:%H:%M}",
        "end": f"{local_end:%H:%M}",
    }
    return Location(
        key=f"stop-{stop.pk}",
        kind=LocationKind.STOP.value,
        kind_label=str(LocationKind.STOP.label),
        name=stop.name,
        address=stop.address,
        city=stop.city,
        district_ags=stop.district.ags,
        district_name=stop.district.full_name,
        lat=stop.lat,
        lon=stop.lon,
        services=_services(stop),
        when_text=text,
        detail_url=stop.get_absolute_url(),
        booking_url=reverse("assisted:book_stop", kwargs={"pk": stop.pk}),
        is_demo=stop.tour.is_demo,
        accessibility=stop.accessibility,
        starts_at=stop.starts_at,
        ends_at=stop.ends_at,
        next_at=stop.starts_at,
        extra={"tour": stop.tour.title},
    )


def locations(filters: Filters | None = None, now: datetime | None = None) -> list[Location]:
    filters = filters or Filters()
    now = now or timezone.now()
    result: list[Location] = []
    if filters.kind in (None, LocationKind.TERMINAL, LocationKind.OFFICE):
        sites = public_sites()
        if filters.kind:
            sites = sites.filter(kind=filters.kind)
        if filters.district is not None:
            sites = sites.filter(district=filters.district)
        if filters.service is not None:
            sites = sites.filter(services=filters.service)
        for site in sites:
            if filters.day and not _site_open_on(site, filters.day):
                continue
            result.append(site_location(site, now))
    if filters.kind in (None, LocationKind.STOP):
        stops = upcoming_stops(now)
        if filters.district is not None:
            stops = stops.filter(district=filters.district)
        if filters.service is not None:
            stops = stops.filter(services=filters.service)
        if filters.day:
            start = local_datetime(filters.day, time(0, 0))
            stops = stops.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
        result.extend(stop_location(stop) for stop in stops)
    if filters.near:
        for location in result:
            location.distance_km = geo.haversine_km(filters.near, (location.lat, location.lon))
        result.sort(key=lambda loc: (loc.distance_km, loc.next_at or now))
    else:
        order = {LocationKind.STOP.value: 0, LocationKind.TERMINAL.value: 1, LocationKind.OFFICE.value: 2}
        result.sort(key=lambda loc: (order.get(loc.kind, 9), loc.starts_at or now, loc.name))
    return result


def offered_services():
    """Services offered at any public site or upcoming stop (the choices of the service filter)."""
    stop_ids = upcoming_stops().values("pk")
    return (
        Service.objects.filter(Q(assisted_sites__is_public=True) | Q(assisted_stops__in=stop_ids))
        .distinct()
        .order_by("name")
    )


def geojson(now: datetime | None = None) -> dict:
    features = []
    for location in locations(now=now):
        props = location.as_json()
        props["url"] = settings.BASE_URL + location.detail_url
        if location.booking_url:
            props["booking_url"] = settings.BASE_URL + location.booking_url
        lat, lon = props.pop("lat"), props.pop("lon")
        props.pop("distance_km")
        features.append(
            {
                "type": "Feature",
                "id": location.key,
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": props,
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "amtsweg-vor-ort",
        "generated_at": (now or timezone.now()).isoformat(),
        "license": "dl-de/zero-2-0",
        "description": _(
            "Bürgerterminals, Bürgerbüros mit Terminbuchung und die kommenden Sprechstunden mit dem "
            "Bürgerkoffer in Sachsen. Einträge mit demo=true sind erfundene Beispieldaten."
        ),
        "features": features,
    }
