from types import SimpleNamespace

import pytest

from amtsweg.documents.sealing import _reserved


@pytest.mark.parametrize("chain_length", range(1500, 1520))
@pytest.mark.parametrize("stamper", [None, object()])
def test_signature_reservation_is_always_even(chain_length, stamper):
    record = SimpleNamespace(chain_pem="x" * chain_length)
    assert _reserved(record, stamper) % 2 == 0
