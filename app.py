#!/usr/bin/env python3
"""The CDK app: one AMTS stack configured from cdk.json context, checked by cdk-nag on every synth."""

from __future__ import annotations

import sys
from pathlib import Path

# The shared names and the config model live in the domain package under lambdas/ (never in src/).
sys.path.insert(0, str(Path(__file__).resolve().parent / "lambdas"))

import aws_cdk as cdk
from amts.errors import AmtsError

from stacks.app import build_stack

app = cdk.App()
try:
    build_stack(app)
except AmtsError as exc:  # a bad cdk.json context: say which key and why, without a traceback
    print(f"cdk.json: error: {exc}", file=sys.stderr)
    sys.exit(2)
app.synth()
