"""Which warnings concern a key enterprise: the one rule, kept apart so that it is tested on its own.

A warning concerns an enterprise when the warning's country is one of the enterprise's export
markets, or the warning's industry is one of the enterprise's industries. The European Union counts
as the market of its member states and the other way round: a warning about the EU (an EUIPO
practice, the Unified Patent Court) concerns an exporter to Germany, and a warning about Germany
concerns an exporter who lists "the EU" as its market.
"""

from django.utils.translation import gettext as _

from applications.countries import country_name
from knowledge.models import Industry

EU = "EU"
# The member states of the European Union (27 since 2020), by ISO 3166-1 code.
EU_MEMBERS = frozenset(
    {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"}
    | {"IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}
)


def _market_hit(markets, country):
    """The market of the enterprise through which `country` concerns it, or None."""
    if not country:
        return None
    if country in markets:
        return country
    if country == EU:
        members = sorted(markets & EU_MEMBERS)
        return members[0] if members else None
    if country in EU_MEMBERS and EU in markets:
        return EU
    return None


def warning_match_reason(*, markets, industries, country, industry):
    """Why a warning about `country` and `industry` concerns an enterprise with these markets and
    industries, in words for the delivery record and the e-mail; "" when it does not concern it."""
    markets = set(markets or ())
    reasons = []
    market = _market_hit(markets, country)
    if market is not None:
        if market == country:
            reasons.append(_("出口市场：%(country)s") % {"country": country_name(country)})
        else:
            reasons.append(
                _("出口市场：%(market)s（预警涉及%(country)s）")
                % {"market": country_name(market), "country": country_name(country)}
            )
    if industry and industry in set(industries or ()):
        reasons.append(_("所属行业：%(industry)s") % {"industry": Industry(industry).label})
    return "；".join(str(reason) for reason in reasons)


def warning_concerns(enterprise, warning):
    """`warning_match_reason` for a key enterprise and a warning."""
    return warning_match_reason(
        markets=enterprise.markets,
        industries=enterprise.industries,
        country=warning.country,
        industry=warning.industry,
    )
