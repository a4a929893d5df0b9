from django.conf import settings


def platform(request):
    """Values every page needs: the demo banner and the public base URL."""
    return {"demo_mode": settings.DEMO, "base_url": settings.BASE_URL}
