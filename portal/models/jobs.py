"""Long work that a person starts and waits for (an export of a year, a report draft, a bulk
import): one row per run, with its progress, its result and, when it failed, what failed.

The page that started it shows a progress bar that reads the row (portal.jobs and its views);
a failed run keeps its parameters so that it can be run again."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.transitions import StatusField, StatusModel


def job_result_path(instance, filename):
    return f"job-results/{instance.pk}/{uuid.uuid4().hex}"


class Job(StatusModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The registered runner (portal.jobs.register); e.g. "reporting.national_export".
    kind = models.CharField(_("任务类型"), max_length=60, db_index=True)
    label = models.CharField(_("任务名称"), max_length=200)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    # A run is claimed, then ends once; the sweep fails a run a stopped worker left behind. Each step is
    # one conditional UPDATE in portal.jobs (WHERE status = the step's source), so two workers or the
    # sweep and a late worker never both move the same run.
    TRANSITIONS = {
        Status.QUEUED: {Status.RUNNING, Status.FAILED},
        Status.RUNNING: {Status.SUCCEEDED, Status.FAILED},
        Status.SUCCEEDED: set(),
        Status.FAILED: set(),
    }

    status = StatusField(
        _("状态"),
        max_length=20,
        choices=Status.choices,
        default=Status.QUEUED,
        db_index=True,
        transitions=TRANSITIONS,
    )
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总量"), default=0)
    message = models.CharField(_("进度说明"), max_length=300, blank=True)
    result_file = models.FileField(_("结果文件"), upload_to=job_result_path, max_length=200, blank=True)
    result_name = models.CharField(_("结果文件名"), max_length=200, blank=True)
    result_content_type = models.CharField(_("结果文件类型"), max_length=100, blank=True)
    # Where the result lives when it is not a file of the job (a document, a report).
    result_url = models.CharField(_("结果链接"), max_length=300, blank=True)
    # What the run found, for its page: an import's counts and the rows it refused, with their numbers.
    result_data = models.JSONField(_("结果摘要"), default=dict, blank=True)
    last_error = models.TextField(_("失败原因"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("发起人")
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self):
        return self.label

    @property
    def percent(self):
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.done * 100 / self.total))

    @property
    def is_finished(self):
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
