"""Parallel data: imports checked with the project's own parser, one import at a time per account."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from amts.languages import TRANSLATE_LANGUAGES
from amts.translate.parallel_data_reading import parse_parallel_data
from botocore.exceptions import ClientError

from amts_local.standin.core import ServiceError, _data_location, _json_location, _page, _ParallelData
from amts_local.standin.terminology import TerminologyOps


class ParallelDataOps(TerminologyOps):
    """Create, update, get, list and delete parallel data; imports finish on the simulated clock."""

    def _refresh_parallel_data(self, now: datetime) -> None:
        for name, pd in list(self._parallel_data.items()):
            if pd.status == "CREATING" and pd.ready_at and pd.ready_at <= now:
                pd.status = "FAILED" if pd.message else "ACTIVE"
                pd.last_updated_at = pd.ready_at
            if pd.update_status == "UPDATING" and pd.update_ready_at and pd.update_ready_at <= now:
                outcome = pd.update_outcome or {}
                if outcome.get("message"):
                    pd.update_status = "FAILED"
                    pd.update_auxiliary = outcome.get("auxiliary")
                else:
                    pd.update_status = "ACTIVE"
                    pd.status = "ACTIVE"
                    pd.message = None
                    pd.rows = outcome["rows"]
                    pd.source_language = outcome["source"]
                    pd.target_languages = outcome["targets"]
                    pd.counts = outcome["counts"]
                    pd.data = outcome["data"]
                    pd.config = outcome["config"]
                    pd.auxiliary = outcome.get("auxiliary")
                    pd.update_auxiliary = outcome.get("auxiliary")
                    pd.last_updated_at = pd.update_ready_at
                    if outcome.get("description") is not None:
                        pd.description = outcome["description"]
            if pd.delete_at and pd.delete_at <= now:
                del self._parallel_data[name]

    def _pd_arn(self, name: str, region: str) -> str:
        return f"arn:aws:translate:{region}:{self.account_id}:parallel-data/{name}"

    def _import_parallel_data(self, config: dict[str, str], region: str) -> dict[str, Any]:
        """Read and check the file now; the outcome is revealed when the simulated import ends."""
        fmt = config.get("Format", "")
        if fmt not in ("TSV", "CSV", "TMX"):
            raise ServiceError("InvalidParameterValueException", f"The parallel data format {fmt!r} is not valid.")
        bucket, key = self._split_s3(config.get("S3Uri", ""), region, "parallel data")
        outcome: dict[str, Any] = {"config": dict(config)}
        injected = self.faults.parallel_data_failures.pop(0) if self.faults.parallel_data_failures else None
        data = self._read_parallel_data_file(bucket, key)
        if data is None:
            outcome["message"] = f"Amazon Translate could not read the parallel data file at {config['S3Uri']}."
            return outcome
        parsed = parse_parallel_data(data, fmt=fmt, name=key)
        errors = [p for p in parsed.problems if p.severity == "error"]
        skipped = [p for p in parsed.problems if p.severity == "warning" and "skipped" in p.message]
        outcome["auxiliary"] = {
            "summary": {"record_error_count": len(errors), "record_skipped_count": len(skipped)},
            "messages": [{"content": f"Line {p.line}", "message": p.message} for p in errors + skipped],
        }
        bad_languages = [
            lang for lang in (parsed.source_language, *parsed.target_languages) if lang not in TRANSLATE_LANGUAGES
        ]
        if injected:
            outcome["message"] = injected
        elif parsed.fatal or bad_languages:
            first = next((p for p in errors), None)
            detail = f" (line {first.line}: {first.message})" if first else ""
            outcome["message"] = f"The parallel data file is not valid{detail}. See the auxiliary data for details."
        else:
            outcome.update(
                rows=[row for _, row in parsed.records],
                source=parsed.source_language,
                targets=parsed.target_languages,
                counts=(
                    sum(len(r.src) + sum(len(t) for t in r.tgts) for _, r in parsed.records),
                    len(parsed.records),
                    len(errors),
                    len(skipped),
                ),
                data=data,
            )
        return outcome

    def _read_parallel_data_file(self, bucket: str, key: str) -> bytes | None:
        try:
            return bytes(self.s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        except ClientError:
            pass
        listing = self.s3.list_objects_v2(Bucket=bucket, Prefix=key.rstrip("/") + "/" if key else "")
        files = [o["Key"] for o in listing.get("Contents", []) if not o["Key"].endswith("/")]
        if len(files) == 1:
            return bytes(self.s3.get_object(Bucket=bucket, Key=files[0])["Body"].read())
        return None

    def _import_busy(self, except_name: str | None = None) -> None:
        """One concurrent create-or-update per account (service quota)."""
        for pd in self._parallel_data.values():
            if pd.status == "CREATING" or pd.update_status == "UPDATING":
                if pd.name == except_name:
                    raise ServiceError(
                        "ConcurrentModificationException",
                        "Another modification is being made. That modification must complete before you can make "
                        "your change.",
                    )
                raise ServiceError(
                    "LimitExceededException",
                    f"The limit of 1 concurrent parallel data create or update operation is reached "
                    f"({pd.name} is still importing).",
                )

    def _op_create_parallel_data(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        name = params.get("Name", "")
        self._check_name(name)
        self._check_token(params.get("ClientToken", ""))
        existing = self._parallel_data.get(name)
        if existing is not None:
            if existing.client_token == params["ClientToken"] and existing.config == params["ParallelDataConfig"]:
                return {"Name": name, "Status": existing.status}  # an idempotent retry
            raise ServiceError("ConflictException", f"A parallel data resource named {name} already exists.")
        if len(self._parallel_data) >= 1000:
            raise ServiceError("LimitExceededException", "The limit of 1000 parallel data resources is reached.")
        self._import_busy()
        outcome = self._import_parallel_data(params["ParallelDataConfig"], region)
        now = self.clock.now()
        pd = _ParallelData(
            name=name,
            arn=self._pd_arn(name, region),
            description=params.get("Description"),
            config=dict(params["ParallelDataConfig"]),
            created_at=now,
            client_token=params["ClientToken"],
            ready_at=now + timedelta(seconds=self.parallel_data_seconds),
            message=outcome.get("message"),
            auxiliary=outcome.get("auxiliary"),
        )
        if not pd.message:
            pd.rows = outcome["rows"]
            pd.source_language = outcome["source"]
            pd.target_languages = outcome["targets"]
            pd.counts = outcome["counts"]
            pd.data = outcome["data"]
        self._parallel_data[name] = pd
        return {"Name": name, "Status": "CREATING"}

    def _op_update_parallel_data(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        name = params.get("Name", "")
        self._check_name(name)
        self._check_token(params.get("ClientToken", ""))
        pd = self._parallel_data_named(name)
        if pd.status not in ("ACTIVE", "FAILED"):
            raise ServiceError(
                "ConcurrentModificationException",
                f"The parallel data resource {name} is {pd.status}; an update is accepted only when it is ACTIVE "
                "or FAILED.",
            )
        self._import_busy(except_name=name)
        outcome = self._import_parallel_data(params["ParallelDataConfig"], region)
        outcome["description"] = params.get("Description")
        now = self.clock.now()
        pd.update_status = "UPDATING"
        pd.update_at = now
        pd.update_ready_at = now + timedelta(seconds=self.parallel_data_seconds)
        pd.update_outcome = outcome
        return {
            "Name": name,
            "Status": pd.status,
            "LatestUpdateAttemptStatus": "UPDATING",
            "LatestUpdateAttemptAt": now,
        }

    def _pd_properties(self, pd: _ParallelData) -> dict[str, Any]:
        props: dict[str, Any] = {
            "Name": pd.name,
            "Arn": pd.arn,
            "Status": "DELETING" if pd.delete_at else pd.status,
            "ParallelDataConfig": dict(pd.config),
            "ImportedDataSize": pd.counts[0],
            "ImportedRecordCount": pd.counts[1],
            "FailedRecordCount": pd.counts[2],
            "SkippedRecordCount": pd.counts[3],
            "CreatedAt": pd.created_at,
        }
        if pd.description is not None:
            props["Description"] = pd.description
        if pd.source_language:
            props["SourceLanguageCode"] = pd.source_language
            props["TargetLanguageCodes"] = list(pd.target_languages)
        if pd.status == "FAILED" and pd.message:
            props["Message"] = pd.message
        if pd.update_status:
            props["LatestUpdateAttemptStatus"] = pd.update_status
            props["LatestUpdateAttemptAt"] = pd.update_at
            if pd.update_status == "FAILED" and pd.update_outcome and pd.update_outcome.get("message"):
                props["Message"] = pd.update_outcome["message"]
        if pd.last_updated_at:
            props["LastUpdatedAt"] = pd.last_updated_at
        return props

    def _op_get_parallel_data(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        name = params.get("Name", "")
        self._check_name(name)
        pd = self._parallel_data_named(name, deleting=True)
        body: dict[str, Any] = {"ParallelDataProperties": self._pd_properties(pd)}
        if pd.status == "ACTIVE" and pd.data:
            body["DataLocation"] = _data_location(pd.data)
        if pd.auxiliary is not None and pd.status != "CREATING":
            body["AuxiliaryDataLocation"] = _json_location(pd.auxiliary)
        if pd.update_status in ("ACTIVE", "FAILED") and pd.update_outcome and pd.update_outcome.get("auxiliary"):
            body["LatestUpdateAttemptAuxiliaryDataLocation"] = _json_location(pd.update_outcome["auxiliary"])
        return body

    def _op_list_parallel_data(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        items = [self._pd_properties(pd) for pd in sorted(self._parallel_data.values(), key=lambda p: p.created_at)]
        return _page(items, params, "ParallelDataPropertiesList")

    def _op_delete_parallel_data(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        name = params.get("Name", "")
        pd = self._parallel_data_named(name)
        if pd.status == "CREATING" or pd.update_status == "UPDATING":
            raise ServiceError("ConcurrentModificationException", f"The parallel data resource {name} is importing.")
        pd.delete_at = self.clock.now() + timedelta(seconds=self.delete_seconds)
        return {"Name": name, "Status": "DELETING"}
