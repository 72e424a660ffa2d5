"""One refresh of a workbook, written once against a small Book port, and the two ports.

For: the Refresh Scores button and ``leadscore refresh``. ``run`` (read Settings, Rules,
Leads, Deals; fit; score; write), ``report`` (the Model and Report sheets as blocks and
charts), ``formats`` (number formats), ``book_file`` (the port over a file, openpyxl),
``book_live`` (the port over a live workbook, xlwings), ``book_parts`` (zip inspection,
atomic save, output-column planning).

May import: every core subpackage. Only ``book_file`` imports openpyxl and only
``book_live`` imports xlwings.

Entry points: :func:`~leadscore_xl.refresh.run.refresh`,
:func:`~leadscore_xl.refresh.book_file.open_book`, :mod:`leadscore_xl.refresh.book_live`.
"""
