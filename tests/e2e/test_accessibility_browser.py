"""The axe helper (tests/e2e/accessibility.py) itself: it sees a contrast failure and names it."""

import pytest

from tests.e2e.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_helper_fails_on_low_contrast_and_names_rule_and_target(page):
    page.goto(page.base_url + "/")
    assert_accessible(page, "home page")
    page.evaluate(
        """() => { const p = document.createElement("p"); p.id = "faint";
        p.style.color = "#ccc"; p.style.background = "#fff"; p.textContent = "浅色文字";
        document.body.append(p); }"""
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "home page")
    assert "color-contrast (serious)" in str(failure.value)
    assert "#faint" in str(failure.value)
