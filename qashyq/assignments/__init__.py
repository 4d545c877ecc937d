"""Independent work (SRO/SROP): tasks, submissions, grading and the similarity check.

Not yet a Django app (no models, not in INSTALLED_APPS): for now it holds the pure similarity
engine (``similarity``) and text extraction from submitted files (``textextract``).
"""
