"""Receivers that keep the version history, the catalogue revision and the search index current."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from amtsweg.catalog.models import LifeSituation, Service
from amtsweg.catalog.state import bump


@receiver(post_save, sender=Service)
def service_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from amtsweg.catalog.versioning import service_changed

    service_changed(instance)
    bump()


@receiver(m2m_changed, sender=Service.life_situations.through)
def life_situations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    from amtsweg.catalog.versioning import service_changed

    if not reverse:
        service_changed(instance)
    else:  # changed from the life situation's side: every affected service gets a version
        for service in Service.objects.filter(pk__in=pk_set or []):
            service_changed(service)
    bump()


@receiver(post_delete, sender=Service)
@receiver(post_save, sender=LifeSituation)
@receiver(post_delete, sender=LifeSituation)
def catalog_changed(sender, raw=False, **kwargs):
    if not raw:
        bump()
