"""Localization: extraction to POT, PO catalogs, CLDR formatting and localize()."""
