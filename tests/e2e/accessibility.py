"""axe-core in the browser tests: `assert_accessible(page, context="...")` runs axe on the page as
it stands and fails with a readable list of the serious and critical violations.

axe is injected through Playwright's evaluate (the DevTools protocol), which the page's
Content-Security-Policy does not govern, so the policy watch in conftest.py stays quiet.
"""

from axe_playwright_python.sync_playwright import Axe

# The impacts a test fails on; "minor" and "moderate" are reported by axe but tolerated here.
FAILING_IMPACTS = ("serious", "critical")

# WCAG 2.x A/AA plus axe's best practices (landmarks, headings); colour-contrast is in wcag2aa.
RUN_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
}

_axe = Axe()


def axe_violations(page, *, selector=None, impacts=FAILING_IMPACTS, disable=()):
    """The violations axe finds on the page (or within `selector`) at the given impacts."""
    options = dict(RUN_OPTIONS)
    if disable:
        options["rules"] = {rule: {"enabled": False} for rule in disable}
    results = _axe.run(page, context=selector, options=options)
    return [v for v in results.response["violations"] if v.get("impact") in impacts]


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation.get('helpUrl', '')}]"
        )
        for node in violation["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}  — {summary[:240]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page, context="", *, selector=None, disable=()):
    """Fail if axe finds a serious or critical violation on the current page.

    `context` names the page in the failure message (e.g. "expert sheet at 390 px");
    `selector` limits the check to part of the page; `disable` switches rules off by id
    (say why at the call site).
    """
    violations = axe_violations(page, selector=selector, disable=disable)
    if violations:
        width = page.viewport_size["width"] if page.viewport_size else "?"
        raise AssertionError(
            f"axe: {len(violations)} serious/critical accessibility violation(s) on "
            f"{context or page.url} ({page.url}, {width} px):\n{describe(violations)}"
        )


def assert_no_sideways_scroll(page, context=""):
    """The page is no wider than the viewport (no horizontal scrolling on a phone)."""
    widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], (
        f"{context or page.url} scrolls sideways: content {widths[0]} px > viewport {widths[1]} px"
    )
