"""Amazon Translate: parallel data and terminology files, the boto3 adapter, and an offline stand-in.

- ``parallel_data``: CSV/TSV/TMX writers that Amazon Translate accepts, pair filters, a validator.
- ``terminology``: glossary import to a custom terminology file, and a term-consistency check.
- ``adapter``: ``TranslateAdapter`` (boto3 clients injected): idempotent parallel data, jobs, outputs, cost.
- ``standin``: ``TranslateStandIn``, an in-process Amazon Translate hooked into boto3 through botocore events.
"""
