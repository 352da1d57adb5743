"""Model bundles shipped with affectscope and the registry that lists them."""

from affectscope.models.registry import (
    PROFILES,
    ModelBundle,
    current_profile,
    default_model,
    get_bundle,
    list_models,
    resolve_model,
)

__all__ = [
    "PROFILES",
    "ModelBundle",
    "current_profile",
    "default_model",
    "get_bundle",
    "list_models",
    "resolve_model",
]
