"""The service's upload sniffing is :mod:`affectscope.media.sniff` (the router detects inputs with it too)."""

from affectscope.media.sniff import ACCEPTED, sniff, sniff_text

__all__ = ["ACCEPTED", "sniff", "sniff_text"]
