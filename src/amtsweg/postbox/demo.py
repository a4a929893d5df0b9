"""Demo data: a sealed decision in the postbox of the first demo citizen (if the accounts demo made one)."""

from __future__ import annotations

import datetime as dt
import logging

from amtsweg.core.demo import demo_loader

logger = logging.getLogger("amtsweg.postbox.demo")


@demo_loader(order=60)
def load_demo_delivery() -> list[str]:
    from amtsweg.accounts.models import User
    from amtsweg.directory.models import Authority
    from amtsweg.documents.defaults import ensure_default_templates
    from amtsweg.documents.pki import init_pki
    from amtsweg.documents.services import DocumentSpec, Fee
    from amtsweg.postbox.models import Delivery
    from amtsweg.postbox.services import Recipient, issue

    init_pki()
    ensure_default_templates()
    if Delivery.objects.filter(reference="demo:bescheid-1").exists():
        return []
    citizen = User.objects.filter(is_staff=False, is_active=True).exclude(email="").order_by("pk").first()
    authority = Authority.objects.filter(offices__isnull=False).order_by("pk").first()
    if citizen is None or authority is None:
        logger.info("no demo citizen or authority with an address yet: no demo decision")
        return []
    name = getattr(citizen, "display_name", "") or citizen.get_username()
    street = getattr(citizen, "street_address", "") or "Musterstraße 1"
    place = (
        " ".join(filter(None, [getattr(citizen, "postal_code", ""), getattr(citizen, "locality", "")]))
        or "01067 Dresden"
    )
    spec = DocumentSpec(
        doc_type="bescheid",
        authority=authority,
        data={
            "betreff": "Bescheid über Ihre Gewerbeanmeldung (DEMO)",
            "anrede": f"Guten Tag {name},",
            "entscheidung": "Ihre Gewerbeanmeldung wird bestätigt. "
            "Dies ist ein Demo-Bescheid ohne rechtliche Wirkung.",
            "begruendung": "Die Angaben Ihrer Anzeige nach § 14 GewO sind vollständig.",
        },
        fees=[Fee("Gewerbeanmeldung", 2600)],
        file_number="DEMO-2026-0001",
        issued_on=dt.date.today(),
    )
    issue(spec, Recipient(name[:60], [street[:60], place[:60]], user=citizen), "demo:bescheid-1")
    return [
        f"Postfach: ein gesiegelter Demo-Bescheid liegt im Postfach von {name}"
        " (/postfach/, prüfen unter /pruefen/)"
    ]
