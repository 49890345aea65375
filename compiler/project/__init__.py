"""A policy project: its layout (layout.py), its sources and their facts cache, its config."""
