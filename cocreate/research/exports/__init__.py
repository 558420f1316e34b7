"""Research exports: survey responses (wide and long), pooled template data, plan
comments and coded material, as CSV, XLSX, SPSS, Stata, codebooks and REFI-QDA.

One code path serves the download buttons and ``flask export``:
:mod:`.targets` finds what to export, :mod:`.responses` and :mod:`.comments`
stream rows from SQL, :mod:`.formats` writes them, :mod:`.codebook` documents
them, and :mod:`.service` ties it together with the ``Export`` audit row and the
expiring link.
"""
