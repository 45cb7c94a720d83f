"""The pipeline config model: cdk.json, the Lambda environment and the local runtime read the same typed config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from amts import config
from amts.errors import InputError
from amts.pipeline_config import (
    MAX_ENV_CONFIG_BYTES,
    PipelineConfig,
    PollSchedule,
    asl_limit_substitutions,
    load_pipeline_config,
    load_pipeline_config_from_cdk_json,
    load_pipeline_config_from_env,
)

from stacks.settings import load_deployment_settings, settings_from_context

REPO_ROOT = Path(__file__).resolve().parents[2]


def _minimal(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"language_pairs": [{"source": "en", "target": "zh"}]}
    data.update(overrides)
    return data


def test_repository_cdk_json_is_a_valid_config() -> None:
    # Given the committed cdk.json / When it is loaded / Then every D2L pair is there with its options
    pipeline = load_pipeline_config_from_cdk_json(REPO_ROOT / "cdk.json")
    keys = [p.key for p in pipeline.language_pairs]
    assert keys == ["en-zh", "en-es", "en-ja", "en-ko", "en-pt", "en-tr", "en-vi", "en-zh-TW"]
    assert pipeline.pair("en-ja").translation_settings == {"Formality": "FORMAL"}
    assert pipeline.pair("en-vi").translation_settings == {}
    assert pipeline.pair("en-tr").mt_suggestions is True
    assert 1 <= pipeline.max_concurrency <= 10
    assert pipeline.pair("en-zh").parallel_data_name == "amts-en-zh"


def test_defaults_are_derived_from_the_languages() -> None:
    pipeline = load_pipeline_config(_minimal())
    pair = pipeline.pair("en-zh")
    assert pair.parallel_data_name == "amts-en-zh"
    assert pair.reference_prefix == f"{config.SOURCE_PREFIX}zh/"
    assert pair.source_prefix == f"{config.SOURCE_PREFIX}en/"
    assert pair.evaluation is True
    assert pair.translation_settings == {}


def test_translation_settings_follow_the_options() -> None:
    pipeline = load_pipeline_config(
        {"language_pairs": [{"source": "en", "target": "es", "formality": "FORMAL", "mask_profanity": True}]}
    )
    assert pipeline.pair("en-es").translation_settings == {"Formality": "FORMAL", "Profanity": "MASK"}


def test_env_round_trip_gives_the_same_config() -> None:
    # Given the config the stack bakes into every function / When a handler reads it back / Then nothing is lost
    pipeline = load_pipeline_config_from_cdk_json(REPO_ROOT / "cdk.json")
    text = pipeline.to_env_json()
    assert len(text.encode()) <= MAX_ENV_CONFIG_BYTES
    assert load_pipeline_config_from_env({config.ENV_PIPELINE_CONFIG: text}) == pipeline


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (_minimal(max_concurrency=11), "max_concurrency"),
        (_minimal(max_concurrency=6), "Amazon Translate allows 10"),  # evaluation doubles the jobs
        ({"language_pairs": []}, "language_pairs"),
        ({"language_pairs": [{"source": "en", "target": "xx"}]}, "unknown target"),
        ({"language_pairs": [{"source": "en", "target": "en"}]}, "both 'en'"),
        ({"language_pairs": [{"source": "en", "target": "zh"}, {"source": "en", "target": "zh"}]}, "duplicate"),
        ({"language_pairs": [{"source": "en", "target": "zh", "parallel_data_name": "bad name"}]}, "parallel_data"),
        ({"language_pairs": [{"source": "en", "target": "zh", "formality": "polite"}]}, "formality"),
        # Settings Translate would silently ignore for the target (language profiles, issue 19).
        ({"language_pairs": [{"source": "en", "target": "vi", "formality": "FORMAL"}]}, "not supported by Amazon"),
        ({"language_pairs": [{"source": "en", "target": "pt", "formality": "INFORMAL"}]}, "target 'pt'"),
        ({"language_pairs": [{"source": "en", "target": "vi", "mask_profanity": True}]}, "cannot mask profanity"),
        (_minimal(unknown_option=1), "unknown_option"),
        (
            _minimal(
                polling={
                    "translation_job": {
                        "initial_seconds": 600,
                        "max_seconds": 60,
                        "backoff_rate": 2,
                        "max_wait_seconds": 3600,
                    }
                }
            ),
            "max_seconds",
        ),
    ],
)
def test_bad_config_is_refused_with_the_field_named(data: dict[str, Any], problem: str) -> None:
    with pytest.raises(InputError) as caught:
        load_pipeline_config(data, source="cdk.json context amts:pipeline")
    assert problem in str(caught.value)
    assert "cdk.json context amts:pipeline" in str(caught.value)


def test_six_pairs_without_evaluation_may_run_six_jobs_at_once() -> None:
    pairs = [{"source": "en", "target": t, "evaluation": False} for t in ("zh", "es", "fr", "de", "ja", "ko")]
    assert load_pipeline_config({"language_pairs": pairs, "max_concurrency": 6}).max_concurrency == 6


def test_env_errors_name_the_variable() -> None:
    with pytest.raises(InputError, match=config.ENV_PIPELINE_CONFIG):
        load_pipeline_config_from_env({})
    with pytest.raises(InputError, match="not JSON"):
        load_pipeline_config_from_env({config.ENV_PIPELINE_CONFIG: "{"})


def test_cdk_json_errors_name_the_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "cdk.json"
    broken.write_text('{\n  "context": {\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_pipeline_config_from_cdk_json(broken)
    assert caught.value.path == str(broken)
    assert caught.value.line is not None
    broken.write_text(json.dumps({"context": {}}), encoding="utf-8")
    with pytest.raises(InputError, match="amts:pipeline"):
        load_pipeline_config_from_cdk_json(broken)
    with pytest.raises(InputError, match="file not found"):
        load_pipeline_config_from_cdk_json(tmp_path / "missing.json")


def test_too_large_config_for_lambda_environment_is_refused() -> None:
    targets = sorted(t for t in ("zh", "es", "fr", "de", "ja", "ko", "it", "pt", "ru", "ar", "hi", "tr", "vi", "pl"))
    pairs = [
        {"source": "en", "target": t, "evaluation": False, "terminology_key": "glossary/" + "x" * 150 + ".md"}
        for t in targets
    ]
    pipeline = load_pipeline_config({"language_pairs": pairs})
    with pytest.raises(InputError, match="4 KB"):
        pipeline.to_env_json()


def test_asl_limit_substitutions_are_json_numbers() -> None:
    pipeline = load_pipeline_config_from_cdk_json(REPO_ROOT / "cdk.json")
    values = asl_limit_substitutions(pipeline)
    assert values[config.ASL_MAX_CONCURRENCY] == str(pipeline.max_concurrency)
    for name, text in values.items():
        assert isinstance(json.loads(text), int | float), name


def test_job_polling_keeps_a_three_day_job_far_inside_the_history_limit() -> None:
    # Given the committed polling schedule / When a job runs until the give-up time (4 days)
    job = load_pipeline_config_from_cdk_json(REPO_ROOT / "cdk.json").polling.translation_job
    assert job.max_wait_seconds >= 3 * 86_400
    # Then the loop polls a few hundred times at most: ~4 history events each, far below 25,000
    assert job.worst_case_polls() * 4 < 2_500


def test_poll_schedule_counts_polls() -> None:
    schedule = PollSchedule(initial_seconds=10, max_seconds=40, backoff_rate=2.0, max_wait_seconds=150)
    # waits 10, 20, 40, 40, 40 -> 150 s after 5 polls
    assert schedule.worst_case_polls() == 5


def test_deployment_settings_validate_retention_and_email() -> None:
    assert load_deployment_settings(None).log_retention_days == 30
    with pytest.raises(InputError, match="retention"):
        load_deployment_settings({"log_retention_days": 31})
    with pytest.raises(InputError, match="alarm_email"):
        load_deployment_settings({"alarm_email": "not-an-address"})
    with pytest.raises(InputError, match="amts:pipeline"):
        settings_from_context(None, None)
    pipeline, settings = settings_from_context(_minimal(), {"starter_batch_window_seconds": 30})
    assert isinstance(pipeline, PipelineConfig)
    assert settings.starter_batch_window_seconds == 30


def test_the_trigger_batches_as_much_as_lambda_allows_by_default() -> None:
    defaults = load_deployment_settings(None)
    assert (defaults.starter_batch_window_seconds, defaults.starter_batch_size) == (300, 10_000)
    # Lambda refuses a batch size above 10 without a batching window
    with pytest.raises(InputError, match="at least 1"):
        load_deployment_settings({"starter_batch_window_seconds": 0})
    assert (
        load_deployment_settings({"starter_batch_window_seconds": 0, "starter_batch_size": 10}).starter_batch_size == 10
    )
