"""The window's frame: the app start-up and shut-down, the main window that composes the
features, its menus, style and crash hooks.
"""
