"""Amazon Translate: parallel data and terminology files, reading a job's outputs, cost, and an offline stand-in.

- ``parallel_data``: CSV/TSV/TMX writers that Amazon Translate accepts, pair filters; ``parallel_data_reading``:
  parse and validate such files.
- ``terminology``: glossary import to a custom terminology file, and a term-consistency check.
- ``job_outputs``: what a finished batch job left in S3 (the state machine drives the jobs themselves).
- ``cost``: the cost estimate and the budget check.
- ``standin``: ``TranslateStandIn``, an in-process Amazon Translate hooked into boto3 through botocore events
  (local runtime and tests only; never bundled into Lambda).
"""
