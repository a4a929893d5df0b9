"""The installable app under /koffer/: the shell, one offline form per procedure, manifest and service worker.

These pages hold no personal data and no session data (they are cached on the device): the device
authenticates its API calls with its token, the citizen's data stay encrypted in the browser until synced.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from amtsweg.cases.forms import step_form
from amtsweg.koffer import services
from amtsweg.procedures import registry

CACHE_VERSION = "koffer-v1"


def _no_store(response):
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def app(request):
    return _no_store(render(request, "koffer/app.html", {}))


@require_GET
def offline_form(request, key: str):
    if not registry.is_registered(key):
        raise Http404(_("Dieses Verfahren ist nicht bekannt."))
    procedure = registry.get(key)
    if not services.works_offline(procedure):
        raise Http404(_("Dieses Verfahren kann nicht offline erfasst werden."))
    sections = []
    for step in procedure.steps:
        fields = [item for item in step.fields if item.kind != "file"]
        if fields:
            sections.append({"step": step, "form": step_form(procedure, fields, prefix=None)})
    skipped = [item.label for step in procedure.steps for item in step.fields if item.kind == "file"]
    context = {
        "procedure": procedure,
        "sections": sections,
        "skipped": skipped,
        "identification_methods": [
            ("ausweis_gesehen", _("Ausweis von mir geprüft")),
            ("eid", _("Online-Ausweis (eID)")),
        ],
    }
    return _no_store(render(request, "koffer/form.html", context))


@require_GET
def manifest(request):
    response = render(
        request,
        "koffer/manifest.webmanifest",
        {"icon": static("koffer/icon.svg"), "start": reverse("koffer:app"), "scope": reverse("koffer:app")},
        content_type="application/manifest+json; charset=utf-8",
    )
    return _no_store(response)


@require_GET
def service_worker(request):
    precache = [
        reverse("koffer:app"),
        reverse("koffer:manifest"),
        static("vendor/kern/fonts/fira-sans.css"),
        static("vendor/kern/kern.min.css"),
        static("css/amtsweg.css"),
        static("koffer/koffer.css"),
        static("koffer/store.js"),
        static("koffer/app.js"),
        static("koffer/form.js"),
        static("koffer/icon.svg"),
    ]
    response = render(
        request,
        "koffer/sw.js",
        {
            "version": json.dumps(CACHE_VERSION),
            "precache": json.dumps(precache),
            "scope": json.dumps(reverse("koffer:app")),
            "api": json.dumps(reverse("koffer:app") + "api/"),
            "static": json.dumps(settings.STATIC_URL),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = reverse("koffer:app")
    response["Cache-Control"] = "no-cache"
    return response
