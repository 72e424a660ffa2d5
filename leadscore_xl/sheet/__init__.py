"""Values as a sheet holds them: header row + rows -> typed, lazily converted columns.

For: reading Excel-shaped values (None for blanks, floats, ints, bools, datetimes or
serials, ``#N/A`` strings) into a :class:`~leadscore_xl.sheet.table.Table` of
:class:`~leadscore_xl.sheet.column.Column` objects; Excel dates and serials; the
outcome words (Won/Lost ...); a content cache; exact sums.

May import: only :mod:`leadscore_xl.errors` (and numpy). Every other part of the
package builds on this one.

Entry points: :func:`~leadscore_xl.sheet.table.read_table`,
:mod:`~leadscore_xl.sheet.dates`, :func:`~leadscore_xl.sheet.outcome.outcome_vector`.
"""
