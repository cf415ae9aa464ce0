"""The dwelling register import: CSV or Excel in, checked row by row, applied all-or-nothing.

``parsing`` reads a file into rows of text (by content, not by name), ``services`` checks and applies
them, ``tasks`` runs an uploaded file as a job; the page and the ``import_dwellings`` command are the
edges. The file format is documented in ``docs/IMPORT.md``.
"""
