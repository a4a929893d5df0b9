"""Demo data of the case engine (order 60): key pairs for the authorities that have staff or are state bodies.

Other authorities get their key pair on their first submission (AMTSWEG_AUTO_AUTHORITY_KEYS is on
in demo mode),
so the demo starts in seconds instead of generating hundreds of RSA keys.
"""

from __future__ import annotations

from django.db.models import Q

from amtsweg.core.demo import demo_loader


@demo_loader(order=60)
def load_case_keys() -> list[str]:
    from amtsweg.cases import crypto
    from amtsweg.directory.models import Authority

    if not crypto.private_keys_enabled():
        return []
    wanted = Authority.objects.filter(
        Q(staff_memberships__is_active=True) | Q(level=Authority.Level.LAND)
    ).distinct()
    for authority in wanted:
        crypto.ensure_key(authority)
    return []
