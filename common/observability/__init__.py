"""Logs, metrics and traces of every PolyCode process (README.md beside this file)."""
