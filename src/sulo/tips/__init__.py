"""The `tips` stage: CyberTipline intake, enrichment, subject grouping, priority, routing, legal requests.

Pipeline (each step a module, each testable alone):
  intake (files, folders, zips) -> parser / jsonfmt -> ParsedReport
  -> enrich (IP geo/ASN/flags, phone/email/username canonical forms)
  -> store (bulk insert, idempotent on reportId, quarantine) -> grouping (union-find) -> priority -> routing
"""
