"""The local runtime: the deployed pipeline, offline, in one process (moto, Step Functions, in-process handlers)."""
