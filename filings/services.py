"""
Writes of reported spending: the EDGAR import (one company at a time, all or nothing) and the
publication of figures editors enter for companies that do not file XBRL with the SEC.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from companies.models import Company
from currencies.locks import exclusive_run
from filings.choices import EntryState, ImportStatus, Origin
from filings.edgar import EdgarClient, EdgarError, edgar_filing_url, parse_capex_facts, requests_transport
from filings.models import ImportRun, ReportedCapex

logger = logging.getLogger(__name__)

LOCK_NAME = "filings-reported-refresh"
# The whole weekly run's hard limit (see filings.tasks); the lock outlives a crashed run no longer.
REFRESH_TIME_LIMIT = 900


def edgar_client(**overrides) -> EdgarClient:
    """The client with the User-Agent, base address, pace and timeouts from settings."""
    options = {
        "transport": requests_transport,
        "user_agent": settings.SEC_USER_AGENT,
        "base_url": settings.SEC_API_BASE_URL,
        "timeout": tuple(settings.SEC_HTTP_TIMEOUT),
        "max_per_second": settings.SEC_MAX_REQUESTS_PER_SECOND,
    }
    options.update(overrides)
    return EdgarClient(**options)


def reported_refresh(*, company: Company, client: EdgarClient) -> ImportRun:
    """
    Import one company's reported capex from EDGAR. Stored rows are skipped, so a second run
    writes nothing; any error leaves every stored value as it was and is recorded on the run.
    """
    run = ImportRun.objects.create(company=company, started_at=timezone.now())
    try:
        if not company.cik:
            raise EdgarError(f"{company.name} has no CIK.")
        run.url = client.concept_url(company.cik, company.capex_concept)
        document = client.get_json(run.url)
        if isinstance(document, dict) and document.get("cik") not in (None, int(company.cik), company.cik):
            raise EdgarError(f"The response is for CIK {document.get('cik')}, not {company.name}'s {company.cik}.")
        rows = parse_capex_facts(
            document, concept=company.capex_concept, fiscal_year_end_month=company.fiscal_year_end_month
        )
        with transaction.atomic():
            for row in rows:
                record = ReportedCapex(
                    company=company,
                    edgar_url=edgar_filing_url(company.cik, row.accession_number),
                    origin=Origin.EDGAR,
                    state=EntryState.PUBLISHED,
                    **row.__dict__,
                )
                if ReportedCapex.objects.filter(
                    company=company,
                    concept=row.concept,
                    period_start=row.period_start,
                    period_end=row.period_end,
                    accession_number=row.accession_number,
                ).exists():
                    continue
                record.full_clean()
                record.save()
                run.rows_written += 1
        run.status = ImportStatus.SUCCEEDED
    except (EdgarError, ValidationError) as exc:
        logger.warning("Reported capex import of %s failed: %s", company, exc)
        run.status = ImportStatus.FAILED
        run.rows_written = 0
        run.error = f"{exc} The values stored before stay in use."
    run.finished_at = timezone.now()
    run.save()
    return run


def reported_refresh_all(*, client: EdgarClient | None = None, companies=None) -> list[ImportRun]:
    """Import every company with a CIK, one at a time, unless another run holds the lock."""
    client = client or edgar_client()
    with exclusive_run(LOCK_NAME, timeout=REFRESH_TIME_LIMIT) as acquired:
        if not acquired:
            now = timezone.now()
            return [
                ImportRun.objects.create(
                    started_at=now, finished_at=now, status=ImportStatus.SKIPPED, error="Another run holds the lock."
                )
            ]
        queryset = companies if companies is not None else Company.objects.exclude(cik="").order_by("name")
        return [reported_refresh(company=company, client=client) for company in queryset]


PUBLISH_PERMISSION = "filings.publish_reportedcapex"


@transaction.atomic
def reported_enter(*, reported: ReportedCapex, by) -> ReportedCapex:
    """
    Save a figure an editor entered or changed (a company that does not file XBRL with the SEC):
    it needs its source and quote, and it is a draft until someone else publishes it, so a change
    to a published figure takes it back to review. Imported EDGAR values are not edited.
    """
    if reported.pk is not None and ReportedCapex.objects.filter(pk=reported.pk, origin=Origin.EDGAR).exists():
        raise ValidationError("Values imported from EDGAR are as filed and are not edited.")
    reported.origin = Origin.EDITOR
    reported.state = EntryState.DRAFT
    reported.reviewed_by = None
    if reported.created_by_id is None:
        reported.created_by = by
    reported.updated_by = by
    reported.full_clean()
    reported.save()
    return reported


@transaction.atomic
def reported_publish(*, reported: ReportedCapex, reviewer) -> ReportedCapex:
    """
    Publish an editor-entered draft. Four eyes: the reviewer needs the publish permission and may
    be neither the editor who entered the figure nor the last person who changed it.
    """
    if not reviewer.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("Publishing reported capex needs the reviewer's permission.")
    if reported.origin != Origin.EDITOR or reported.state != EntryState.DRAFT:
        raise ValidationError("Only a draft an editor entered is published this way.")
    if reviewer.pk in (reported.created_by_id, reported.updated_by_id):
        raise ValidationError("The reviewer must not be the editor who entered or last changed the figure.")
    reported.reviewed_by = reviewer
    reported.state = EntryState.PUBLISHED
    reported.full_clean()
    reported.save()
    return reported
