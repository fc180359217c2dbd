"""Presentation mode: full-screen slides of a compare (and Monte Carlo) for a projector."""

from __future__ import annotations

from ui.presentation.window import PresentationWindow

__all__ = ["PresentationWindow"]
