"""Shipped dataset of Saxony's geography, built by `data/build_regions.py` (sources in `data/README.md`)."""
