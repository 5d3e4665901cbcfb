"""Infrastructure shared by PolyCode services: settings helpers, API errors.

Holds no domain code; a service may import from here and from ``contracts``
only (see ARCHITECTURE.md).
"""
