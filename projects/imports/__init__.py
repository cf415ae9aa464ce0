"""The dwelling register import: CSV or Excel in, checked row by row, applied all-or-nothing.

``parsing`` reads a file into rows of text (by content, not by name); ``services`` is the use case:
``importer`` checks every row (with ``values`` for a cell and ``matching`` for the dwelling it matches
and its conflicts) and works out what it changes (``changes``), ``writing`` writes it with its history,
``results`` is what the import reports; ``tasks`` runs an uploaded file as a job. The page and the
``import_dwellings`` command are the edges. The file format is documented in ``docs/IMPORT.md``.
"""
