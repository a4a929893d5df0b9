"""Demo data: one registered Bürgerterminal with a published (obviously non-secret) device code."""

from __future__ import annotations

from amtsweg.core.demo import demo_loader

DEMO_TOKEN = "bt_DEMO-nur-fuer-die-Vorfuehrung"  # noqa: S105 (published demo code, not a secret)


@demo_loader(order=70)
def load_kiosk() -> list[str]:
    from amtsweg.assisted.models import Site
    from amtsweg.kiosk.models import Terminal
    from amtsweg.kiosk.services import hash_token

    site = Site.objects.filter(kind=Site.Kind.TERMINAL).order_by("pk").first()
    if site is None:
        return []
    Terminal.objects.get_or_create(
        token_sha256=hash_token(DEMO_TOKEN),
        defaults={"site": site, "name": "Demo-Terminal (erfunden)", "token_hint": DEMO_TOKEN[:8]},
    )
    return [f"Bürgerterminal: /kiosk/aktivieren/ mit dem Gerätecode {DEMO_TOKEN} ({site.name})"]
