"""The Qt layer: thin models, views and dialogs over the Qt-free core."""
