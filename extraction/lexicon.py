"""Word lists the segmenter and the part classifier consult.

Plain data, no logic: every entry is lower-case unless the comment says otherwise. Lists are
kept as frozensets so that a lookup per candidate boundary is one hash probe.
"""

from __future__ import annotations

# Abbreviations that stand before a name and so never end a sentence ("Gov. Waller", "Mt. Fuji").
PREPOSITIVE = frozenset(
    """
    mr mrs ms messrs mme mlle dr drs prof profs gov govs sen sens rep reps gen gens maj col lt
    capt cmdr adm brig sgt cpl pvt rev hon pres supt insp det atty amb sec mt ft msgr fr
    gov.-elect lt.-gov
    """.split()
)

# Abbreviations that sit inside a sentence and are (almost) never its last word.
NEVER_FINAL = frozenset(
    """
    vs v e.g i.e approx approx cf viz esp incl excl ca fig figs vol vols pp eq eqs ch chap sect
    ref refs tel ext
    """.split()
)

# Abbreviations that usually sit inside a sentence but can end one ("in the U.S. The company").
# They end the sentence only when the next word is a typical sentence opener (see STARTERS).
ENDING = frozenset(
    """
    inc co corp corps ltd llc plc lp llp bros cos jr sr esq intl natl assn assoc dept univ inst
    mfg hldgs grp mgmt ave blvd rd st sq hwy pkwy ln ct pl apt ste bldg fl
    etc al et.al est no nos op ed eds trans repr dist div
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    ala ariz ark calif colo conn del fla ga ill ind kan kans ky la md mass mich minn miss mo
    mont neb nev okla ore pa tenn tex va vt wash wis wisc wyo ida
    a.m p.m a.d b.c u.s u.s.a u.k u.n e.u d.c n.y n.j n.c s.c n.h n.m n.d s.d r.i w.va l.a
    ph.d m.d b.a m.a m.s b.s j.d ll.m
    min max avg pct yr yrs mo mos hr hrs wk wks
    """.split()
)

# Company suffixes (a subset of ENDING, plus dotted foreign forms). Besides a typical opener, a
# name that starts a new sentence ends the sentence after them ("...by Meridian Capital Group
# Inc. Halvorsen shares fell"), but a title ("Inc. CEO Maria Okafor said") or a further part of
# the company's name ("Co. Limited under") does not; see segmenter._name_opens_sentence.
COMPANY_SUFFIXES = frozenset(
    """
    inc co corp corps cos ltd llc plc lp llp bros hldgs s.a s.a.b n.v b.v a.g s.p.a s.e k.k
    """.split()
)

# Lower-case: words that, right after a company suffix, make the capitalised words a title or
# the rest of the company's name rather than the subject of a new sentence.
NAME_CONTINUATIONS = frozenset(
    """
    chief ceo cfo coo cto cio cmo executive president vice chairman chairwoman chairperson chair
    founder co-founder cofounder director directors board head officer treasurer secretary
    counsel general managing manager senior partner principal spokesman spokeswoman spokesperson
    economist strategist analyst chief-executive deputy interim acting global regional
    limited holdings holding group international incorporated corporation company plc llc ag sa
    nv se class series unit division subsidiary
    """.split()
)

# The part after the period of a name such as "Lend.Fi", "Trade.Io", "X.AI", "Booking.Com":
# lower-case; compared with the glued word after a period. Ordinary English words are left out
# on purpose ("...on Wednesday.Tech stocks fell" is a lost break, not a name).
INNER_NAME_SUFFIXES = frozenset("com net org io ai fi xyz gg ly fm co".split())

# Two-letter capitalised words that open sentences: after a glued period they mean a lost break
# ("...Wednesday.It said"), where any other two-letter word reads as the second half of a name
# ("Lend.Fi", "Trade.Io").
SHORT_OPENERS = frozenset(
    "An As At Be By Do Go He If In Is It Me My No Of Oh On Or So To Up Us We".split()
)

# After "a.m." / "p.m." these words continue the sentence ("8 p.m. EST on Friday").
TIME_FOLLOWERS = frozenset(
    """
    et est edt ct cst cdt mt mst mdt pt pst pdt gmt utc bst cet cest ist jst aest hkt sgt
    eastern central pacific mountain local
    monday tuesday wednesday thursday friday saturday sunday today tomorrow tonight yesterday
    january february march april may june july august september october november december
    """.split()
)

# Case-sensitive: words that typically open a sentence. An abbreviation or an initial is taken as
# the end of a sentence only when one of these follows it.
STARTERS = frozenset(
    """
    The A An This That These Those It Its It's It’s He She They We I You His Her Their Our My
    Your There Here In On At For But And Or So Yet As If When While After Before Since During
    Although Though However Meanwhile Also Still Then Now Some Many Most Other Others Both
    Each Every All Not Such According Under Over Despite Following Last Next Earlier Later
    What Why How Who Where Which Did Do Does Is Are Was Were Can Will Would Could Should Has
    Have Had Mr. Mrs. Ms. Dr. Mr Mrs Ms Dr Shares Analysts Investors Officials Meanwhile
    """.split()
)

# Case-sensitive words that stay lower-case inside a Title Case heading.
SMALL_WORDS = frozenset(
    """
    a an the and or nor but of in on at to for by with from into onto over as vs vs. via per
    up off out is are be it its it's it’s than then not no so if
    """.split()
)

# Lead-in test: a clause that ends in one of these before its colon is a fragment ("Users should:").
DANGLING = frozenset(
    """
    should must can could will would may might shall do does did is are was were be been being
    has have had include includes including included such as like of in on
    at to for by with from into the a an and or but that which who whom whose than
    among between about these those this them they
    """.split()
)

PREPOSITIONS = frozenset(
    """
    among amongst in on at for by with from into of about above across after against along
    around before behind below beneath beside besides between beyond during except inside
    like near off onto outside over past since through throughout toward towards under until
    unlike upon within without plus including regarding per
    """.split()
)

# A rough verb list for the lead-in test; regular past tenses are recognised by "-ed".
VERBS = frozenset(
    """
    is are was were be been am has have had do does did will would can could should may might
    must shall 's ’s here's here’s there's there’s that's that’s it's it’s
    said says say told tells tell wrote writes write added adds noted posted stated argued
    argues warned warns claimed listed include includes included contains contain contained
    showed shown offered provides provide provided featured outlined outlines highlighted cited
    gave gives give made makes make took takes take found finds find came comes come went goes
    go got gets get held led left leaves brought brings bought buys sold sells rose fell grew
    grows paid pays spoke speaks began begins became becomes kept keeps meant means met meets
    ran sent sends spent spends stood thought thinks won wins lost loses built builds drew
    knew knows saw tweeted expects expect expected planned reported announced announces
    identified identifies unveiled unveils laid faced involves involve requires require seems
    seem asked asks answered replied responded explained explains
    """.split()
)

# Forms that are verbs after a subject ("The company lists three reasons:") but plural nouns in a
# heading-like fragment ("Key highlights from the report:").
VERBS_S = frozenset(
    """
    notes posts states explains claims lists shows offers features highlights cites sets puts
    holds leads rises falls hits cuts runs stands shares plans reports names faces remains covers
    needs wants looks answers replies points warns
    """.split()
)

# Words that open a noun phrase rather than a clause ("Key highlights", "Top picks").
NOUN_PHRASE_OPENERS = frozenset(
    """
    key top main other more major notable important latest recent big new main further
    additional early final quick some few several many three two four five
    """.split()
)

# Link labels ("See Also:"), compared lower-case with curly apostrophes folded to straight.
LINK_LABELS = frozenset(
    """
    see also|read next|also read|read also|read more|see more|check this out|check out|trending|
    trending now|don't miss|do not miss|now read|related|related link|related links|related news|
    related stories|related story|related articles|related article|related content|related coverage|
    related reading|also see|must read|must-read|recommended|recommended reading|
    recommended for you|more from benzinga|more on this|more news|popular|popular now|
    top stories|editor's picks|editors' picks|you may also like|you might also like|
    also check out|further reading|keep reading|read this next|see next|up next|what to read next|
    latest news|don't forget|catch up|in case you missed it|also of interest|popular stories|
    trending stories|recommended stories|most read|most popular|more coverage|more reading|
    also on benzinga|explore more|read this|read more here|see related|related reading
    """.replace("\n", "").split("|")
)
LINK_LABELS = frozenset(label.strip() for label in LINK_LABELS if label.strip())

# Section labels the glued-text splitter looks for even where no break or space precedes them
# ("...Fault" + "Why It Matters:"). Case-sensitive, exactly as wire copy writes them.
KNOWN_SECTION_LABELS = (
    "What Happened",
    "What's Happening",
    "What’s Happening",
    "Why It Matters",
    "Why It's Important",
    "Why It’s Important",
    "What's Next",
    "What’s Next",
    "What Else",
    "The Details",
    "Key Details",
    "Key Takeaways",
    "Price Action",
    "Stock Performance",
    "Zoom Out",
    "Zoom In",
    "Looking Ahead",
    "The Big Picture",
    "Big Picture",
    "By The Numbers",
    "By the Numbers",
    "Bottom Line",
    "The Bottom Line",
    "Background",
    "Context",
    "Market Reaction",
    "What They're Saying",
    "What They’re Saying",
    "What It Means",
    "Benzinga's Take",
    "Benzinga’s Take",
)

KNOWN_LINK_LABELS = (
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
    "Related News",
    "Related Link",
    "Related",
    "Also See",
    "Must Read",
    "READ NEXT",
    "SEE ALSO",
    "ALSO READ",
)

KNOWN_BOILERPLATE_LABELS = (
    "Disclaimer",
    "Editor's Note",
    "Editor’s Note",
    "Editor's note",
    "Editor’s note",
)

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
