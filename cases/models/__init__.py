"""Rounds, districts and cases: what a year's selection is made of.

One module per concept; everything is importable from ``cases.models`` as Django expects
(and as the migrations name ``cases.models.default_criteria`` and ``attachment_path``).
"""

# The adoption records (cases.adoption, its own subpackage) refer to cases and districts.
from cases.adoption.models import Adoption, AdoptionFigure

from .case import Attachment, Case, CaseQuerySet, KeyFigure, attachment_path
from .district import District, Topic
from .neardup import NearCopyBand, NearCopyEntry, NearCopyPair
from .records import CaseTransition, Notification, ReturnRequest
from .related import RelatedCases
from .round import Round, default_criteria, default_tiers, validate_criteria, validate_tiers

__all__ = [
    "Adoption",
    "AdoptionFigure",
    "Attachment",
    "Case",
    "CaseQuerySet",
    "CaseTransition",
    "District",
    "KeyFigure",
    "NearCopyBand",
    "NearCopyEntry",
    "NearCopyPair",
    "Notification",
    "RelatedCases",
    "ReturnRequest",
    "Round",
    "Topic",
    "attachment_path",
    "default_criteria",
    "default_tiers",
    "validate_criteria",
    "validate_tiers",
]
