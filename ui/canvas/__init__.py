"""The factory canvas: scene, items, view and interactions."""
