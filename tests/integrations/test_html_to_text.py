"""The HTML → plain-text converter alone (no Django): the paragraph shape the extractor reads."""

from __future__ import annotations

import pytest

from integrations.html_to_text import HtmlTooComplex, count_elements, html_to_text


def test_block_elements_end_paragraphs_and_inline_white_space_folds():
    result = html_to_text(
        "<h2>Why It Matters</h2><p>The council\n   voted <b>7</b> to 2.</p>"
        "<div>A second   paragraph.</div><blockquote>A quote.</blockquote>"
    )

    assert (
        result.text
        == "Why It Matters\n\nThe council voted 7 to 2.\n\nA second paragraph.\n\nA quote.\n"
    )


def test_a_line_break_stays_a_line_break_inside_the_paragraph():
    assert (
        html_to_text("<p>First line<br>Second line<br/>Third</p>").text
        == "First line\nSecond line\nThird\n"
    )


def test_list_items_become_dash_lines_of_one_paragraph_nested_ones_too():
    result = html_to_text(
        "<p>The contract includes:</p><ul><li>Delivery by <em>March</em></li>"
        "<li>Field trials<ul><li>At Fort Hood</li></ul></li></ul><ol><li>One</li></ol>"
    )

    assert result.text == (
        "The contract includes:\n\n- Delivery by March\n- Field trials\n- At Fort Hood\n\n- One\n"
    )


def test_scripts_styles_comments_and_head_are_dropped_and_entities_decoded():
    result = html_to_text(
        "<html><head><title>Page</title><style>p { color: red }</style>"
        "<script>document.write('<p>injected</p>')</script></head><body>"
        "<!-- a comment --><p>Caf&eacute; &amp; bar &lt;3 &#8212; &nbsp;open</p>"
        "<noscript>Enable JS</noscript><template><p>hidden</p></template></body></html>"
    )

    assert result.text == "Café & bar <3 — open\n"


def test_a_related_link_line_keeps_its_href_for_the_headline():
    result = html_to_text(
        '<p>Body sentence.</p><p>See Also: <a href="https://example.org/fares">Ferry Fares '
        "To Rise</a></p><p>Read Next:<br><a href='https://example.org/next'>Next Story</a></p>"
    )

    assert result.text == (
        "Body sentence.\n\nSee Also: Ferry Fares To Rise\n\nRead Next:\nNext Story\n"
    )
    assert result.links == {
        "Ferry Fares To Rise": "https://example.org/fares",
        "Next Story": "https://example.org/next",
    }


def test_link_lists_keep_each_items_href_but_links_inside_sentences_do_not_count():
    result = html_to_text(
        '<p>Read Next:</p><ul><li><a href="https://a.example/1">Drone Maker Raises $400 Million</a>'
        '</li><li><a href="javascript:alert(1)">Bad link</a></li></ul>'
        '<p>The mayor <a href="https://a.example/mayor">said</a> it was done.</p>'
    )

    assert result.text == (
        "Read Next:\n\n- Drone Maker Raises $400 Million\n- Bad link\n\nThe mayor said it was done.\n"
    )
    assert result.links == {"Drone Maker Raises $400 Million": "https://a.example/1"}


def test_tables_become_pipe_rows_and_pre_keeps_its_lines():
    result = html_to_text(
        "<table><tr><th>Candidate</th><th>Share</th></tr><tr><td>A</td><td>52%</td></tr></table>"
        "<pre>line one\n  line two</pre>"
    )

    assert result.text == "Candidate | Share\nA | 52%\n\nline one\n  line two\n"


def test_the_feed_date_header_keeps_its_leading_space():
    result = html_to_text("<p>date 2025-02-03 Harbor City approved a budget.</p>")

    assert result.text == " date 2025-02-03 Harbor City approved a budget.\n"


def test_broken_html_still_gives_text():
    assert html_to_text("<p>Unclosed <b>bold <i>and</p> more").text == "Unclosed bold and\n\nmore\n"
    assert html_to_text("").text == ""
    assert html_to_text("<script>never closed").text == ""
    assert html_to_text("<div>" * 5000 + "deep" + "</div>" * 5000).text == "deep\n"


# --- Broken markup: the rules of integrations/html_to_text.py's docstring ------------------------


def test_markup_cut_off_by_the_end_of_the_html_is_text():
    assert html_to_text("<p>Prices rose 5%<br").text == "Prices rose 5%<br\n"
    assert html_to_text("<p>x<y and <b>z</b> then a<b").text == "xz then a<b\n"
    assert html_to_text("<p>Left <!-- unfinished").text == "Left <!-- unfinished\n"


def test_an_unclosed_comment_is_text_up_to_the_next_gt_and_parsing_goes_on():
    result = html_to_text("<p>A<!-- ad slot <b>B</b></p><p>C</p>")

    assert result.text == "A<!-- ad slot <b>B\n\nC\n"


def test_unknown_marked_sections_and_huge_character_references_convert_instead_of_raising():
    # html.parser raised AssertionError on the first two and ValueError (int() of more than
    # 4,300 digits) on the third: a 500 from the API.
    assert html_to_text("<p>a<![foo[x]]>b</p>").text == "ab\n"
    assert html_to_text("<p>a<![ x ]>b</p>").text == "ab\n"
    assert html_to_text("<p>&#" + "9" * 5000 + ";&#" + "0" * 5000 + "65;</p>").text == "\ufffdA\n"
    assert html_to_text(
        "<p><![CDATA[ 1 > 0 ]]>kept<![if !supportLists]>- <![endif]>item</p>"
    ).text == ("kept- item\n")


def test_a_quote_that_never_closes_takes_the_rest_of_the_html():
    assert html_to_text('<p>One</p><p>Two <a href="x>Three</a> four').text == (
        'One\n\nTwo <a href="x>Three</a> four\n'
    )


def test_more_elements_than_the_budget_raise_before_any_conversion():
    html = "<p>a</p>" * 5 + "<!-- c -->" + "a < b"

    with pytest.raises(HtmlTooComplex) as refused:
        html_to_text(html, max_elements=10)

    assert (refused.value.elements, refused.value.limit) == (11, 10)
    assert str(refused.value) == "too many elements (11, limit 10)"
    assert count_elements(html) == 11
    assert html_to_text(html, max_elements=11).text == "a\n\na\n\na\n\na\n\na\n\na < b\n"
