from django.contrib import admin

from amtsweg.kiosk.models import Terminal, VideoRequest


@admin.register(Terminal)
class TerminalAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "token_hint", "last_seen_at", "revoked_at")
    readonly_fields = ("token_sha256", "token_hint", "created_by", "revoked_by")


@admin.register(VideoRequest)
class VideoRequestAdmin(admin.ModelAdmin):
    list_display = ("public_id", "authority", "terminal", "status", "created_at", "accepted_by")
