"""The Qt layer: thin models, views and dialogs over the Qt-free core."""

from .pyside_setup import skip_feature_scan

skip_feature_scan()  # before any widget module: see pyside_setup
