"""Exporters: one module per format (json, csv, parquet) plus the descriptors (datapackage).

``pipeline.output.DatasetWriter`` streams every dataset through them page by page; they are
the only place records become rows, text and Arrow tables.
"""
