"""The terminal side: activation by device token, the kiosk start screen, the session wipe, "Mit einer Person
sprechen" (video queue, call page, JSON signalling) and the printed receipt."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth import logout
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import rotate_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amtsweg.kiosk import services
from amtsweg.kiosk.middleware import refuse
from amtsweg.kiosk.models import VideoRequest

COOKIE_MAX_AGE = 5 * 365 * 24 * 3600
# Cookies a citizen's session may leave; the device cookie stays (it is HttpOnly and names no person).
SESSION_COOKIES = ("sessionid", "csrftoken", "messages", "django_language")


def _kiosk_required(view):
    def wrapper(request, *args, **kwargs):
        if request.kiosk_terminal is None:
            return HttpResponseRedirect(reverse("kiosk:activate"))
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@require_http_methods(["GET", "POST"])
def activate(request):
    """Switch this browser into kiosk mode with the device token an administrator received."""
    error = ""
    if request.method == "POST":
        token = (request.POST.get("geraetecode") or "").strip()
        terminal, reason = services.resolve(token)
        if terminal is None:
            error = (
                _("Dieses Terminal ist gesperrt. Bitte wenden Sie sich an Ihre Behörde.")
                if reason == "revoked"
                else _("Der Gerätecode ist ungültig. Bitte prüfen Sie die Eingabe.")
            )
        else:
            response = HttpResponseRedirect(reverse("kiosk:start"))
            response.set_cookie(
                services.COOKIE_NAME,
                token,
                max_age=COOKIE_MAX_AGE,
                httponly=True,
                samesite="Strict",
                secure=request.is_secure(),
                path="/",
            )
            return response
    return render(request, "kiosk/activate.html", {"error": error}, status=403 if error else 200)


def _start_context(request):
    terminal = request.kiosk_terminal
    site = terminal.site
    services_offered = []
    for service in site.services.all().order_by("name"):
        if service.online_procedure:
            url = reverse("cases:start", args=[service.online_procedure])
        else:
            url = service.get_absolute_url()
        services_offered.append({"name": service.name, "url": url, "online": bool(service.online_procedure)})
    return {
        "terminal": terminal,
        "site": site,
        "services_offered": services_offered,
        "video": site.video_consultation,
    }


@_kiosk_required
def start(request):
    return render(request, "kiosk/start.html", _start_context(request))


@_kiosk_required
def reset(request):
    """End the citizen's session: log out, delete the session's cookies, tell the browser to clear its storage
    and cache (Clear-Site-Data), and show the start screen again. The device cookie stays."""
    logout(request)
    request.session.flush()
    rotate_token(request)
    context = _start_context(request)
    context["wiped"] = True
    response = render(request, "kiosk/start.html", context)
    for name in SESSION_COOKIES:
        response.delete_cookie(name, path="/")
    response["Clear-Site-Data"] = '"cache", "storage"'
    response["Cache-Control"] = "no-store"
    return response


# --- video -----------------------------------------------------------------------------------------------


@_kiosk_required
@require_POST
def video_request(request):
    terminal = request.kiosk_terminal
    try:
        video = services.request_video(terminal, request.POST.get("anliegen", ""))
    except services.KioskError as exc:
        return render(
            request,
            "kiosk/no_staff.html",
            {"message": exc.message, "site": terminal.site, "terminal": terminal},
            status=503,
        )
    request.session["kiosk_video"] = str(video.public_id)
    return HttpResponseRedirect(reverse("kiosk:video_call", args=[video.public_id]))


def _own_video(request, public_id) -> VideoRequest:
    video = get_object_or_404(VideoRequest, public_id=public_id, terminal=request.kiosk_terminal)
    if request.session.get("kiosk_video") != str(video.public_id):
        raise Http404
    return video


def ice_servers() -> list:
    return list(getattr(settings, "KIOSK_ICE_SERVERS", []) or [])


@_kiosk_required
def video_call(request, public_id):
    video = _own_video(request, public_id)
    return render(
        request,
        "kiosk/video_call.html",
        {"video": video, "site": video.terminal.site, "ice_servers": json.dumps(ice_servers())},
    )


@_kiosk_required
def video_status(request, public_id):
    video = _own_video(request, public_id)
    VideoRequest.objects.filter(pk=video.pk).update(last_terminal_poll_at=timezone.now())
    position = 0
    if video.status == VideoRequest.Status.WAITING:
        position = VideoRequest.objects.filter(
            authority=video.authority, status=VideoRequest.Status.WAITING, created_at__lte=video.created_at
        ).count()
    return JsonResponse({"status": video.status, "position": position})


@_kiosk_required
@require_http_methods(["GET", "POST"])
def video_signal(request, public_id):
    video = _own_video(request, public_id)
    return signal_exchange(request, video, "terminal")


def signal_exchange(request, video, side):
    if request.method == "POST":
        try:
            body = json.loads(request.body or b"{}")
            services.post_signal(video, side, str(body.get("kind", "")), body.get("payload"))
        except (ValueError, AttributeError):
            return JsonResponse({"error": _("Die Nachricht ist kein gültiges JSON.")}, status=400)
        except services.KioskError as exc:
            return JsonResponse({"error": exc.message}, status=409)
        return JsonResponse({"ok": True}, status=201)
    try:
        after = int(request.GET.get("nach", "0"))
    except ValueError:
        after = 0
    video.refresh_from_db()
    return JsonResponse({"status": video.status, "signals": services.signals_for(video, side, after)})


@_kiosk_required
@require_POST
def video_end(request, public_id):
    video = _own_video(request, public_id)
    services.end(video)
    request.session.pop("kiosk_video", None)
    return HttpResponseRedirect(reverse("kiosk:start"))


# --- receipt ---------------------------------------------------------------------------------------------


def receipt(request, public_id):
    """The printable receipt of a case for its applicant (a citizen logged in at the terminal)."""
    from amtsweg.assisted.filing import receipt_context
    from amtsweg.cases.models import Case

    if not request.user.is_authenticated:
        return refuse(request, _("Bitte melden Sie sich an, um Ihre Eingangsbestätigung zu drucken."))
    case = get_object_or_404(Case.objects.for_citizen(request.user), public_id=public_id)
    return render(request, "kiosk/receipt.html", receipt_context(case))
