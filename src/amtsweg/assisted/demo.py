"""Demo data (order 60): Bürgerterminals and Bürgerkoffer tours in the Saxon pilot regions, all marked "Demo".

The towns follow the pilots in the domain brief: terminals in the Vogtlandkreis (Auerbach, Lengenfeld,
Markneukirchen, Treuen, Reuth) and the Landkreis Görlitz (Görlitz, Niesky); Bürgerkoffer tours in Sächsische
Schweiz-Osterzgebirge and the Vogtlandkreis (with a stop near Plauen), in Limbach-Oberfrohna and Schkeuditz.
The addresses are invented; every name carries "(Demo)" and every row `is_demo=True`.

Tour dates are relative to today (the next working days), so the demo always has upcoming stops: a demo tour
is created again only when its last copy lies in the past. Everything else is get_or_create, so a second run
changes nothing. A draft tour in the Erzgebirgskreis is left for the demo staff member "demo-buergerkoffer"
to plan.
"""

from __future__ import annotations

from datetime import date, time

from django.conf import settings
from django.utils import timezone

from amtsweg.assisted import tours
from amtsweg.assisted.models import HomeVisitRequest, Kit, Site, SiteHours, SlotRule, StaffTeam, Tour
from amtsweg.catalog.models import Service
from amtsweg.core.demo import demo_loader
from amtsweg.directory import services as directory
from amtsweg.directory.models import Authority
from amtsweg.regions.models import District, Place

ID_SERVICES = ["personalausweis-beantragen", "reisepass-beantragen", "vorlaeufiger-personalausweis"]
REGISTER_SERVICES = ["meldebescheinigung", "wohnsitz-anmelden", "fuehrungszeugnis", "beglaubigung"]
COUNTY_SERVICES = ["wohngeld", "bafoeg", "schwerbehindertenausweis", "elterngeld"]
ALL_SERVICES = ID_SERVICES + REGISTER_SERVICES
STEP_FREE = "Stufenloser Zugang, Terminal mit höhenverstellbarem Bildschirm (Demo-Angabe)."
NOT_STEP_FREE = "Zwei Stufen am Eingang, Klingel für Hilfe (Demo-Angabe)."
KIT_EQUIPMENT = (
    "Laptop, Dokumentenscanner, Drucker, Ausweisleser, Fotoeinheit, Fingerabdruckscanner, Unterschriftenpad, "
    "LTE-Router mit VPN"
)

# slug, kind, host, name, street, postal code, place name, district, lat, lon, video, services
SITES = [
    ("demo-terminal-auerbach", "terminal", "rathaus",
     "Bürgerterminal im Rathaus Auerbach (Demo)",
     "Nicolaistraße 1", "08209", "Auerbach/Vogtland", "14523", 50.51155, 12.40083, True, ALL_SERVICES),
    ("demo-terminal-lengenfeld", "terminal", "bibliothek",
     "Bürgerterminal in der Stadtbibliothek Lengenfeld (Demo)",
     "Hauptstraße 12", "08485", "Lengenfeld", "14523", 50.5694, 12.36408, True, REGISTER_SERVICES),
    ("demo-terminal-markneukirchen", "terminal", "bank",
     "Bürgerterminal in der Sparkasse Markneukirchen (Demo)",
     "Am Markt 4", "08258", "Markneukirchen", "14523", 50.31144, 12.32951, True, ALL_SERVICES),
    ("demo-terminal-treuen", "terminal", "rathaus",
     "Bürgerterminal im Rathaus Treuen (Demo)",
     "Markt 7", "08233", "Treuen", "14523", 50.54247, 12.30339, True, ALL_SERVICES + COUNTY_SERVICES),
    ("demo-terminal-reuth", "terminal", "seniorenresidenz",
     "Bürgerterminal in der Seniorenresidenz Reuth (Demo)",
     "Dorfstraße 3", "08538", None, "14523", 50.4845, 11.9720, False, REGISTER_SERVICES),
    ("demo-terminal-goerlitz", "terminal", "bibliothek",
     "Bürgerterminal in der Stadtbibliothek Görlitz (Demo)",
     "Jochmannstraße 2", "02826", "Görlitz", "14626", 51.15518, 14.98853, True,
     ID_SERVICES + COUNTY_SERVICES),
    ("demo-terminal-niesky", "terminal", "seniorenresidenz",
     "Bürgerterminal im Seniorenzentrum Niesky (Demo)",
     "Muskauer Straße 20", "02906", "Niesky", "14626", 51.29241, 14.82107, False, REGISTER_SERVICES),
    ("demo-buergerbuero-plauen", "buergerbuero", "dienststelle",
     "Bürgerbüro Plauen (Demo)",
     "Unterer Graben 1", "08523", "Plauen", "14523", 50.4955, 12.1380, False, ALL_SERVICES),
]  # fmt: skip

# district, title, working day offset, depot, stops: (name, place, kind, minutes, services)
TOURS = [
    ("14523", "Bürgerkoffer Vogtland Nord (Demo)", 2, "Landratsamt Vogtlandkreis, Plauen", [
        ("Gemeindeamt Weischlitz (Demo)", "Weischlitz", "oeffentlich", 120, ALL_SERVICES),
        ("Pflegeheim Elstertal (Demo)", "Elsterberg", "pflegeheim", 90, ID_SERVICES),
        ("Rathaus Pausa-Mühltroff (Demo)", "Pausa-Mühltroff", "oeffentlich", 90, ALL_SERVICES),
        ("Rathaus Treuen (Demo)", "Treuen", "oeffentlich", 90, ID_SERVICES + COUNTY_SERVICES),
    ]),
    ("14523", "Bürgerkoffer Oberes Vogtland (Demo)", 7, "Landratsamt Vogtlandkreis, Plauen", [
        ("Kurhaus Bad Elster (Demo)", "Bad Elster", "oeffentlich", 90, ALL_SERVICES),
        ("Rathaus Adorf (Demo)", "Adorf/Vogtland", "oeffentlich", 90, ID_SERVICES),
        ("Rathaus Oelsnitz (Demo)", "Oelsnitz/Vogtland", "oeffentlich", 90, ID_SERVICES + COUNTY_SERVICES),
    ]),
    ("14628", "Bürgerkoffer Sächsische Schweiz (Demo)", 3, "Landratsamt, Pirna", [
        ("Rathaus Sebnitz (Demo)", "Sebnitz", "oeffentlich", 120, ID_SERVICES + COUNTY_SERVICES),
        ("Bürgerhaus Bad Schandau (Demo)", "Bad Schandau", "oeffentlich", 90, ALL_SERVICES),
        ("Rathaus Königstein (Demo)", "Königstein", "oeffentlich", 90, COUNTY_SERVICES + ID_SERVICES),
        ("Rathaus Neustadt in Sachsen (Demo)", "Neustadt in Sachsen", "oeffentlich", 60, ID_SERVICES),
    ]),
    ("14628", "Bürgerkoffer Osterzgebirge (Demo)", 9, "Landratsamt, Pirna", [
        ("Rathaus Altenberg (Demo)", "Altenberg", "oeffentlich", 90, ID_SERVICES + COUNTY_SERVICES),
        ("Rathaus Glashütte (Demo)", "Glashütte", "oeffentlich", 90, ID_SERVICES),
        ("Seniorenheim Dippoldiswalde (Demo)", "Dippoldiswalde", "pflegeheim", 90, ID_SERVICES),
    ]),
    ("14524", "Bürgerkoffer Limbach-Oberfrohna (Demo)", 4, "Landratsamt Zwickau", [
        ("Rathaus Limbach-Oberfrohna (Demo)", "Limbach-Oberfrohna", "oeffentlich", 180, ALL_SERVICES),
    ]),
    ("14730", "Bürgerkoffer Schkeuditz (Demo)", 5, "Landratsamt Nordsachsen, Torgau", [
        ("Rathaus Schkeuditz (Demo)", "Schkeuditz", "oeffentlich", 180, ALL_SERVICES + COUNTY_SERVICES),
    ]),
]  # fmt: skip

DRAFT_TOUR = (
    "14521",
    "Bürgerkoffer Erzgebirge – zum Planen (Demo)",
    6,
    "Landratsamt Erzgebirgskreis, Annaberg-Buchholz",
    [
        ("Rathaus Oberwiesenthal (Demo)", "Oberwiesenthal", "oeffentlich", 90, ID_SERVICES),
        ("Rathaus Ehrenfriedersdorf (Demo)", "Ehrenfriedersdorf", "oeffentlich", 90, ID_SERVICES),
        ("Rathaus Scheibenberg (Demo)", "Scheibenberg", "oeffentlich", 90, ID_SERVICES),
        ("Rathaus Thum (Demo)", "Thum", "oeffentlich", 90, ID_SERVICES),
    ],
)


def _services(keys):
    return list(Service.objects.filter(key__in=keys))


def _authority(ags: str) -> Authority:
    authority = directory.authority_for_district(ags)
    if authority is not None:
        return authority
    district = District.objects.get(ags=ags)
    authority, _created = Authority.objects.get_or_create(
        key=f"demo-landratsamt-{ags}",
        defaults={
            "name": f"Landratsamt {district.name} (Demo)",
            "district": district,
            "level": "kreis",
            "kind": "landratsamt",
        },
    )
    return authority


def working_day(offset: int, today: date | None = None) -> date:
    """The `offset`-th working day after today (Saxon holidays and weekends skipped)."""
    day = today or timezone.localdate()
    for _ in range(offset):
        day = directory.next_working_day(day)
    return day


def _place(name: str | None, ags: str) -> Place | None:
    if not name:
        return None
    return Place.objects.filter(name=name, district__ags=ags).first()


def _add_hours_and_rules(site: Site, kind: str, video: bool) -> None:
    days = range(5) if kind == "buergerbuero" else (0, 1, 3, 4)
    for weekday in days:
        SiteHours.objects.create(site=site, weekday=weekday, opens=time(8), closes=time(16))
    if kind == "buergerbuero":
        for weekday in range(5):
            SlotRule.objects.create(
                site=site, weekday=weekday, starts=time(8), ends=time(12), slot_minutes=15, capacity=2
            )
        SlotRule.objects.create(
            site=site, weekday=1, starts=time(13), ends=time(18), slot_minutes=15, capacity=2
        )
    elif video:
        for weekday in (1, 3):
            SlotRule.objects.create(
                site=site,
                weekday=weekday,
                starts=time(9),
                ends=time(12),
                slot_minutes=30,
                capacity=1,
                label="Videoberatung",
            )


def load_sites() -> None:
    for slug, kind, host, name, street, code, place_name, ags, lat, lon, video, keys in SITES:
        place = _place(place_name, ags)
        site, created = Site.objects.get_or_create(
            slug=slug,
            defaults={
                "authority": _authority(ags),
                "kind": kind,
                "host": host,
                "name": name,
                "street": street,
                "postal_code": code,
                "city": place.name if place else "Reuth",
                "district": District.objects.get(ags=ags),
                "place": place,
                "lat": lat,
                "lon": lon,
                "video_consultation": video,
                "step_free": host != "bank",
                "accessibility": STEP_FREE if host != "bank" else NOT_STEP_FREE,
                "hours_note": "Erfundene Öffnungszeiten (Demo).",
                "is_demo": True,
                "lead_time_hours": 2,
                "booking_window_days": 60,
            },
        )
        if created:
            site.services.set(_services(keys))
            _add_hours_and_rules(site, kind, video)


def _kit_and_team(authority: Authority, label: str) -> tuple[Kit, StaffTeam]:
    kit, _created = Kit.objects.get_or_create(
        authority=authority,
        name=f"Bürgerkoffer {label} (Demo)",
        defaults={
            "inventory_number": f"DEMO-{authority.pk:03d}",
            "equipment": KIT_EQUIPMENT,
            "is_demo": True,
        },
    )
    team, _created = StaffTeam.objects.get_or_create(
        authority=authority, name=f"Team {label} (Demo)", defaults={"is_demo": True}
    )
    members = [m.user for m in authority.staff_memberships.filter(is_active=True, assisted_operator=True)]
    if members:
        team.members.add(*members)
    return kit, team


def _build_tour(spec, *, publish: bool) -> Tour | None:
    ags, title, offset, depot_name, stops = spec
    authority = _authority(ags)
    today = timezone.localdate()
    upcoming = Tour.objects.filter(authority=authority, title=title, date__gte=today)
    if upcoming.exclude(status=Tour.Status.CANCELLED).exists():
        return None
    district = District.objects.get(ags=ags)
    kit, team = _kit_and_team(authority, district.name)
    tour = tours.create_tour(
        authority,
        title=title,
        day=working_day(offset),
        start=time(8),
        end=time(17),
        depot_name=depot_name,
        depot_lat=district.lat,
        depot_lon=district.lon,
        is_demo=True,
    )
    for name, place_name, kind, minutes, keys in stops:
        place = _place(place_name, ags)
        if place is None or place.lat is None:
            continue
        tours.add_stop(
            tour,
            name=name,
            city=place.name,
            district=district,
            place=place,
            lat=place.lat,
            lon=place.lon,
            street="Markt 1",
            postal_code=(place.postal_codes.order_by("code").values_list("code", flat=True).first() or ""),
            duration_minutes=minutes,
            kind=kind,
            services=_services(keys),
            accessibility="Erdgeschoss, stufenlos (Demo-Angabe).",
        )
    tours.optimise(tour)
    if tours.kit_conflict(tour, kit) is None:
        tours.assign(tour, team=team, kit=kit)
        if publish:
            tours.publish(tour)
    return tour


def load_home_visit() -> None:
    authority = _authority("14521")
    if HomeVisitRequest.objects.filter(authority=authority, is_demo=True).exists():
        return
    visit = HomeVisitRequest.objects.create(
        authority=authority,
        district=District.objects.get(ags="14521"),
        name="Gertrud Beispiel (Demo)",
        email="gertrud.beispiel@example.org",
        phone="03733 000000",
        street="Bergstraße 5",
        postal_code="09456",
        city="Annaberg-Buchholz",
        reason="Pflegegrad 4, bettlägerig; der Personalausweis läuft ab (Demo-Anfrage).",
        preferred_times="vormittags",
        status=HomeVisitRequest.Status.REQUESTED,
        confirmed_at=timezone.now(),
        is_demo=True,
    )
    visit.services.set(_services(["personalausweis-beantragen"]))


@demo_loader(order=60)
def load_assisted() -> list[str]:
    if not (settings.DEMO or settings.TESTING or settings.DEBUG):
        return []
    load_sites()
    for spec in TOURS:
        _build_tour(spec, publish=True)
    _build_tour(DRAFT_TOUR, publish=False)
    load_home_visit()
    return []
