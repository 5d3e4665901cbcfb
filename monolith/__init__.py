"""The PolyCode monolith: accounts and learning, plus the legacy shop and mail paths."""
