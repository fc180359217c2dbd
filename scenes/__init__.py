"""The sample scenes, shipped as package data ``aifactory_twin.scenes`` (see setup.py)."""
