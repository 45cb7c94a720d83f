"""The only code that talks to AWS clients: S3 reads and writes, the translation memory's S3 store."""
