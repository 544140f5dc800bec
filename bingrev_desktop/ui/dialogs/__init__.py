"""Dialogs and the key flow: the API key, settings, about and getting started."""
