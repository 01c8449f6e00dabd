"""Demo records of the frameworks app: Acme Cloud works towards SOC 2 with the default
controls, Security and Availability in scope (Privacy, Confidentiality and Processing
integrity out, each with its reason), physical access carved out to AWS, and version 1 of
the system description.

Each decision is made once: a category whose scope already has a reason is left as it is,
and criteria are marked not applicable only when the framework is adopted, so choices made
while trying the demo are kept.
"""

from __future__ import annotations

from zgovern.frameworks import services
from zgovern.frameworks.models import Category, Criterion, Framework, SystemDescription

SCOPE = {
    "availability": (
        True,
        "Customers rely on our uptime commitment (99.9% SLA)",
    ),
    "confidentiality": (
        False,
        "No customer contract designates information as confidential beyond what the "
        "Security criteria protect; revisit when the first enterprise NDA requires it.",
    ),
    "processing_integrity": (
        False,
        "Customers reconcile invoices in their own ledgers and our contracts make no "
        "commitment on processing accuracy; not requested by customers so far.",
    ),
    "privacy": (
        False,
        "We process only business contact details of our customers' billing staff, as a "
        "processor under our DPA; no customer has asked for the Privacy category.",
    ),
}
NOT_APPLICABLE = {
    "CC6.4": "Acme runs no offices with servers and no data centres: production is "
    "entirely on AWS, whose physical security is covered by AWS's own SOC 2 report "
    "(AWS is a carved-out subservice organisation; its report is reviewed every year).",
}
SYSTEM_DESCRIPTION = {
    "services": (
        "Acme Cloud Billing: a multi-tenant web application and REST API with which B2B "
        "software companies manage subscriptions, issue invoices and collect payments.\n"
        "Customers use the web app (app.acme.example) and the public API "
        "(api.acme.example). Support by email and chat, 08:00-20:00 CET on working days.\n"
        "Commitments: 99.9% monthly availability; recovery point 1 hour, recovery time "
        "4 hours; security incidents affecting customer data notified within 72 hours."
    ),
    "infrastructure": (
        "AWS, region eu-west-1 (Ireland), backups copied to eu-central-1 (Frankfurt).\n"
        "Separate AWS accounts for production, staging and security tooling under AWS "
        "Organizations; CloudTrail and GuardDuty on in every account.\n"
        "Stateless application containers on ECS Fargate behind an Application Load "
        "Balancer and AWS WAF; PostgreSQL on Amazon RDS (Multi-AZ, encrypted with KMS); "
        "Redis on ElastiCache for job queues; invoices as PDF in S3 with versioning.\n"
        "Infrastructure is defined in Terraform; changes ship through GitHub pull "
        "requests with a required review and GitHub Actions pipelines."
    ),
    "data": (
        "Customer accounts (company name, billing address, VAT number), billing contacts' "
        "names and business email addresses, subscription plans, invoices and payment "
        "status. Card numbers are never stored: payments are tokenised by Stripe.\n"
        "Encrypted in transit (TLS 1.2 or later) and at rest (AES-256, AWS KMS keys).\n"
        "Kept for the contract term plus 90 days, invoices for 10 years where tax law "
        "requires it, then deleted."
    ),
    "people": (
        "42 employees, all remote in the EU and the US: engineering 18, customer "
        "success 9, sales and marketing 10, finance, people and legal 5.\n"
        "The CTO owns security and compliance; a two-person platform team operates "
        "production. Engineers reach production through Okta SSO with MFA and "
        "time-limited AWS roles; access is reviewed every quarter.\n"
        "Background checks at hire; security awareness training at hire and yearly."
    ),
    "third_parties": (
        "AWS: hosting (subservice organisation, carved out).\n"
        "Stripe: payment processing.\n"
        "Okta: workforce identity and single sign-on.\n"
        "Google Workspace: email and documents.\n"
        "GitHub: source code and CI/CD.\n"
        "Datadog: monitoring and logs (no customer payload data).\n"
        "Zendesk: support tickets. PagerDuty: on-call paging.\n"
        "Each is assessed before onboarding and every year against its SOC 2 report."
    ),
    "boundaries": (
        "In scope: the production environment of Acme Cloud Billing (web app, API, "
        "background workers, databases and storage in the production AWS account) and the "
        "people, processes and tools that build, deploy and operate it.\n"
        "Out of scope: the marketing website (hosted by Webflow), sales tooling "
        "(HubSpot), and the staging account, which holds no customer data. Physical and "
        "environmental controls at AWS data centres are AWS's and are carved out."
    ),
    "narrative": (
        "Acme Cloud was founded in 2019 and serves about 350 software companies in Europe "
        "and North America. This description covers the system as operated from "
        "1 January of the audit year. Customers are responsible for managing their own "
        "users' access to the web app and for keeping their API keys secret "
        "(complementary user entity controls)."
    ),
}


def load(context) -> None:
    org, actor = context.organization, context.actor
    framework = Framework.objects.filter(organization=org, key="soc2").first()
    if framework is None:
        framework, _ = services.adopt_builtin(org, actor, "soc2")
        _not_applicable(org, actor, framework)
    _scope(org, actor, framework)
    if not SystemDescription.objects.filter(organization=org).exists():
        services.save_system_description(org, actor, SYSTEM_DESCRIPTION)


def _scope(org, actor, framework: Framework) -> None:
    undecided = Category.objects.filter(
        organization=org, framework=framework, key__in=SCOPE, scope_reason=""
    )
    for category in undecided:
        in_scope, reason = SCOPE[category.key]
        services.set_category_scope(org, actor, category.pk, in_scope=in_scope, reason=reason)


def _not_applicable(org, actor, framework: Framework) -> None:
    for criterion in Criterion.objects.filter(
        organization=org, framework=framework, ref__in=NOT_APPLICABLE
    ):
        services.set_criterion_applicability(
            org,
            actor,
            criterion.pk,
            not_applicable=True,
            justification=NOT_APPLICABLE[criterion.ref],
        )
