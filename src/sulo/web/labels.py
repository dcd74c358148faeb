"""Human labels for the codes stages store (tiers, statuses, score signals, identifier kinds, roles), so
pages show "Urgent" / "Mendesak" / "Apurahan" instead of `urgent`. Templates write `{{ code|label }}`;
a code without a label shows as it is."""

from __future__ import annotations

import re
from typing import Any

from jinja2 import pass_context

from sulo.web.nav import N_

LABELS: dict[str, str] = {
    # tips: tiers and subject status
    "immediate": N_("Immediate"), "urgent": N_("Urgent"), "standard": N_("Standard"), "monitor": N_("Monitor"),
    "open": N_("Open"), "not_actionable": N_("Not actionable"), "requested": N_("Requested"),
    # tips: score signals (src/sulo/tips/priority.yaml)
    "in_country_residential_ip": N_("In-country residential IP"),
    "in_country_mobile_ip": N_("In-country mobile IP"),
    "in_country_location": N_("Located in the country"),
    "live_streaming": N_("Live streaming"),
    "production": N_("Possible new abuse (production)"),
    "sextortion": N_("Sextortion"),
    "solicitation": N_("Solicitation"),
    "minor_victim": N_("Victim is a minor"),
    "victim_in_country": N_("Child victim in the country"),
    "minor_recipient": N_("Intended recipient is a minor"),
    "known_series": N_("File on a known hash list"),
    "financial_alert": N_("Linked financial alert"),
    "prior_report_link": N_("Linked to an earlier report"),
    "viral_only": N_("Viral content only"),
    "foreign_only": N_("No in-country signal"),
    "many_reports": N_("Many reports"),
    "recent": N_("Recent"),
    # tips: identifier kinds that tie reports
    "esp_id": N_("Platform account id"), "screen_name": N_("Screen name"), "email": N_("Email"),
    "phone": N_("Phone"), "device": N_("Device id"), "ip_window": N_("Same home IP within hours"),
    "duplicate_content": N_("Same report content"), "prior_report": N_("Earlier CyberTipline report"),
    # finance: dispositions, roles, typologies
    "reviewed": N_("Reviewed"), "escalated": N_("Escalated"), "dismissed": N_("Dismissed"),
    "sender": N_("Sender"), "receiver": N_("Receiver"),
    "live_streaming_customer": N_("Live-streaming customer"), "facilitator": N_("Facilitator"),
    "sextortion_offender": N_("Sextortion offender"), "pass_through_mule": N_("Pass-through mule"),
    "draft": N_("Draft"),
    # tips: the network class of an IP address (tips/enrich.py)
    "residential": N_("Residential"), "cgnat": N_("Mobile or shared (CGNAT)"), "hosting": N_("Hosting or data centre"),
    "vpn": N_("VPN or proxy"), "private": N_("Private address"), "unknown": N_("Unknown"),
    # finance: payment channels (the input format's closed set, finance.inputs.CHANNELS)
    "bank": N_("Bank transfer"), "remittance": N_("Remittance"), "ewallet": N_("E-wallet"), "card": N_("Card"),
    "crypto": N_("Crypto-asset"), "cash": N_("Cash"),
    # accounts: roles (accounts/policy.yaml)
    "admin": N_("Administrator"), "tip_analyst": N_("Tip analyst"), "financial_analyst": N_("Financial analyst"),
    "investigator": N_("Investigator"), "caseworker": N_("Caseworker"), "liaison": N_("Liaison officer"),
    "viewer": N_("Viewer (read only)"),
}


@pass_context
def label(context: Any, code: object) -> str:
    text = str(code) if code is not None else ""
    return str(context["_"](LABELS.get(text, text)))


# The fixed phrases of a tip subject's score reasons (tips/subjects.py, subject_facts): "{hits} of {n}
# reports: {phrase}". Annotation names (liveStreaming, sextortion, csamSolicitation) and data (ISPs, hash
# series) stay as they are. tests/web/test_labels.py holds this table equal to what subject_facts writes.
DETAIL_PHRASES: dict[str, str] = {p: p for p in (
    N_("ESP-estimated location in country"), N_("production annotations"), N_("victim under 18"),
    N_("child victim located in country"), N_("intended recipient under 18"),
    N_("identifier named in a financial alert"), N_("priorCTReports points at a held report"),
    N_("viral files only"), N_("no in-country signal"))}
_OF_N = re.compile(r"^(\d+) of (\d+) reports: (.*)$", re.DOTALL)
_N_REPORTS = re.compile(r"^(\d+) reports$")
_LATEST = re.compile(r"^latest incident (\S+)$")


@pass_context
def reason_detail(context: Any, detail: object) -> str:
    """A stored reason detail in the page's language (the stored text stays English, so the API and old rows
    read the same); text of another shape shows as it is."""
    text = str(detail) if detail is not None else ""
    _ = context["_"]
    if m := _OF_N.match(text):
        what = m.group(3)
        return str(_("{hits} of {n} reports").format(hits=m.group(1), n=m.group(2)) + ": " +
                   (_(what) if what in DETAIL_PHRASES else what))
    if m := _N_REPORTS.match(text):
        return str(_("{n} reports").format(n=m.group(1)))
    if m := _LATEST.match(text):
        return str(_("latest incident {date}").format(date=m.group(1)))
    return text
