"""One module per Lambda action (plan, parallel data, stage, assemble, score, release, budget, starter),
with the models, S3 layout and settings they share. The handlers in ``amts_handlers`` call these."""
