"""Rank cases from files, without the database: scores.csv, votes.csv and config.json.

    python manage.py rank_sheet --scores scores.csv --votes votes.csv --config config.json

The file formats are described in ``reviews.ranking_io``; the rules in ``reviews.ranking``.
The JSON output also holds the panel's agreement (``"panel"``, see ``reviews.panel``).
Bad input prints one line to stderr and exits with status 2.
"""

import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from reviews.panel import Panel, panel_as_data, panel_of_outcome
from reviews.panel_io import read_thresholds
from reviews.ranking import RankingError, RankingOutcome, rank
from reviews.ranking_io import RankingInputError, load_inputs

TABLE_HEADERS = ("排名", "案例", "得分", "档次", "档内排名")


def outcome_as_data(outcome: RankingOutcome, panel: Panel | None = None) -> dict:
    """The JSON shape: ids as written in the CSV, scores as fixed-point strings; the panel
    (computed from the outcome unless given) as a top-level ``"panel"`` object."""
    panel = panel if panel is not None else panel_of_outcome(outcome)
    return {
        "shortlist": list(outcome.shortlist),
        "results": [
            {
                "case": result.case,
                # "f" keeps fixed point: str() would print a zero at 7 places as 0E-7.
                "score": format(result.score, "f"),
                "overall_rank": result.overall_rank,
                "tier": result.tier,
                "rank": result.rank,
            }
            for result in outcome.results
        ],
        "panel": panel_as_data(panel),
    }


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def outcome_as_table(outcome: RankingOutcome) -> str:
    data = outcome_as_data(outcome)
    rows = [
        (
            str(item["overall_rank"]),
            str(item["case"]),
            item["score"],
            item["tier"] or "-",
            str(item["rank"]) if item["rank"] is not None else "-",
        )
        for item in data["results"]
    ]
    widths = [
        max(_width(cell) for cell in column) for column in zip(TABLE_HEADERS, *rows, strict=True)
    ]
    lines = [f"入围（{len(data['shortlist'])}）: {', '.join(map(str, data['shortlist']))}", ""]
    for row in (TABLE_HEADERS, *rows):
        lines.append(
            "  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return "\n".join(lines)


class Command(BaseCommand):
    help = "按评分表、投票表和配置计算排名与档次（不读写数据库）。"
    # The command reads files only: no system checks (their warnings would clutter stderr).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--scores", required=True, help="scores.csv：case,expert,criterion,score"
        )
        parser.add_argument("--votes", help="votes.csv：case,votes（可省略，省略时票数均为 0）")
        parser.add_argument("--config", required=True, help="config.json：评分标准、档次等")
        parser.add_argument("--format", choices=("json", "table"), default="json")

    def handle(self, *args, **options):
        try:
            thresholds = read_thresholds(options["config"])
            inputs = load_inputs(
                scores_path=options["scores"],
                votes_path=options["votes"],
                config_path=options["config"],
            )
            outcome = rank(
                config=inputs.config, scores=inputs.scores, votes=inputs.votes, cases=inputs.cases
            )
            panel = panel_of_outcome(outcome, thresholds)
        except (RankingInputError, RankingError) as exc:
            message = " ".join(str(exc).split())  # one line, whatever the message holds
            raise CommandError(message, returncode=2) from None
        if options["format"] == "table":
            self.stdout.write(outcome_as_table(outcome))
        else:
            data = outcome_as_data(outcome, panel)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
