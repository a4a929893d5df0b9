"""The case engine's part of the GDPR export and of account deletion.

The export lists the person's cases (number, procedure, authority, state, dates) and drafts. The content of a
submission is encrypted for the authority and cannot be read by the portal; the citizen asks the authority
for it (Art. 15 DSGVO), which is said in the export.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from amtsweg.accounts.privacy import on_account_deletion, personal_data_section


@personal_data_section("antraege", title=gettext_lazy("Anträge"), order=50)
def export_cases(user) -> dict:
    from amtsweg.cases.models import Case, Draft
    from amtsweg.procedures import registry

    def title(key):
        return registry.get(key).title if registry.is_registered(key) else key

    return {
        "Hinweis": (
            "Der Inhalt Ihrer Anträge ist für die zuständige Behörde verschlüsselt. "
            "Eine Auskunft über den Inhalt "
            "erhalten Sie von der Behörde selbst."
        ),
        "Anträge": [
            {
                "Vorgangsnummer": case.number,
                "Verfahren": title(case.procedure_key),
                "Behörde": case.authority.name,
                "Status": case.get_state_display(),
                "eingereicht am": case.submitted_at,
                "abgeschlossen am": case.closed_at,
            }
            for case in Case.objects.for_citizen(user).select_related("authority")
        ],
        "Entwürfe": [
            {
                "Verfahren": title(draft.procedure_key),
                "zuletzt bearbeitet": draft.updated_at,
                "Status": draft.get_status_display(),
            }
            for draft in Draft.objects.for_citizen(user)
        ],
    }


@on_account_deletion("antraege", order=50)
def erase_drafts(user) -> list[str]:
    from amtsweg.cases.models import Draft
    from amtsweg.cases.services import delete_draft

    for draft in Draft.objects.filter(owner=user):
        if draft.status == Draft.Status.OPEN:
            delete_draft(draft)
        else:
            draft.delete()
    return [
        str(
            gettext_lazy(
                "Ihre Antragsentwürfe wurden gelöscht; "
                "eingereichte Anträge führt die zuständige Behörde weiter."
            )
        )
    ]
