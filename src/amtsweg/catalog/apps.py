from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "amtsweg.catalog"
    label = "catalog"
    verbose_name = _("Leistungskatalog")

    def ready(self):
        from amtsweg.catalog import signals  # noqa: F401 (connects the receivers)
        from amtsweg.directory.services import authority_page_section

        authority_page_section(authority_services_section)


def authority_services_section(request, authority) -> dict | None:
    """The services on an authority's page in the directory (the directory calls this, never imports us)."""
    from amtsweg.catalog.services import services_of_authority

    found = services_of_authority(authority)
    if not found:
        return None
    return {"template": "catalog/_authority_services.html", "services": found}
