"""The UI's icons, shipped as package data ``ui.assets`` (see setup.py)."""
