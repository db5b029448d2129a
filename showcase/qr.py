"""The QR labels' SVG drawing lives in the platform (`core.qr`), shared with the events
projector."""

from core.qr import qr_svg

__all__ = ["qr_svg"]
