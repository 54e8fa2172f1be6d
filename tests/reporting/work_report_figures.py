"""A known set of figures in the statistics engine's shape (reporting.selectors.figures), for the
work report's tests: every number the report prints is one of these."""

FIGURES = {
    "period": {"kind": "quarter", "first": "2026-07-01", "last": "2026-09-30", "label": "2026年第3季度"},
    "service_point_ids": None,
    "applications": {"received": 23, "accepted": 17, "returned": 4, "declined": 2, "withdrawn": 1},
    "cases": {"opened": 17, "closed": 11, "terminated": 1, "open_now": 29, "overdue_now": 3},
    "consultations": {
        "total": 41,
        "by_channel": [
            {"key": "phone", "label": "电话", "count": 25},
            {"key": "walk_in", "label": "来访", "count": 16},
        ],
    },
    "dimensions": {
        "country": [
            {"key": "US", "label": "美国", "count": 9},
            {"key": "DE", "label": "德国", "count": 5},
            {"key": "JP", "label": "日本", "count": 3},
        ],
        "right_type": [
            {"key": "invention", "label": "发明专利", "count": 10},
            {"key": "trademark", "label": "商标", "count": 7},
        ],
        "dispute_type": [{"key": "infringement", "label": "侵权纠纷", "count": 12}],
        "technical_field": [],
        "opponent_type": [],
        "level": [
            {"key": "ordinary", "label": "一般纠纷", "count": 15},
            {"key": "major", "label": "重大纠纷", "count": 2},
        ],
        "applicant_category": [],
        "region": [{"key": "140100", "label": "太原市", "count": 8}],
        "service_point": [],
    },
    "handling": {
        "acceptance": {"count": 19, "median": 2.0, "p90": 4.5, "on_time": 18, "on_time_share": 0.947},
        "first_contact": {"count": 17, "median": 1.0, "p90": 3.0, "on_time": 17, "on_time_share": 1.0},
        "opinion": {"count": 11, "median": 14.5, "p90": 27.0, "on_time": 9, "on_time_share": 0.818},
        "overdue_now": {"acceptance": 0, "first_contact": 1, "opinion": 2},
    },
    "letters": [
        {
            "agency_id": 1,
            "agency": "省商务厅",
            "sent": 6,
            "acknowledged": 6,
            "answered": 5,
            "median_response_days": 7.5,
            "overdue": 1,
        },
        {
            "agency_id": 2,
            "agency": "太原海关",
            "sent": 3,
            "acknowledged": 2,
            "answered": 2,
            "median_response_days": 4.0,
            "overdue": 0,
        },
        {
            "agency_id": 3,
            "agency": "省司法厅",
            "sent": 0,
            "acknowledged": 0,
            "answered": 0,
            "median_response_days": None,
            "overdue": 0,
        },
    ],
    "experts": {
        "invited": 14,
        "accepted": 12,
        "declined": 2,
        "acceptance_rate": 0.857,
        "opinions": 8,
        "load": [],
    },
    "satisfaction": {
        "count": 9,
        "averages": {"satisfaction": 4.6, "timeliness": 4.3, "usefulness": 4.5},
        "comments": [],
    },
    "trends": [
        {
            "label": f"{year}年第{q}季度",
            "params": {},
            "received": 10 + i,
            "opened": 8 + i,
            "closed": 5 + i,
            "consultations": 20 + i,
        }
        for i, (year, q) in enumerate(
            [(2024, 4), (2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3)]
        )
    ],
}

COMMENTARY = {
    "overview": "本季度，我中心围绕海外知识产权纠纷应对指导主责主业，扎实做好受理、研判和协调工作。",
    "achievements": "（一）快速响应机制有效运行\n首次联系全部在时限内完成，企业反映良好。",
    "problems": "部分协助办理函回复偏慢，专家资源在德语区案件上仍显不足。",
    "next_steps": "一是加强与协助单位的协调；二是扩充德语区专家；三是做好年度总结。",
}
