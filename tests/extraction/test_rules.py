"""One test per rule of ../shared/EXTRACTION.md, on small invented texts."""

from __future__ import annotations

import pytest

from extraction import KIND_BULLET, KIND_LEAD_IN, KIND_QUOTE, extract


def texts(text: str) -> list[str]:
    result = extract(text)
    for c in result.claims:
        assert text[c.start : c.end] == c.text
    return [c.text for c in result.claims]


def sections(text: str) -> list[tuple[str, str | None]]:
    return [(c.text, c.section) for c in extract(text).claims]


def links(text: str) -> list[tuple[str, str]]:
    return [(link.label, link.title) for link in extract(text).related_links]


# -- dateline ---------------------------------------------------------------------------------


def test_dateline_header_is_read_and_not_part_of_any_claim():
    text = " date 2023-05-17 Copperfield Mining said output rose. It hired 40 people."
    result = extract(text)
    assert result.dateline == "2023-05-17"
    assert [c.text for c in result.claims] == [
        "Copperfield Mining said output rose.",
        "It hired 40 people.",
    ]
    assert result.claims[0].start == len(" date 2023-05-17 ")


def test_no_header_means_no_dateline():
    assert extract("Copperfield Mining said output rose.").dateline is None
    assert extract("The date 2023-05-17 was chosen.").dateline is None


def test_an_impossible_date_is_no_dateline_but_stays_out_of_the_claims():
    result = extract(" date 2023-02-30 Copperfield Mining said output rose.")
    assert result.dateline is None
    assert [c.text for c in result.claims] == ["Copperfield Mining said output rose."]


# -- section labels ---------------------------------------------------------------------------


def test_section_label_names_the_claims_until_the_next_label():
    text = (
        "Lead sentence here.\n\nWhat Happened: Alder Bank cut 90 jobs. It blamed costs.\n\n"
        "More text follows.\n\nWhy It Matters: Banks are trimming staff."
    )
    assert sections(text) == [
        ("Lead sentence here.", None),
        ("Alder Bank cut 90 jobs.", "What Happened"),
        ("It blamed costs.", "What Happened"),
        ("More text follows.", "What Happened"),
        ("Banks are trimming staff.", "Why It Matters"),
    ]
    result = extract(text)
    assert [(s.label, text[s.start : s.start + len(s.label)]) for s in result.sections] == [
        ("What Happened", "What Happened"),
        ("Why It Matters", "Why It Matters"),
    ]


@pytest.mark.parametrize("label", ["The Details", "Price Action", "Zoom Out", "Key Takeaways"])
def test_any_short_title_case_phrase_with_a_colon_is_a_label(label):
    assert sections(f"Intro line.\n\n{label}: Tallow Corp. shares fell 2%.") == [
        ("Intro line.", None),
        ("Tallow Corp. shares fell 2%.", label),
    ]


def test_ticker_in_front_of_a_label_is_kept_verbatim():
    assert sections("Intro line.\n\nTLWC Price Action: Tallow shares fell 2% on Friday.") == [
        ("Intro line.", None),
        ("Tallow shares fell 2% on Friday.", "TLWC Price Action"),
    ]


def test_label_alone_on_its_paragraph_names_the_following_paragraphs():
    text = "Intro line.\n\nALDR Price Action:\n\nAlder shares rose 1%.\n\nThey closed higher."
    assert sections(text) == [
        ("Intro line.", None),
        ("Alder shares rose 1%.", "ALDR Price Action"),
        ("They closed higher.", "ALDR Price Action"),
    ]


def test_heading_paragraph_without_final_punctuation_is_a_label():
    text = "Intro line.\n\nBroader Implications\n\nRivals may follow. Costs are rising."
    result = extract(text)
    assert [(c.text, c.section) for c in result.claims] == [
        ("Intro line.", None),
        ("Rivals may follow.", "Broader Implications"),
        ("Costs are rising.", "Broader Implications"),
    ]
    assert [s.label for s in result.sections] == ["Broader Implications"]


def test_a_link_section_does_not_end_the_current_section():
    text = "What Happened: Sales fell.\n\nSee Also: Retailers Cut Prices\n\nMargins held up."
    assert sections(text) == [
        ("Sales fell.", "What Happened"),
        ("Margins held up.", "What Happened"),
    ]


@pytest.mark.parametrize(
    "text, claim",
    [
        ("Candidate A: 52%", "Candidate A: 52%"),
        (
            "The mayor said the vote would be close: turnout was low.",
            "The mayor said the vote would be close: turnout was low.",
        ),
        (
            "Analysts at Orrin Partners said: the merger is likely.",
            "Analysts at Orrin Partners said: the merger is likely.",
        ),
    ],
)
def test_colons_that_are_not_labels(text, claim):
    result = extract(text)
    assert [c.text for c in result.claims] == [claim]
    assert result.sections == ()


# -- related links ----------------------------------------------------------------------------


def test_link_headline_on_the_same_line():
    text = "Sales fell.\n\nSee Also: Anvil Motors Recalls 9,000 Trucks Over Brake Fault\n\nMore."
    assert links(text) == [("See Also", "Anvil Motors Recalls 9,000 Trucks Over Brake Fault")]
    assert texts(text) == ["Sales fell.", "More."]
    link = extract(text).related_links[0]
    assert text[link.start : link.end] == (
        "See Also: Anvil Motors Recalls 9,000 Trucks Over Brake Fault"
    )


def test_link_headline_on_the_next_line_even_with_a_colon_in_it():
    text = "Sales fell.\n\nTrending:\nWhy Copper Is Surging: Here's What Traders Say\n\nMore."
    assert links(text) == [("Trending", "Why Copper Is Surging: Here's What Traders Say")]
    assert texts(text) == ["Sales fell.", "More."]


def test_link_label_with_a_bullet_list_gives_one_link_per_item():
    text = (
        "Sales fell.\n\nRead Next:\n\n- Anvil Motors Recalls Trucks\n"
        "- Get 3 Free Stock Picks Every Week\n\nMore."
    )
    assert links(text) == [
        ("Read Next", "Anvil Motors Recalls Trucks"),
        ("Read Next", "Get 3 Free Stock Picks Every Week"),
    ]
    assert texts(text) == ["Sales fell.", "More."]


def test_heading_without_colon_followed_by_headline_items_is_a_link_label():
    text = (
        "Sales fell.\n\nMore From The Wire\n\n- Anvil Motors Recalls Trucks\n"
        "- Copper Prices Hit A Record\n\nImage via Shutterstock"
    )
    result = extract(text)
    assert [(link.label, link.title) for link in result.related_links] == [
        ("More From The Wire", "Anvil Motors Recalls Trucks"),
        ("More From The Wire", "Copper Prices Hit A Record"),
    ]
    assert [c.text for c in result.claims] == ["Sales fell."]
    assert result.sections == ()


def test_empty_headline_keeps_the_link_with_an_empty_title():
    text = "Sales fell.\n\nRead Next:\n\nImage via Shutterstock"
    assert links(text) == [("Read Next", "")]
    text = "Sales fell.\n\nRead Next:\n\nThe company will report again in May."
    assert links(text) == [("Read Next", "")]
    assert texts(text) == ["Sales fell.", "The company will report again in May."]
    assert links("Sales fell.\n\nNow Read:") == [("Now Read", "")]


@pytest.mark.parametrize(
    "label",
    [
        "See Also",
        "Read Next",
        "Also Read",
        "Read Also",
        "Read More",
        "See More",
        "Check This Out",
        "Trending",
        "Don't Miss",
        "Don’t Miss",
        "Now Read",
        "Related",
        "Related Link",
        "Related News",
    ],
)
def test_every_link_label(label):
    assert links(f"Intro line.\n\n{label}: Anvil Motors Recalls Trucks") == [
        (label, "Anvil Motors Recalls Trucks")
    ]


def test_glued_star_list_and_headline_running_into_the_next_sentence():
    text = (
        "Sales fell 3%.Read Next: * Anvil Motors Recalls Trucks * Copper Prices Hit A Record"
        "Why It Matters: Demand is weak."
    )
    assert links(text) == [
        ("Read Next", "Anvil Motors Recalls Trucks"),
        ("Read Next", "Copper Prices Hit A Record"),
    ]
    assert sections(text) == [("Sales fell 3%.", None), ("Demand is weak.", "Why It Matters")]
    text = "Sales fell 3%.See Also: Anvil Motors Recalls TrucksAnvil said the fix is simple."
    assert links(text) == [("See Also", "Anvil Motors Recalls Trucks")]
    assert texts(text) == ["Sales fell 3%.", "Anvil said the fix is simple."]


def test_headline_after_a_blank_line_and_footers_further_down():
    text = (
        "Sales fell.\n\nRead Next:\n\nAnvil Motors Raises $6 Billion In New Funding\n\n"
        "Photo courtesy: Anvil Motors\n\n"
        "The Wire Robot content generation system writes stories from market data."
    )
    result = extract(text)
    assert [(link.label, link.title) for link in result.related_links] == [
        ("Read Next", "Anvil Motors Raises $6 Billion In New Funding")
    ]
    assert result.image_credit is not None and result.image_credit.source == "Anvil Motors"
    assert [c.text for c in result.claims] == ["Sales fell."]
    assert [b.kind for b in result.boilerplate] == ["footer"]


def test_url_in_a_headline_is_taken_apart():
    (link,) = extract("See Also: Anvil Recalls Trucks https://example.com/anvil").related_links
    assert (link.title, link.url) == ("Anvil Recalls Trucks", "https://example.com/anvil")


# -- image credit -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, source",
    [
        ("Image via Shutterstock", "Shutterstock"),
        ("Photo: Shutterstock", "Shutterstock"),
        ("Photo courtesy of Anvil Motors", "Anvil Motors"),
        ("Photo by Lena Sorel on Flickr", "Lena Sorel on Flickr"),
        ("Image: Lena Sorel from Pixabay", "Lena Sorel from Pixabay"),
        ("Photo: Dock Workers via Harbor Images", "Dock Workers via Harbor Images"),
        ("Image: Anvil Motors.", "Anvil Motors"),
        ("Featured image via Wikimedia Commons", "Wikimedia Commons"),
        ("Photo courtesy: Anvil Motors", "Anvil Motors"),
        ("Image by Lena Sorel", "Lena Sorel"),
    ],
)
def test_image_credit_forms_and_their_source(line, source):
    text = f"Sales fell.\n\n{line}\n\nSee Also: Anvil Recalls Trucks"
    result = extract(text)
    assert result.image_credit is not None
    assert (result.image_credit.text, result.image_credit.source) == (line, source)
    assert [c.text for c in result.claims] == ["Sales fell."]


def test_a_by_in_a_footer_is_not_an_image_credit():
    text = "Sales fell.\n\nEngineered by Wire Robot, Edited by Cal Moss"
    result = extract(text)
    assert result.image_credit is None
    assert [c.text for c in result.claims] == ["Sales fell."]
    assert [b.kind for b in result.boilerplate] == ["footer"]


def test_a_sentence_about_photos_is_a_claim_not_a_credit():
    text = "Photos by residents showed smoke rising over the plant on Sunday."
    result = extract(text)
    assert result.image_credit is None
    assert [c.text for c in result.claims] == [text]


# -- social posts -----------------------------------------------------------------------------


def test_social_post_and_attribution_are_not_claims_but_the_introduction_is():
    text = (
        "Chief executive Ida Marsh posted about the deal on X:\n\n"
        "Big day for the team. More to come.\nStay tuned.\n\n"
        "— Ida Marsh (@idamarsh) March 3, 2025\n\nShares rose 2%."
    )
    result = extract(text)
    assert [c.text for c in result.claims] == [
        "Chief executive Ida Marsh posted about the deal on X:",
        "Shares rose 2%.",
    ]
    assert result.claims[0].kind == KIND_LEAD_IN
    (post,) = result.social_posts
    assert post.text == "Big day for the team. More to come.\nStay tuned."
    assert text[post.attribution_start : post.attribution_end] == (
        "— Ida Marsh (@idamarsh) March 3, 2025"
    )


def test_attribution_with_day_before_month():
    text = "Ida Marsh wrote:\n\nBig day.\n\n— Ida Marsh (@idamarsh) 3 March 2025\n\nShares rose."
    assert texts(text) == ["Ida Marsh wrote:", "Shares rose."]


def test_social_post_in_a_feed_without_blank_lines():
    text = (
        "Ida Marsh wrote on X.\nBig day for the team. More to come.\n"
        "— Ida Marsh (@idamarsh) Mar 3, 2025\nShares rose 2%."
    )
    assert texts(text) == ["Ida Marsh wrote on X.", "Shares rose 2%."]


# -- boilerplate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "para, kind",
    [
        ("Disclaimer: This content was produced with help from AI tools.", "disclaimer"),
        ("Editor's note: This story was updated to add a comment.", "editors_note"),
        ("Editor’s Note: Figures are preliminary.", "editors_note"),
        ("Engineered by Wire Robot, Edited by Cal Moss", "footer"),
        ("This story was generated using an automated system and edited by Cal Moss.", "footer"),
        ("This content was partially produced with the help of AI tools.", "footer"),
        (
            "The model-based Wire Robot content generation system uses feeds and data to write "
            "timely stories. Learn more.",
            "footer",
        ),
        ("Check out more of our energy coverage by following this link.", "promo"),
        ("Click here to get the full report.", "promo"),
        ("(C) 2024 Example Wire. All rights reserved.", "copyright"),
        ("© 2024 Example Wire. All rights reserved.", "copyright"),
    ],
)
def test_boilerplate_is_not_a_claim(para, kind):
    result = extract(f"Sales fell.\n\n{para}")
    assert [c.text for c in result.claims] == ["Sales fell."]
    assert kind in [b.kind for b in result.boilerplate]
    assert result.image_credit is None


# -- tables -----------------------------------------------------------------------------------


def test_table_rows_and_flattened_ratings_are_not_claims():
    text = (
        "Analysts weighed in.\n\nFirm | Rating | Target\nOrrin | Buy | $40\n\n"
        "Momentum 81.2 Growth 64.0 Value 22.5 Quality 70.3\n\nShares rose."
    )
    assert texts(text) == ["Analysts weighed in.", "Shares rose."]


# -- bullets ----------------------------------------------------------------------------------


def test_bullets_are_claims_without_marker_even_unpunctuated_or_imperative():
    text = "The plan:\n\n- Cut costs by 10%\n• Sell the trucking unit.\n* Review the brand\n"
    result = extract(text)
    assert [c.text for c in result.claims] == [
        "Cut costs by 10%",
        "Sell the trucking unit.",
        "Review the brand",
    ]
    assert {c.kind for c in result.claims} == {KIND_BULLET}


def test_each_further_line_of_a_bullet_is_a_claim():
    text = "- Dividend raised to $0.40\nfrom $0.35 a share\n- Buyback extended."
    assert texts(text) == ["Dividend raised to $0.40", "from $0.35 a share", "Buyback extended."]


def test_bullet_questions_are_dropped():
    assert texts("- Will rates fall?\n- Rates held steady.") == ["Rates held steady."]


# -- claims -----------------------------------------------------------------------------------


def test_questions_are_not_claims():
    assert texts("Is the rally over? Traders think so. Why? Nobody said.") == [
        "Traders think so.",
        "Nobody said.",
    ]
    assert texts('"Why now?" she asked. Nobody answered.') == [
        '"Why now?" she asked.',
        "Nobody answered.",
    ]


def test_quotation_is_one_claim_and_marked_as_a_quote():
    result = extract("“We are done. It is over,” Vale said. Talks ended on Friday.")
    assert [(c.text, c.kind) for c in result.claims] == [
        ("“We are done. It is over,” Vale said.", KIND_QUOTE),
        ("Talks ended on Friday.", "sentence"),
    ]


def test_lead_in_complete_clause_is_a_claim_fragment_is_not():
    text = "The company listed three reasons for the delay:\n\n- Parts\n- Labor\n- Weather"
    result = extract(text)
    assert result.claims[0].text == "The company listed three reasons for the delay:"
    assert result.claims[0].kind == KIND_LEAD_IN
    assert texts("Users should:\n\n- Update the app.") == ["Update the app."]
    assert texts("Costs rose. Among them:\n\n- Fuel.") == ["Costs rose.", "Fuel."]


def test_filler_sentences_count():
    assert texts("Here is an overview.") == ["Here is an overview."]


def test_unterminated_line_of_prose_is_kept_but_a_title_is_not():
    assert texts("Shares of Anvil were up 2% in early trade") == [
        "Shares of Anvil were up 2% in early trade"
    ]
