"""Model bundles shipped with affectscope and the registry that lists them."""

from affectscope.models.registry import ModelBundle, default_model, get_bundle, list_models

__all__ = ["ModelBundle", "default_model", "get_bundle", "list_models"]
