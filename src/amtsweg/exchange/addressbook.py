"""Load the recipient address book (data/adressbuch.json) into `Recipient` rows. Idempotent; keeps the
endpoint,
key and activation an operator changed (only name, districts, address and notes come from the file)."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from amtsweg.exchange.models import SANDBOX_ENDPOINT, Recipient

DATA = Path(__file__).resolve().parent / "data" / "adressbuch.json"


def entries() -> list[dict]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    rows = [dict(item) for item in data["empfaenger"]]
    for n, (ags, authority) in enumerate(sorted(data["kreise"].items()), start=1):
        for template in data["je_kreis"]:
            rows.append(
                {
                    "key": template["key"].format(ags=ags),
                    "kind": template["kind"],
                    "name": template["name"].format(behoerde=authority),
                    "districts": [ags],
                    "dvdv_key": template["dvdv_key"].format(n=f"{n:02d}"),
                    "verified": False,
                    "note": template.get("note", ""),
                }
            )
    for row in rows:
        row.setdefault("dvdv_prefix", data["dvdv_praefix"])
        row.setdefault("dvdv_list", data["dvdv_liste"])
    return rows


@transaction.atomic
def load_address_book() -> dict:
    created = updated = 0
    for row in entries():
        values = {
            "kind": row["kind"],
            "name": row["name"],
            "districts": row["districts"],
            "dvdv_prefix": row["dvdv_prefix"],
            "dvdv_key": row["dvdv_key"],
            "dvdv_list": row["dvdv_list"],
            "street": row.get("street", ""),
            "postal_code": row.get("postal_code", ""),
            "city": row.get("city", ""),
            "verified": bool(row.get("verified")),
            "note": row.get("note", ""),
        }
        recipient = Recipient.objects.filter(key=row["key"]).first()
        if recipient is None:
            Recipient.objects.create(key=row["key"], endpoint=SANDBOX_ENDPOINT, **values)
            created += 1
        else:
            for name, value in values.items():
                setattr(recipient, name, value)
            recipient.save()
            updated += 1
    return {"created": created, "updated": updated}
