"""The AMTS CDK app: one stack composed of small constructs (storage, functions, workflow, trigger, monitoring)."""
