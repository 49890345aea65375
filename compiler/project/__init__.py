"""The project a build works in: its layout (layout.py) and its sources with their facts cache."""
