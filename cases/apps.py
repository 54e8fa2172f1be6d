from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("案件办理")

    def ready(self):
        from applications.services import applicant_answer_hooks
        from cases.services import case_resume_on_answer

        # The applicant's answer on the thread ends a pause of the case's opinion deadline.
        if case_resume_on_answer not in applicant_answer_hooks:
            applicant_answer_hooks.append(case_resume_on_answer)
