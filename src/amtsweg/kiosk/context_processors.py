from django.conf import settings
from django.urls import reverse


def kiosk(request):
    """`kiosk` in every template: the terminal's settings when the request comes from a kiosk, else None."""
    terminal = getattr(request, "kiosk_terminal", None)
    if terminal is None:
        return {"kiosk": None}
    return {
        "kiosk": {
            "terminal": terminal,
            "timeout": int(getattr(settings, "KIOSK_INACTIVITY_SECONDS", 120)),
            "warning": int(getattr(settings, "KIOSK_WARNING_SECONDS", 30)),
            "reset_url": reverse("kiosk:reset"),
            "start_url": reverse("kiosk:start"),
        }
    }
