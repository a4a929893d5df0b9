from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

MAX_PASSWORD_LENGTH = 4096
UNUSABLE_PREFIX = UNUSABLE_PASSWORD_PREFIX


class EmailOrUsernameBackend(ModelBackend):
    """Citizens log in with their e-mail address, staff with their user name. Deleted accounts never log
    in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not isinstance(username, str) or not isinstance(password, str):
            return None
        username = username.strip()
        if not username or len(username) > 254 or len(password) > MAX_PASSWORD_LENGTH:
            return None
        model = get_user_model()
        if "@" in username:
            candidates = list(
                model._default_manager.filter(email__iexact=username).exclude(
                    password__startswith=UNUSABLE_PREFIX
                )[:2]
            )
            user = candidates[0] if len(candidates) == 1 else None
        else:
            user = model._default_manager.filter(username=username).first()
        if user is None:
            model().set_password(
                password
            )  # same time as a wrong password: no hint that the account is unknown
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and getattr(user, "deleted_at", None) is None

    def get_user(self, user_id):
        user = super().get_user(user_id)
        if user is not None and getattr(user, "deleted_at", None) is not None:
            return None
        return user
