"""What an endpoint handler receives: the shared backend and the parsed call."""

import dataclasses
from typing import Optional

from .auth import Principal
from .clock import Clock
from .keypool import RsaKeyPool
from .store import KeyStore


@dataclasses.dataclass
class Backend:
    clock: Clock
    store: KeyStore
    rsa_pool: RsaKeyPool


@dataclasses.dataclass
class Call:
    """One authenticated API call: ``body`` is the JSON object sent (``{}`` if none), ``query`` maps names to value lists."""

    principal: Principal
    region: str
    key_id: Optional[str]
    body: dict
    query: dict
