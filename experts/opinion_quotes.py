"""The expert pool's opinions, offered to the case work above which the pool sits: the guidance
opinion quotes them ("引用专家意见") and the case file lists them. The cases app cannot import
the pool (it is the lower layer), so the pool registers its reader there (from ExpertsConfig.ready)."""

from cases.opinions.content import register_expert_opinion_source
from experts.selectors import opinions_for_case


def connect():
    register_expert_opinion_source(opinions_for_case)
