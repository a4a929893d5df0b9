import pytest
from django.core.management import call_command

from amtsweg.directory.loader import load_authorities


@pytest.fixture
def directory_data(db):
    """Regions and shipped authorities, filled by the real loaders inside the test's transaction."""
    call_command("load_regions", verbosity=0)
    return load_authorities()
