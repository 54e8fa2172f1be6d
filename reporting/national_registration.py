"""The national platform export registers its long job here: `reporting.national_export`, with the
period's parameters and `format` (xlsx or json) in the job's params."""

from django.utils.translation import gettext as _

from portal import jobs
from reporting.national import FORMATS, WRITERS, file_name
from reporting.periods import Period
from reporting.records import handled_in

KIND = "reporting.national_export"


def run_national_export(job, progress) -> jobs.JobResult:
    params = dict(job.params)
    fmt = params.get("format", "xlsx")
    if fmt not in FORMATS:
        raise ValueError(_("未知的导出格式：%(format)s") % {"format": fmt})
    period = Period.from_params(params)
    service_point_ids = params.get("service_point_ids")
    total = handled_in(period, service_point_ids=service_point_ids).count()
    progress(0, total, _("正在导出 %(count)s 件案件…") % {"count": total})
    content = WRITERS[fmt](period, service_point_ids=service_point_ids, progress=lambda done: progress(done, total))
    progress(total, total)
    return jobs.JobResult(
        content=content,
        name=file_name(period, fmt),
        content_type=FORMATS[fmt][0],
        message=_("%(period)s：%(count)s 件案件") % {"period": period.label, "count": total},
    )


jobs.register(KIND, run_national_export)
