"""``affectscope serve``: a self-hosted REST API and web page (the ``service`` extra: FastAPI, uvicorn).

* :func:`create_app` builds the FastAPI app (routes under ``/v1``, the web page at ``/``, OpenAPI at ``/docs``);
* :func:`serve` runs it with uvicorn, refusing to listen beyond loopback without an API key;
* :class:`ServiceSettings` holds limits and storage (``AFFECTSCOPE_*`` environment variables).

Jobs and results persist in SQLite under the data dir; analyses run in worker threads. See ``docs/service.md``.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import TYPE_CHECKING, Any

from affectscope.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    from affectscope.service.settings import ServiceSettings

__all__ = ["create_app", "is_loopback", "serve"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine.

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0"), is_loopback("::1")
    (True, True, False, True)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(a[4][0]).is_loopback for a in socket.getaddrinfo(host, None))
        except OSError:
            return False


def create_app(settings: ServiceSettings | None = None) -> Any:
    """Build the FastAPI app (see :func:`affectscope.service.app.create_app`)."""
    from affectscope.service.app import create_app as build

    return build(settings)


def serve(*, host: str = "127.0.0.1", port: int = 8000, settings: ServiceSettings | None = None) -> None:
    """Run the service with uvicorn until interrupted.

    The ``host`` it listens on (unless a wildcard such as ``0.0.0.0``) is added to the host names it answers to
    (``allowed_hosts``).

    Raises
    ------
    ConfigError
        ``host`` is not loopback and no API key is set (``AFFECTSCOPE_API_KEY``), or a setting is invalid.
    """
    from affectscope.service.settings import load_settings

    settings = settings or load_settings()
    key = settings.api_key.get_secret_value() if settings.api_key is not None else ""
    if not is_loopback(host) and not key:  # an empty key counts as none
        raise ConfigError(
            f"Refusing to listen on {host} without an API key: anyone on the network could use this service. "
            "Set AFFECTSCOPE_API_KEY (clients send it in X-API-Key), or bind to 127.0.0.1."
        )
    if host.strip("[]") not in ("0.0.0.0", "::", ""):
        settings = settings.model_copy(update={"allowed_hosts": [*settings.allowed_hosts, host.lower()]})
    import sys

    import uvicorn

    # The analyses run in threads of this process: hand the GIL back to the event loop every 1 ms (default 5 ms)
    # so that requests are answered quickly while a model runs Python code.
    sys.setswitchinterval(0.001)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", access_log=False)
