"""
Figure extraction: find the announced amounts in a source's text and suggest a draft for each.

An editor pastes an article and gets one *candidate* per figure: the amount as stated (in its
own currency, never converted), its high end for a range, the qualifier the words give it
("more than" is at least, "about" is approximately, "up to", ranges), the sentence it stands
in as the supporting quote, and hints for the breakdown dimensions taken from the words
around the amount. Hints are suggestions for the editor, not facts: `None` means the text
gave none, and the editor decides.

Rules worth knowing:

* Only an amount with a currency is a figure. "32-billion-parameter" or "50%" are not.
* A bare "$" is the US dollar unless an ISO code follows the number: "$2 billion CAD" is CAD.
* French amounts read too: "109 milliards d'euros" is EUR 109bn.
* An amount followed by its conversion in brackets, "Rmb40bn ($5.5bn)", is one figure in its
  original currency; the bracket (or ", or about $5.5bn") is a gloss and is skipped.
* "$60-65bn", "$60bn to $65bn" and "between $60bn and $65bn" are one range; "from $60bn to
  $65bn" is a change, so it gives two figures.
* When a sentence holds several amounts, each takes its hints from its own stretch of the
  sentence (from the previous amount to the next), so "RMB 40bn for chips in China and
  $6.8bn overseas for training" does not mix the two.

This module is pure: text in, candidates out, no database. The admin's "Extract figures"
view and `manage.py extract_figures` are both thin wrappers around `extract_figures()`.
"""

import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

# --- Vocabulary -------------------------------------------------------------------------------
# The hint values are the stored values of capex.choices (Qualifier, Scope, Workload, Category);
# tests check that they stay in step.
EXACT, APPROXIMATELY, AT_LEAST, UP_TO, RANGE = "exact", "approximately", "at_least", "up_to", "range"
DOMESTIC, OVERSEAS, GLOBAL = "domestic", "overseas", "global"
TRAINING, INFERENCE, MIXED = "training", "inference", "mixed"

# Currency written before the number. Longest spellings first, so "US$" wins over "$".
PREFIX_CURRENCIES: dict[str, str] = {
    "US$": "USD",
    "U.S.$": "USD",
    "HK$": "HKD",
    "NT$": "TWD",
    "S$": "SGD",
    "AU$": "AUD",
    "A$": "AUD",
    "CA$": "CAD",
    "C$": "CAD",
    "$": "USD",
    "CN¥": "CNY",
    "CN￥": "CNY",
    "人民币": "CNY",
    "€": "EUR",
    "£": "GBP",
    "₩": "KRW",
    "₹": "INR",
    "Rs.": "INR",
    "Rs": "INR",
    "RMB": "CNY",
}
# ISO 4217 codes accepted on either side of the number. Only these, not any three capitals:
# "AMD 5bn" (Armenian dram, or the chip vendor?) is more likely a vendor than a currency.
ISO_CODES = ("USD", "CNY", "EUR", "GBP", "JPY", "KRW", "INR", "HKD", "SGD", "TWD", "AUD", "CAD", "CHF", "SAR", "AED")

# Currency written after the number (and its unit).
SUFFIX_CURRENCIES: dict[str, str] = {
    "Hong Kong dollars": "HKD",
    "Singapore dollars": "SGD",
    "Australian dollars": "AUD",
    "Canadian dollars": "CAD",
    "New Taiwan dollars": "TWD",
    "Taiwan dollars": "TWD",
    "US dollars": "USD",
    "U.S. dollars": "USD",
    "dollars": "USD",
    "renminbi": "CNY",
    "yuan": "CNY",
    "RMB": "CNY",
    "euros": "EUR",
    "euro": "EUR",
    "d'euros": "EUR",
    "d’euros": "EUR",
    "de dollars": "USD",
    "pounds": "GBP",
    "yen": "JPY",
    "won": "KRW",
    "rupees": "INR",
    "riyals": "SAR",
    "dirhams": "AED",
    "元人民币": "CNY",
    "美元": "USD",
    "欧元": "EUR",
    "日元": "JPY",
    "韩元": "KRW",
    "港元": "HKD",
    "港币": "HKD",
    "人民币": "CNY",
    "元": "CNY",
}

# Units and their multipliers. Chinese counts in 万 (10^4) and 亿 (10^8); 万亿 is 10^12.
UNITS: dict[str, Decimal] = {
    "trillion": Decimal(10) ** 12,
    "trn": Decimal(10) ** 12,
    "tn": Decimal(10) ** 12,
    "billion": Decimal(10) ** 9,
    "milliards": Decimal(10) ** 9,
    "milliard": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "b": Decimal(10) ** 9,
    "million": Decimal(10) ** 6,
    "mln": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "m": Decimal(10) ** 6,
    "lakh crore": Decimal(10) ** 12,
    "crore": Decimal(10) ** 7,
    "万亿": Decimal(10) ** 12,
    "千亿": Decimal(10) ** 11,
    "亿": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
}

# Words just before an amount that qualify it. Checked against the end of the text before it.
QUALIFIER_BEFORE: list[tuple[str, str]] = [
    (
        AT_LEAST,
        r"more\s+than|over|at\s+least|upwards\s+of|in\s+excess\s+of|exceeding|north\s+of|above|"
        r"greater\s+than|no\s+less\s+than|超过|超|逾|至少|不少于|不低于",
    ),
    (UP_TO, r"up\s+to|as\s+much\s+as|as\s+high\s+as|at\s+most|no\s+more\s+than|最多|高达|不超过"),
    (
        APPROXIMATELY,
        r"about|around|approximately|approx\.|roughly|some|nearly|almost|close\s+to|"
        r"an\s+estimated|estimated|circa|~|≈|约|近|大约|将近|左右",
    ),
]
# Words just after an amount that make it a lower bound: "$12bn or more", "$12bn-plus", "$12bn+".
AT_LEAST_AFTER = re.compile(r"^(?:\s*\+|-plus\b|\s+plus\b|\s+or\s+more\b|\s+and\s+(?:more|above)\b|以上)", re.I)

# Countries named as the place the money goes: "in China", "within the US".
COUNTRIES: dict[str, str] = {
    "mainland China": "CN",
    "China": "CN",
    "the United States": "US",
    "United States": "US",
    "the US": "US",
    "the U.S.": "US",
    "America": "US",
    "Japan": "JP",
    "South Korea": "KR",
    "Korea": "KR",
    "India": "IN",
    "Malaysia": "MY",
    "Singapore": "SG",
    "Indonesia": "ID",
    "Thailand": "TH",
    "Vietnam": "VN",
    "Taiwan": "TW",
    "Hong Kong": "HK",
    "Saudi Arabia": "SA",
    "the UAE": "AE",
    "United Arab Emirates": "AE",
    "the United Arab Emirates": "AE",
    "the UK": "GB",
    "the United Kingdom": "GB",
    "Britain": "GB",
    "France": "FR",
    "Germany": "DE",
    "Spain": "ES",
    "Italy": "IT",
    "the Netherlands": "NL",
    "Ireland": "IE",
    "Sweden": "SE",
    "Finland": "FI",
    "Norway": "NO",
    "Brazil": "BR",
    "Mexico": "MX",
    "Canada": "CA",
    "Australia": "AU",
}
CHINESE_COUNTRIES = {"中国": "CN", "国内": "CN", "美国": "US", "日本": "JP", "马来西亚": "MY"}

SCOPE_WORDS: list[tuple[str, re.Pattern[str]]] = [
    (
        OVERSEAS,
        re.compile(
            rf"\boverseas\b|\babroad\b|\binternationally\b|海外|境外"
            rf"|\boutside\s+(?:of\s+)?(?:its\s+home\s+market|{'|'.join(re.escape(c) for c in COUNTRIES)})",
            re.I,
        ),
    ),
    (DOMESTIC, re.compile(r"\bdomestic(?:ally)?\b|\bat\s+home\b|\bhome\s+market\b|国内|境内", re.I)),
    (GLOBAL, re.compile(r"\bglobal(?:ly)?\b|\bworldwide\b|\baround\s+the\s+world\b|全球", re.I)),
]

WORKLOAD_WORDS = [
    (TRAINING, re.compile(r"\btrain(?:ing|ed|s)?\b|训练", re.I)),
    (INFERENCE, re.compile(r"\binferenc(?:e|ing)\b|推理", re.I)),
]

# Specific categories; several at once, or only "infrastructure", make it general.
CATEGORY_WORDS = [
    (
        "chips",
        re.compile(r"\bchips?\b|\bGPUs?\b|\baccelerators?\b|\bsemiconductors?\b|\bprocessors?\b|芯片|算力卡", re.I),
    ),
    ("data_centres", re.compile(r"\bdata[\s-]?cent(?:re|er)s?\b|\bserver\s+farms?\b|数据中心|智算中心", re.I)),
    ("compute_rental", re.compile(r"\brent(?:al|ing|s|ed)?\b|\bleas(?:e|ing)\b|算力租赁", re.I)),
    ("energy", re.compile(r"\bpower\s+plants?\b|\benergy\b|\belectricity\b|\bnuclear\b|能源|电力", re.I)),
    ("research_models", re.compile(r"\bR&D\b|\bresearch\s+and\s+development\b|研发", re.I)),
]
GENERAL_WORDS = re.compile(r"\binfrastructure\b|基础设施|基建", re.I)

# Chip vendors by the names articles use; the value is the name a vendor company is filed under.
VENDORS: dict[str, str] = {
    "Nvidia": "Nvidia",
    "NVIDIA": "Nvidia",
    "英伟达": "Nvidia",
    "Advanced Micro Devices": "AMD",
    "AMD": "AMD",
    "Intel": "Intel",
    "英特尔": "Intel",
    "Huawei": "Huawei",
    "Ascend": "Huawei",
    "华为": "Huawei",
    "昇腾": "Huawei",
    "Cambricon": "Cambricon",
    "寒武纪": "Cambricon",
    "Hygon": "Hygon",
    "海光": "Hygon",
    "Kunlunxin": "Kunlunxin",
    "昆仑芯": "Kunlunxin",
    "Moore Threads": "Moore Threads",
    "摩尔线程": "Moore Threads",
    "Biren": "Biren",
    "壁仞": "Biren",
    "MetaX": "MetaX",
    "沐曦": "MetaX",
    "Enflame": "Enflame",
    "燧原": "Enflame",
    "Broadcom": "Broadcom",
    "Marvell": "Marvell",
    "Qualcomm": "Qualcomm",
    "Cerebras": "Cerebras",
    "Groq": "Groq",
    "SambaNova": "SambaNova",
    "Graphcore": "Graphcore",
    "Tenstorrent": "Tenstorrent",
}

# Abbreviations whose full stop does not end a sentence ("Nvidia Corp. NVDA chips").
ABBREVIATIONS = frozenset(
    {"corp", "inc", "ltd", "co", "plc", "llc", "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "no", "approx"}
    | {"est", "fig", "ed", "rs", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)


def _alternation(words) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORD_UNITS = _alternation(unit for unit in UNITS if unit.isascii() and len(unit) > 1)
_CJK_UNITS = _alternation(unit for unit in UNITS if not unit.isascii())
# A unit: a word ("billion", "bn") after an optional space, a Chinese unit, or a bare b/m
# stuck to the number ("$12B", "$500m").
_UNIT = rf"(?:\s?(?i:{_WORD_UNITS})\b|(?:{_CJK_UNITS})|[bBmM](?![A-Za-z]))"
_PREFIX = rf"(?:{_alternation(PREFIX_CURRENCIES)}|(?i:rmb)(?=\s?\d)|(?:{'|'.join(ISO_CODES)})(?=\s?\d))"
_CJK_SUFFIXES = _alternation(word for word in SUFFIX_CURRENCIES if not word.isascii())
_WORD_SUFFIXES = _alternation(word for word in SUFFIX_CURRENCIES if word.isascii())
_SUFFIX = rf"(?:{_CJK_SUFFIXES}|\s?(?:{_WORD_SUFFIXES}|{'|'.join(ISO_CODES)})\b)"


def _amount(tag: str) -> str:
    """One amount: optional currency before, number, optional unit, optional currency after."""
    return (
        rf"(?:(?<![A-Za-z])(?P<pre{tag}>{_PREFIX})\s?|(?<![A-Za-z0-9_.,]))(?P<num{tag}>{_NUMBER})(?P<unit{tag}>{_UNIT})?"
        rf"(?P<post{tag}>{_SUFFIX})?"
    )


_RANGE_SEPARATOR = r"\s*(?:-|–|—|~|to|至|到)\s*"
MONEY = re.compile(
    rf"(?P<between>\bbetween\s+)?{_amount('1')}"
    rf"(?:(?P<sep>{_RANGE_SEPARATOR}|(?(between)\s+and\s+|(?!)))(?P<second>{_amount('2')}))?",
    re.UNICODE,
)
# A gloss right after an amount: "($5.5bn)", "(about $5.5bn)", ", or about $5.5bn".
GLOSS = re.compile(
    rf"(?:\s*[(\[（]\s*(?:or\s+|about\s+|around\s+|approximately\s+|roughly\s+|some\s+|~|≈|约)?{_amount('g')}"
    rf"[^)\]）]{{0,30}}[)\]）]"
    rf"|,?\s+(?:or|equivalent\s+to|worth)\s+(?:about\s+|around\s+|approximately\s+|roughly\s+|some\s+)?{_amount('h')})",
    re.UNICODE,
)
_QUALIFIER_BEFORE = [(value, re.compile(rf"(?<![A-Za-z])(?:{words})\s*$", re.I)) for value, words in QUALIFIER_BEFORE]
_BETWEEN_BEFORE = re.compile(r"\bbetween\s*$", re.I)
_FROM_BEFORE = re.compile(r"\bfrom\s*$", re.I)
_COUNTRY = re.compile(
    rf"\b(?i:in|within|inside|across|into|throughout)\s+(?P<country>{_alternation(COUNTRIES)})(?![\w])"
    rf"|(?:在)?(?P<cn>{_alternation(CHINESE_COUNTRIES)})(?=境内|国内|本土|市场|的|建设|采购|投资)"
)
_VENDOR = re.compile(rf"(?<![A-Za-z])(?:{_alternation(VENDORS)})(?![a-z])")
_JOINT = re.compile(r"\b(?:and|while|whereas|but|plus|with)\b|[,;，；、]|以及|和")
_SENTENCE_END = re.compile(r"[.!?](?=[\"'”’)\]]*\s+[\"'“‘(\[]*[A-Z0-9])|[。！？]")


@dataclass(frozen=True)
class Candidate:
    """
    One figure found in the text, as an editor would start a draft from it.

    `scope` is "domestic", "overseas", "global", or "in <Country>" where the text only names
    the country the money goes to ("within China"): whether that is domestic depends on the
    company, which the text alone does not settle; `countries` holds the ISO codes for that.
    """

    amount: Decimal
    amount_high: Decimal | None
    currency: str
    qualifier: str
    quote: str
    scope: str | None = None
    workload: str | None = None
    category: str | None = None
    vendors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    year: int | None = None

    def as_dict(self) -> dict:
        """The JSON form other tools read: amounts as exact decimal strings, null where no hint."""
        return {
            "amount": decimal_string(self.amount),
            "amount_high": decimal_string(self.amount_high) if self.amount_high is not None else None,
            "currency": self.currency,
            "qualifier": self.qualifier,
            "quote": self.quote,
            "scope": self.scope,
            "workload": self.workload,
            "category": self.category,
            "vendors": list(self.vendors) or None,
        }


def decimal_string(value: Decimal) -> str:
    """An exact plain-digits string ("12000000000", "5.5"), never an exponent or a float."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def extract_figures(text: str) -> list[Candidate]:
    """Every figure in the text, in reading order; identical repeats are given once."""
    candidates: list[Candidate] = []
    seen: set[Candidate] = set()
    for sentence in split_sentences(text):
        for candidate in _sentence_candidates(sentence):
            if candidate not in seen:
                seen.add(candidate)
                candidates.append(candidate)
    return candidates


def split_sentences(text: str) -> list[str]:
    """
    Sentences, each on one line: a line break always ends one (headlines have no full stop),
    and a full stop followed by a capital does unless it closes an abbreviation ("Corp.",
    "U.S.") or an initial.
    """
    sentences: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        start = 0
        for match in _SENTENCE_END.finditer(line):
            end = match.end()
            if match.group() == "." and _is_abbreviation(line[start : match.start()]):
                continue
            sentence = line[start:end].strip()
            if sentence:
                sentences.append(sentence)
            start = end
        rest = line[start:].strip()
        if rest:
            sentences.append(rest)
    return sentences


def _is_abbreviation(before: str) -> bool:
    word = re.search(r"([\w.]+)$", before)
    if not word:
        return False
    token = word.group(1)
    # Initials and dotted abbreviations: "U.S", "J", "e.g"
    if len(token) == 1 or re.fullmatch(r"(?:\w\.)+\w", token):
        return True
    return token.lower() in ABBREVIATIONS


@dataclass
class _Found:
    start: int
    end: int
    amount: Decimal
    amount_high: Decimal | None
    currency: str
    qualifier: str


def _sentence_candidates(sentence: str) -> list[Candidate]:
    found = _find_amounts(sentence)
    candidates = []
    # Each amount's hints come from its own stretch of the sentence: the text between two
    # amounts is cut at the last "and", comma or the like before the second one.
    cuts = [0]
    for previous, following in itertools.pairwise(found):
        between = sentence[previous.end : following.start]
        joints = list(_JOINT.finditer(between))
        cuts.append(previous.end + joints[-1].start() if joints else following.start)
    cuts.append(len(sentence))
    for index, item in enumerate(found):
        window = sentence[cuts[index] : cuts[index + 1]]
        countries = _countries(window)
        candidates.append(
            Candidate(
                amount=item.amount,
                amount_high=item.amount_high,
                currency=item.currency,
                qualifier=item.qualifier,
                quote=sentence,
                scope=_scope(window, countries),
                workload=_workload(window),
                category=_category(window),
                vendors=_vendors(window),
                countries=countries,
                year=_year(window),
            )
        )
    return candidates


def _find_amounts(sentence: str) -> list[_Found]:
    found: list[_Found] = []
    position = 0
    while True:
        match = MONEY.search(sentence, position)
        if match is None:
            return found
        before = sentence[: match.start()]
        parsed = _parse(match, before)
        if parsed is None:
            # Not money (no currency on either side): look again just after the number.
            position = match.end("num1")
            continue
        # A gloss in brackets or after "or" is the same figure converted: skip it.
        gloss = GLOSS.match(sentence, parsed.end)
        if gloss and _currency(gloss, "g" if gloss.group("numg") else "h"):
            parsed.end = gloss.end()
        if AT_LEAST_AFTER.match(sentence[parsed.end :]) and parsed.qualifier == EXACT:
            parsed.qualifier = AT_LEAST
        found.append(parsed)
        position = parsed.end


def _parse(match: re.Match, before: str) -> _Found | None:
    first_currency = _currency(match, "1")
    second = match.group("second")
    second_currency = _currency(match, "2") if second else None
    is_range = bool(second) and not (
        # "from $60bn to $65bn" is a change of figure, not a range
        (match.group("sep") or "").strip() in ("to", "至", "到") and _FROM_BEFORE.search(before)
    )
    if is_range and first_currency and second_currency and first_currency != second_currency:
        is_range = False
    if is_range and not (first_currency or second_currency):
        return None
    # "$5bn to 2030" is an amount and a year: the high end of a range carries a unit or currency
    # unless neither end does ("$500,000-600,000"), and then it is not a year.
    if (
        is_range
        and not match.group("unit2")
        and not second_currency
        and (match.group("unit1") or re.fullmatch(r"(?:19|20)\d{2}", match.group("num2")))
    ):
        is_range = False
    if not is_range:
        if not first_currency:
            return None
        end = match.end("post1") if match.group("post1") else match.end("unit1") if match.group("unit1") else None
        end = end or match.end("num1")
        return _Found(
            start=match.start(),
            end=end,
            amount=_value(match.group("num1"), match.group("unit1")),
            amount_high=None,
            currency=first_currency,
            qualifier=_qualifier_before(before),
        )
    # "$60-65bn": the unit of the high end applies to the low end, and the other way round.
    unit_low = match.group("unit1") or match.group("unit2")
    unit_high = match.group("unit2") or match.group("unit1")
    low = _value(match.group("num1"), unit_low)
    high = _value(match.group("num2"), unit_high)
    if high < low:
        low, high = high, low
    return _Found(
        start=match.start(),
        end=match.end(),
        amount=low,
        amount_high=high,
        currency=first_currency or second_currency,
        qualifier=RANGE,
    )


def _currency(match: re.Match, tag: str) -> str | None:
    prefix = match.group(f"pre{tag}")
    suffix = match.group(f"post{tag}")
    if prefix and suffix and prefix.strip() == "$" and suffix.strip() in ISO_CODES:
        # "$2 billion CAD": a dollar sign is any dollar; the code after the number says which.
        return suffix.strip()
    if prefix:
        prefix = prefix.strip()
        if prefix.upper() == "RMB":
            return "CNY"
        return PREFIX_CURRENCIES.get(prefix) or (prefix if prefix in ISO_CODES else None)
    if suffix:
        suffix = suffix.strip()
        return SUFFIX_CURRENCIES.get(suffix) or (suffix if suffix in ISO_CODES else None)
    return None


def _value(number: str, unit: str | None) -> Decimal:
    value = Decimal(number.replace(",", ""))
    if unit:
        unit = unit.strip()
        multiplier = UNITS.get(unit) or UNITS.get(unit.lower())
        value *= multiplier
    return value


def _qualifier_before(before: str) -> str:
    tail = before[-40:]
    for value, pattern in _QUALIFIER_BEFORE:
        if pattern.search(tail):
            return value
    return EXACT


def _countries(window: str) -> tuple[str, ...]:
    codes: list[str] = []
    for match in _COUNTRY.finditer(window):
        code = COUNTRIES[match.group("country")] if match.group("country") else CHINESE_COUNTRIES[match.group("cn")]
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _scope(window: str, countries: tuple[str, ...]) -> str | None:
    for value, pattern in SCOPE_WORDS:
        if pattern.search(window):
            return value
    if countries:
        # The country as the text names it: "in China", "in the United States".
        names: list[str] = []
        for match in _COUNTRY.finditer(window):
            name = match.group("country") or match.group("cn")
            if name not in names:
                names.append(name)
        return "in " + " and ".join(names)
    return None


def _workload(window: str) -> str | None:
    found = [value for value, pattern in WORKLOAD_WORDS if pattern.search(window)]
    if len(found) == 2:
        return MIXED
    return found[0] if found else None


def _category(window: str) -> str | None:
    found = [value for value, pattern in CATEGORY_WORDS if pattern.search(window)]
    if len(found) == 1:
        return found[0]
    if found or GENERAL_WORDS.search(window):
        return "general"
    return None


def _vendors(window: str) -> tuple[str, ...]:
    names: list[str] = []
    for match in _VENDOR.finditer(window):
        name = VENDORS[match.group()]
        if name not in names:
            names.append(name)
    return tuple(names)


def _year(window: str) -> int | None:
    years = {int(year) for year in re.findall(r"(?<!\d)(20\d{2})(?!\d)", window)}
    return years.pop() if len(years) == 1 else None
