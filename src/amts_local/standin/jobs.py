"""Batch translation jobs: start, describe, list, stop, and their life on the simulated clock."""

from __future__ import annotations

import copy
import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from amts.languages import TRANSLATE_LANGUAGES
from amts.translate.rules import (
    CONTENT_TYPES,
    JOB_NAME,
    ROLE_ARN,
)

from amts_local.standin.core import ACTIVE_JOB_STATES, ServiceError, _Job, _page
from amts_local.standin.documents import DocumentRunner


class JobOps(DocumentRunner):
    """StartTextTranslationJob and friends: validation, queueing (ten at a time), statuses over simulated time."""

    def _advance_jobs(self, now: datetime) -> None:
        while True:
            running = [j for j in self._jobs.values() if j.started_at is not None and j.end_time is None]
            queued = [j for j in self._jobs.values() if j.started_at is None and j.end_time is None]
            if queued and len(running) < self.max_concurrent_jobs:
                job = min(queued, key=lambda j: j.submitted_at)
                job.started_at = max(job.submitted_at, self._slot_free_at)
                job.end_at = job.started_at + timedelta(seconds=self.queue_seconds + job.duration)
                continue
            due = [j for j in running if self._finish_time(j) <= now]
            if not due:
                break
            job = min(due, key=self._finish_time)
            self._finish(job)
            self._slot_free_at = max(self._slot_free_at, job.end_time or now)
        for job in self._jobs.values():
            if job.end_time is not None or job.status == "STOP_REQUESTED":
                continue
            if job.started_at is not None and now >= job.started_at + timedelta(seconds=self.queue_seconds):
                job.status = "IN_PROGRESS"

    def _finish_time(self, job: _Job) -> datetime:
        assert job.end_at is not None
        if job.stop_at is not None:
            return min(job.end_at, job.stop_at)
        return job.end_at

    def _op_start_text_translation_job(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        token = params.get("ClientToken", "")
        self._check_token(token)
        if token in self._job_tokens:
            job = self._jobs[self._job_tokens[token]]
            return {"JobId": job.job_id, "JobStatus": job.status}
        name = params.get("JobName")
        if name is not None and not JOB_NAME.match(name):
            raise ServiceError("InvalidParameterValueException", f"The job name {name!r} is not valid.")
        if not ROLE_ARN.match(params.get("DataAccessRoleArn", "")):
            raise ServiceError("InvalidParameterValueException", "The DataAccessRoleArn is not a valid IAM role ARN.")
        content_type = params["InputDataConfig"].get("ContentType", "")
        if content_type not in CONTENT_TYPES:
            raise ServiceError("InvalidParameterValueException", f"The content type {content_type!r} is not supported.")
        if (params.get("Settings") or {}).get("Brevity"):
            raise ServiceError("InvalidRequestException", "Brevity is not supported for batch translation jobs.")
        src = params.get("SourceLanguageCode", "")
        targets = list(params.get("TargetLanguageCodes", []))
        for lang in (src, *targets):
            if lang not in TRANSLATE_LANGUAGES and lang != "auto":
                raise ServiceError("UnsupportedLanguagePairException", f"The language code {lang!r} is not supported.")
        if len(targets) > 10 or len(set(targets)) != len(targets):
            raise ServiceError("InvalidRequestException", "Give up to 10 different target languages.")
        if src in targets:
            raise ServiceError("UnsupportedLanguagePairException", "The source language is also a target language.")
        _, in_key = self._split_s3(params["InputDataConfig"].get("S3Uri", ""), region, "input")
        self._split_s3(params["OutputDataConfig"].get("S3Uri", ""), region, "output")
        if not in_key.strip("/"):
            raise ServiceError(
                "InvalidRequestException", "The input S3 URI must be a folder, not the root of the bucket."
            )
        pd_names = list(params.get("ParallelDataNames") or [])
        if len(pd_names) > 1:
            raise ServiceError("InvalidParameterValueException", "Only one parallel data resource can be used per job.")
        for pd_name in pd_names:
            pd = self._parallel_data_named(pd_name)
            if pd.status != "ACTIVE":
                raise ServiceError("InvalidRequestException", f"The parallel data resource {pd_name} is {pd.status}.")
            missing = [t for t in targets if t not in pd.target_languages]
            if pd.source_language != src or missing:
                raise ServiceError(
                    "InvalidRequestException",
                    f"The parallel data {pd_name} is {pd.source_language}->{','.join(pd.target_languages)}; "
                    f"it must hold the source {src} and every target language of the job.",
                )
        for term_name in params.get("TerminologyNames") or []:
            self._terms_for([term_name], src, targets[0])
        active = [j for j in self._jobs.values() if j.status in ACTIVE_JOB_STATES]
        if self.reject_over_concurrency and len(active) >= self.max_concurrent_jobs:
            raise ServiceError(
                "TooManyRequestsException",
                f"The limit of {self.max_concurrent_jobs} concurrent batch translation jobs is reached.",
            )
        if len(active) >= self.max_concurrent_jobs + self.max_queued_jobs:
            raise ServiceError("TooManyRequestsException", "The limit of queued batch translation jobs is reached.")
        job_id = hashlib.md5(f"{token}-{uuid.uuid4()}".encode(), usedforsecurity=False).hexdigest()
        job = _Job(job_id, copy.deepcopy(params), self.clock.now(), region, duration=self.job_seconds)
        if self.faults.job_failures:
            job.fail_message = self.faults.job_failures.pop(0)
        if self.faults.job_document_errors:
            job.error_documents = self.faults.job_document_errors.pop(0)
        out_uri = params["OutputDataConfig"]["S3Uri"]
        job.output_uri = out_uri.rstrip("/") + f"/{self.account_id}-TranslateText-{job_id}/"
        self._jobs[job_id] = job
        self._job_tokens[token] = job_id
        self._advance_jobs(self.clock.now())
        return {"JobId": job_id, "JobStatus": job.status}

    def _job_properties(self, job: _Job) -> dict[str, Any]:
        request = job.request
        props: dict[str, Any] = {
            "JobId": job.job_id,
            "JobStatus": job.status,
            "SourceLanguageCode": request["SourceLanguageCode"],
            "TargetLanguageCodes": list(request["TargetLanguageCodes"]),
            "SubmittedTime": job.submitted_at,
            "InputDataConfig": dict(request["InputDataConfig"]),
            "OutputDataConfig": {**request["OutputDataConfig"], "S3Uri": job.output_uri},
            "DataAccessRoleArn": request["DataAccessRoleArn"],
        }
        for key in ("JobName", "TerminologyNames", "ParallelDataNames", "Settings"):
            if request.get(key):
                props[key] = copy.deepcopy(request[key])
        if job.details:
            props["JobDetails"] = dict(job.details)
        if job.message:
            props["Message"] = job.message
        if job.end_time:
            props["EndTime"] = job.end_time
        return props

    def _find_job(self, params: dict[str, Any]) -> _Job:
        job_id = params.get("JobId", "")
        return self._found(self._jobs.get(job_id), "job", job_id)

    def _op_describe_text_translation_job(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        return {"TextTranslationJobProperties": self._job_properties(self._find_job(params))}

    def _op_list_text_translation_jobs(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        filters = {k: v for k, v in (params.get("Filter") or {}).items() if v is not None}
        if len(filters) > 1:
            raise ServiceError("InvalidFilterException", "Give only one filter at a time.")
        jobs = sorted(self._jobs.values(), key=lambda j: j.submitted_at)
        if "JobName" in filters:
            jobs = [j for j in jobs if j.request.get("JobName") == filters["JobName"]]
        if "JobStatus" in filters:
            jobs = [j for j in jobs if j.status == filters["JobStatus"]]
        if "SubmittedBeforeTime" in filters:
            jobs = [j for j in jobs if j.submitted_at < filters["SubmittedBeforeTime"]]
        if "SubmittedAfterTime" in filters:
            jobs = [j for j in jobs if j.submitted_at > filters["SubmittedAfterTime"]]
        return _page(
            [self._job_properties(j) for j in jobs],
            params,
            "TextTranslationJobPropertiesList",
            bad_token_error="InvalidRequestException",
        )

    def _op_stop_text_translation_job(self, params: dict[str, Any], region: str) -> dict[str, Any]:
        job = self._find_job(params)
        if job.status in ("SUBMITTED", "IN_PROGRESS"):
            job.status = "STOP_REQUESTED"
            job.stop_at = self.clock.now() + timedelta(seconds=self.stop_seconds)
            if job.started_at is None:  # still queued: it stops without taking a slot
                job.started_at = self.clock.now()
                job.end_at = job.stop_at + timedelta(seconds=1)
        return {"JobId": job.job_id, "JobStatus": job.status}

    def _finish(self, job: _Job) -> None:
        """The job's end: stopped, failed, or translated (documents read from and written to S3 now)."""
        end = self._finish_time(job)
        job.end_time = end
        if job.stop_at is not None and job.stop_at < (job.end_at or end):
            job.status = "STOPPED"
            job.message = "The job was stopped on request."
            return
        if job.fail_message:
            job.status = "FAILED"
            job.message = job.fail_message
            return
        try:
            self._run_job(job)
        except ServiceError as exc:
            job.status = "FAILED"
            job.message = exc.message
