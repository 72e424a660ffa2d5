"""Bring your own CRM data: read CRM exports (CSV, .xlsx, Parquet), type their columns,
and make or update a LeadScore XL workbook from them.

files.py    reading an export: csv.Sniffer, encodings, line numbers in messages
values.py   typing each column once: numbers, dates, yes/no, text
starter.py  starter rules from recognised column names, suggested rules from deals, outcome and ID columns
merge.py    new leads merged into a Leads table (append with de-duplication, or replace)
layout.py   the workbook's sheets, Rules and Settings rows (shared with workbook/build_template.py)
xlsx.py     the file adapter (openpyxl): the only intake module that touches workbook files
new.py      ``leadscore new`` and ``leadscore refresh --leads``
"""
