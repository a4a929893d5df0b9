"""The device API of the offline Bürgerkoffer under /koffer/api/ (JSON; authenticated by the device token).

Errors have the API's shape `{"error": {"code", "message"}}` with a German message; a revoked device gets
`"wipe": true` and the app deletes everything it stores.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from amtsweg.koffer import services


def _json(data, status=200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def _error(status: int, code: str, message: str, **extra) -> JsonResponse:
    return _json({"error": {"code": code, "message": message}, **extra}, status=status)


def _device(request):
    try:
        return services.authenticate(request.headers.get("Authorization")), None
    except services.DeviceRefused as refused:
        code = "revoked" if refused.wipe else ("forbidden" if refused.status == 403 else "unauthorized")
        return None, _error(refused.status, code, refused.message, wipe=refused.wipe)


@require_GET
def device_status(request):
    device, refused = _device(request)
    if refused:
        return refused
    return _json({"status": "active", "wipe": False, **services.offline_forms(device)})


@csrf_exempt  # a machine endpoint: authenticated by the device token in the Authorization header, no cookies
@require_POST
def sync(request):
    length = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(length)
    except ValueError:
        length = 0
    if length > settings.KOFFER_MAX_BATCH_BYTES:
        return _error(
            413,
            "too_large",
            _(
                "Die Übertragung ist zu groß (höchstens %(kb)d kB je Sendung). "
                "Bitte in kleineren Teilen senden."
            )
            % {"kb": settings.KOFFER_MAX_BATCH_BYTES // 1024},
        )
    device, refused = _device(request)
    if refused:
        return refused
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return _error(400, "malformed", _("Die Sendung ist kein gültiges JSON."))
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        return _error(400, "malformed", _("Die Sendung enthält keine Anträge."))
    if len(items) > settings.KOFFER_MAX_BATCH_ITEMS:
        return _error(
            413,
            "too_many",
            _("Höchstens %(n)d Anträge je Sendung.") % {"n": settings.KOFFER_MAX_BATCH_ITEMS},
        )
    results = services.sync(device, items)
    return _json({"status": "active", "wipe": False, "results": [result.as_dict() for result in results]})
