"""WSGI entry of the submission benchmark: the real application plus the documented example procedure and a
baseline view that inserts N rows through the Django ORM in one transaction (no engine, no encryption)."""

from __future__ import annotations

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

from django.db import transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

from amtsweg.accounts.services import citizen_required  # noqa: E402
from amtsweg.config import urls  # noqa: E402
from amtsweg.procedures.examples.minimal import DogLicence  # noqa: E402
from amtsweg.procedures.registry import register  # noqa: E402

register(DogLicence)


@citizen_required
def baseline(request, n):
    from amtsweg.cases.models import OutboxMessage

    with transaction.atomic():
        OutboxMessage.objects.bulk_create(
            [OutboxMessage(kind="bench", status="done", payload={"i": i}) for i in range(min(n, 100))]
        )
    return HttpResponse("ok")


urls.urlpatterns.insert(0, path("bench/baseline/<int:n>/", baseline))
