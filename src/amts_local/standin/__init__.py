"""An in-process Amazon Translate for tests and the local runtime (moto has no Translate).

``TranslateStandIn`` implements the parallel data, terminology, batch job and TranslateText operations with
the request/response shapes of botocore's ``translate`` model, the service's validation and error names,
jobs that move through their statuses over simulated time, and S3 input/output (moto in tests) in the real
layout, auxiliary details file included. ``install()`` hooks it into boto3 through botocore's
``before-parameter-build`` and ``before-call`` events, so unchanged client code talks to it:

    standin = TranslateStandIn(s3_client)
    with standin.installed():            # the default boto3 session (moto's Step Functions uses it too)
        boto3.client("translate").translate_text(...)

Split by responsibility: ``core`` (state, clock, errors, request checks), ``hooks`` (boto3), ``faults``,
``terminology``, ``parallel_data``, ``documents`` (what a job does), ``jobs`` (their life), ``realtime``
(TranslateText), and ``service`` (the class that composes them). Hooks must be installed before a client is
created: botocore copies a session's event handlers into each new client.

Every output names its engine: ``x-amts-engine`` in TranslateText's response metadata headers, and an
``engine`` field (the neutral one of ``amts.translate.job_outputs``: per file, per document, per segment) in each
auxiliary details file.
"""

from amts_local.standin.core import STAND_IN_NAME, Faults, ServiceError, SimulatedClock
from amts_local.standin.service import TranslateStandIn

__all__ = ["STAND_IN_NAME", "Faults", "ServiceError", "SimulatedClock", "TranslateStandIn"]
