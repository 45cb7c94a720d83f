"""What AWS services do with the stack's roles and resources that no local run can record, checked on the template.

Each check is one documented AWS rule, evaluated with the same evaluator as the recorded calls, and returns what
breaks it (empty: the deployed stack can do it). ``SERVICE_CHECKS`` lists them all.
"""

from __future__ import annotations

from collections.abc import Callable

from amts_local.iam.template import TRANSLATE_SERVICE, StackModel

ServiceCheck = Callable[[StackModel], list[str]]


def sns_publishers_can_use_the_topic_key(model: StackModel) -> list[str]:
    """SNS publish to a KMS-encrypted topic needs kms:GenerateDataKey* and kms:Decrypt on the topic's key for the
    publisher (Amazon SNS Developer Guide, "Key management": SNS generates the data key with the publisher's
    permissions; KMS Developer Guide: the key policy must allow the caller or delegate to IAM)."""
    problems = []
    for topic in model.topics:
        if topic.key_arn is None:
            continue
        for name in model.principals:
            if not model.may(name, "sns:Publish", topic.arn):
                continue
            for action in ("kms:GenerateDataKey", "kms:Decrypt"):
                if not model.may(name, action, topic.key_arn):
                    problems.append(f"{name} publishes to {topic.arn} but may not {action} on its key {topic.key_arn}")
    return problems


def alarms_can_publish_to_their_encrypted_topic(model: StackModel) -> list[str]:
    """A CloudWatch alarm can notify a KMS-encrypted topic only if the key policy lets cloudwatch.amazonaws.com
    kms:Decrypt and kms:GenerateDataKey* (Amazon SNS Developer Guide, "Enable compatibility between event sources from
    AWS services and encrypted topics")."""
    problems = []
    keys = {topic.arn: topic.key_arn for topic in model.topics if topic.key_arn is not None}
    for alarm in model.alarms:
        for topic_arn in alarm.target_arns:
            key = keys.get(topic_arn)
            if key is None:
                continue
            context = (("aws:SourceAccount", model.names.account), ("aws:SourceArn", alarm.source_arn))
            for action in ("kms:GenerateDataKey", "kms:Decrypt"):
                decision = model.decide(model.service_request("cloudwatch.amazonaws.com", action, key, context))
                if not decision.allowed:
                    problems.append(
                        f"alarm {alarm.source_arn}: CloudWatch may not {action} on {key} ({decision.reason})"
                    )
    return problems


def alarms_may_publish_to_their_topic(model: StackModel) -> list[str]:
    """A CloudWatch alarm publishes to its SNS topic as cloudwatch.amazonaws.com, so the topic's access policy must
    allow that service sns:Publish; a topic policy replaces SNS's default policy (which allowed the account owner).
    Sources: Amazon SNS Developer Guide, "Access policy" / AWS Knowledge Center "cloudwatch-receive-sns-for-alarm-
    trigger" [not re-checked offline]; the alarm history error "... alarm:X is not authorized to perform: SNS:Publish
    ... because no resource-based policy allows the SNS:Publish action" (aws-solutions/automated-security-response-on-
    aws issue 43)."""
    problems = []
    for alarm in model.alarms:
        for topic_arn in alarm.target_arns:
            context = (("aws:SourceAccount", model.names.account), ("aws:SourceArn", alarm.source_arn))
            decision = model.decide(
                model.service_request("cloudwatch.amazonaws.com", "sns:Publish", topic_arn, context)
            )
            if not decision.allowed:
                problems.append(
                    f"alarm {alarm.source_arn}: CloudWatch may not publish to {topic_arn} ({decision.reason})"
                )
    return problems


def sqs_event_sources_can_poll(model: StackModel) -> list[str]:
    """A Lambda SQS event source mapping needs sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes on the
    queue for the function's role (Lambda Developer Guide, "Using Lambda with Amazon SQS", execution role)."""
    return [
        f"{mapping.principal} polls {mapping.queue_arn} but may not {action}"
        for mapping in model.event_source_mappings
        for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
        if not model.may(mapping.principal, action, mapping.queue_arn)
    ]


def translate_roles_trust_translate(model: StackModel) -> list[str]:
    """The Translate data-access role must trust translate.amazonaws.com for sts:AssumeRole (Amazon Translate
    Developer Guide, async-prereqs.md, "Prerequisite permissions"); checked with the context a job in this account
    brings (aws:SourceAccount, aws:SourceArn), so the confused-deputy conditions must admit it."""
    problems = []
    source_arn = f"arn:aws:translate:{model.names.region}:{model.names.account}:batch-translation-job/amts-check"
    for role_arn in model.translate_roles:
        principal = next((p for p in model.principals.values() if p.role_arn == role_arn), None)
        if principal is None:
            problems.append(f"the workflow passes {role_arn} to Translate, but the template has no such role")
            continue
        context = (("aws:SourceAccount", model.names.account), ("aws:SourceArn", source_arn))
        decision = model.assume(principal.name, TRANSLATE_SERVICE, context)
        if not decision.allowed:
            problems.append(f"Translate cannot assume {principal.name} ({decision.reason})")
    return problems


def roles_trust_their_service(model: StackModel) -> list[str]:
    """A function's execution role must trust lambda.amazonaws.com and a state machine's role states.amazonaws.com
    (Lambda Developer Guide, "Lambda execution role"; Step Functions Developer Guide, "IAM role for the state
    machine")."""
    return [
        f"{principal.name} must trust {principal.service}: {decision.reason}"
        for principal in model.principals.values()
        if principal.service in ("lambda.amazonaws.com", "states.amazonaws.com")
        and not (decision := model.assume(principal.name, principal.service)).allowed
    ]


def rules_can_deliver_to_their_queues(model: StackModel) -> list[str]:
    """The EventBridge rule can deliver to its SQS target (and dead-letter queue) only if the queue policy allows
    events.amazonaws.com sqs:SendMessage for that rule (EventBridge User Guide, "Using resource-based policies for
    Amazon EventBridge", Amazon SQS permissions: aws:SourceArn is the rule's ARN)."""
    problems = []
    for delivery in model.rule_deliveries:
        for queue in delivery.target_arns:
            request = model.service_request(
                "events.amazonaws.com", "sqs:SendMessage", queue, (("aws:SourceArn", delivery.source_arn),)
            )
            decision = model.decide(request)
            if not decision.allowed:
                problems.append(f"rule {delivery.source_arn} cannot deliver to {queue} ({decision.reason})")
    return problems


def state_machine_may_pass_the_data_access_role(model: StackModel) -> list[str]:
    """The state machine may pass the data-access role to Translate: StartTextTranslationJob with a DataAccessRoleArn
    needs iam:PassRole on that role with iam:PassedToService = translate.amazonaws.com (IAM User Guide, "Granting a
    user permissions to pass a role to an AWS service"; shared/reference/aws-facts.md B7)."""
    return [
        f"{name} starts Translate jobs but may not pass {role_arn} to Translate"
        for name, principal in model.principals.items()
        if principal.service == "states.amazonaws.com"
        for role_arn in model.translate_roles
        if not model.may(name, "iam:PassRole", role_arn, (("iam:PassedToService", TRANSLATE_SERVICE),))
    ]


def state_machine_may_invoke_its_functions(model: StackModel) -> list[str]:
    """Every function the ASL names (its DefinitionSubstitutions) must be invokable by the state machine's role
    (Step Functions Developer Guide, "IAM policies for Lambda": lambda:InvokeFunction on the function)."""
    machines = [name for name, p in model.principals.items() if p.service == "states.amazonaws.com"]
    return [
        f"{name} may not invoke {function_arn}"
        for name in machines
        for function_arn in model.workflow_functions
        if not model.may(name, "lambda:InvokeFunction", function_arn)
    ]


def functions_can_write_their_logs(model: StackModel) -> list[str]:
    """Lambda writes a function's logs with its execution role: logs:CreateLogStream and logs:PutLogEvents on the
    function's log group (Lambda Developer Guide, execution role / AWSLambdaBasicExecutionRole)."""
    problems = []
    for principal in model.principals.values():
        for group in principal.log_groups if principal.service == "lambda.amazonaws.com" else ():
            stream = f"{group.removesuffix(':*')}:log-stream:2026/01/01/[$LATEST]local"
            for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
                if not model.may(principal.name, action, stream):
                    problems.append(f"{principal.name} may not {action} on its log group {group}")
    return problems


SERVICE_CHECKS: tuple[ServiceCheck, ...] = (
    sns_publishers_can_use_the_topic_key,
    alarms_can_publish_to_their_encrypted_topic,
    alarms_may_publish_to_their_topic,
    sqs_event_sources_can_poll,
    translate_roles_trust_translate,
    roles_trust_their_service,
    rules_can_deliver_to_their_queues,
    state_machine_may_pass_the_data_access_role,
    state_machine_may_invoke_its_functions,
    functions_can_write_their_logs,
)


def service_failures(model: StackModel) -> dict[str, list[str]]:
    """Each check's name -> what breaks it (only failing checks are listed)."""
    return {check.__name__: failures for check in SERVICE_CHECKS if (failures := check(model))}
