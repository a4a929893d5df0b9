"""Demo data of the back office (order 65): letter settings with an obviously fictional signatory for every
authority that has demo staff."""

from __future__ import annotations

from amtsweg.core.demo import demo_loader


@demo_loader(order=65)
def load_backoffice_settings() -> list[str]:
    from amtsweg.backoffice.models import LetterSettings
    from amtsweg.directory.models import Authority

    authorities = Authority.objects.filter(staff_memberships__is_active=True).distinct()
    for authority in authorities:
        LetterSettings.objects.get_or_create(
            authority=authority,
            defaults={
                "signatory_name": "Dr. Dora Demo (fiktiv)",
                "signatory_title": "Amtsleiterin",
                "letterhead": f"{authority.name}\nDemo-Briefkopf – keine echte Behörde",
                "footer": "Dies ist ein Demo-Schreiben ohne Rechtswirkung.",
            },
        )
    if not authorities:
        return []
    return ["Sachbearbeitung: /verwaltung/vorgaenge/ (Arbeitsliste, Bescheide, Freigaben unter /freigaben/)"]
