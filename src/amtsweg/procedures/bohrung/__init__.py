"""Pilot 2: the drilling notification (Bohranzeige) to LfULG, the lower water authority and the
Oberbergamt."""
