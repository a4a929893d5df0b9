"""Authority pages: A–Z list with a district filter, and one page per authority. Thin: parse, call, render."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from itertools import groupby

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from amtsweg.directory import services
from amtsweg.directory.hours import OfficeCalendar
from amtsweg.directory.models import Authority
from amtsweg.regions import services as regions

MAX_FILTER_LENGTH = 16


def _letter(text: str) -> str:
    first = unicodedata.normalize("NFKD", text.strip()[:1]).encode("ascii", "ignore").decode().upper()
    return first if first.isalpha() else "#"


def _sort_key(authority: Authority) -> tuple[str, str]:
    folded = unicodedata.normalize("NFKD", authority.sort_name).encode("ascii", "ignore").decode().casefold()
    return folded, authority.key


@require_safe
def authority_list(request):
    districts = list(regions.all_districts())
    selected = None
    error = ""
    status = 200
    raw = request.GET.get("kreis", "")
    if raw:
        value = raw.strip()
        selected = (
            next((d for d in districts if d.ags == value), None) if len(value) <= MAX_FILTER_LENGTH else None
        )
        if selected is None:
            error = _("Diesen Kreis gibt es nicht. Bitte wählen Sie einen Kreis aus der Liste.")
            status = 400

    queryset = Authority.objects.select_related("district").only(
        "key", "name", "short_name", "kind", "level", "is_generated", "district__ags", "district__name"
    )
    if selected is not None:
        queryset = queryset.filter(district=selected)
    elif status == 400:
        queryset = queryset.none()
    authorities = sorted(queryset, key=_sort_key)
    groups = [
        (letter, list(items)) for letter, items in groupby(authorities, key=lambda a: _letter(a.sort_name))
    ]
    return render(
        request,
        "directory/list.html",
        {
            "districts": districts,
            "selected": selected,
            "error": error,
            "groups": groups,
            "letters": [letter for letter, _items in groups],
            "count": len(authorities),
        },
        status=status,
    )


@require_safe
def authority_detail(request, key: str):
    authority = services.authority_by_key(key)
    if authority is None:
        raise Http404(_("Diese Behörde gibt es nicht."))
    now = timezone.localtime()
    today = now.date()
    week_start = today - timedelta(days=today.weekday())
    offices = []
    for office in authority.offices.all():
        calendar = OfficeCalendar(office, start=week_start)
        status = services.open_status(calendar, now)
        offices.append(
            {
                "office": office,
                "status": status,
                "week": services.week_overview(calendar, week_start),
                "closures": services.upcoming_closures(calendar, today, days=60),
            }
        )
    map_office = next((o["office"] for o in offices if o["office"].has_coordinates), None)
    return render(
        request,
        "directory/detail.html",
        {
            "authority": authority,
            "offices": offices,
            "today": today,
            "map_office": map_office,
            "tile_url": settings.TILE_URL,
            "sections": services.page_sections(request, authority),
        },
    )
