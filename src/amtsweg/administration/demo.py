"""Demo data of the authority administration (order 90, after accounts and the back office).

Demo mode only; the people are invented. The town's administrator (demo-stadt-leitung) finds a second case
worker, a planned absence with a substitute, a letterhead with a signatory and a processing target; a
state-level auditor at the Landesdirektion sees the statistics of every authority.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from amtsweg.core.demo import demo_loader


@demo_loader(order=90)
def load_administration_demo() -> list[str]:
    if not (settings.DEMO or settings.TESTING):
        return []
    from amtsweg.accounts.demo import _authorities, _staff
    from amtsweg.accounts.models import User
    from amtsweg.backoffice.models import Absence, LetterSettings, ProcedureSetting
    from amtsweg.directory.models import Authority
    from amtsweg.procedures import registry

    town = _authorities()["stadt"]
    substitute, _uri = _staff("demo-stadt-vertretung", "Tom", "Vertretung-Demo", town, ["case_worker"])
    worker = User.objects.filter(username="demo-stadt-sb").first()
    if worker is not None and not Absence.objects.filter(authority=town, user=worker).exists():
        start = timezone.localdate() + dt.timedelta(days=7)
        Absence.objects.create(
            authority=town,
            user=worker,
            substitute=substitute,
            starts_on=start,
            ends_on=start + dt.timedelta(days=4),
        )
    LetterSettings.objects.get_or_create(
        authority=town,
        defaults={
            "letterhead": f"{town.name}\nBürgeramt (Demo)\nMarkt 1, 09456 Annaberg-Buchholz (Demo-Anschrift)",
            "signatory_name": "Lutz Leiter-Demo",
            "signatory_title": "Leiter des Bürgeramts (Demo)",
        },
    )
    if registry.is_registered("gewerbe-anmeldung"):
        ProcedureSetting.objects.get_or_create(
            authority=town, procedure_key="gewerbe-anmeldung", defaults={"processing_days": 3}
        )
    state = Authority.objects.filter(key="landesdirektion").first()
    if state is None:
        state, _created = Authority.objects.get_or_create(
            key="landesdirektion", defaults={"name": "Landesdirektion Sachsen (Demo)", "level": "land"}
        )
    lines = [
        f"Behördenverwaltung (/verwaltung/behoerde/): demo-stadt-leitung – {town.name}; "
        "Vertretung demo-stadt-vertretung (Tom Vertretung-Demo)",
    ]
    if state.level == Authority.Level.LAND:
        _staff("demo-land-statistik", "Lena", "Landesstatistik-Demo", state, ["auditor"])
        lines.append(
            f"Landesweite Statistik (/verwaltung/statistik/land/): demo-land-statistik – {state.name}, "
            "Prüfung"
        )
    return lines
