from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from dancu.kit.sealing import Sealer


def test_sealed_values_open_only_with_their_secret_purpose_and_context() -> None:
    sealer = Sealer(b"deployment-secret", "dancu test")
    sealed = sealer.seal(b"webhook secret", context=b"sub-1")
    assert b"webhook secret".hex() not in sealed
    assert sealer.open(sealed, context=b"sub-1") == b"webhook secret"
    assert sealer.seal(b"webhook secret", context=b"sub-1") != sealed  # fresh nonce
    for other, context in (
        (Sealer(b"deployment-secret", "another purpose"), b"sub-1"),
        (Sealer(b"another secret", "dancu test"), b"sub-1"),
        (sealer, b"sub-2"),
    ):
        with pytest.raises(InvalidTag):
            other.open(sealed, context=context)
