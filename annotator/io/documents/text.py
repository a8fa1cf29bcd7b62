"""Plain-text import: decoding, newline normalisation, hashing and header metadata detection."""

from __future__ import annotations

import codecs
import hashlib
import itertools
import re
import unicodedata
from datetime import date
from pathlib import Path

from charset_normalizer import from_bytes
from charset_normalizer.md import mess_ratio

from annotator.domain.content_rules import clean_text, text_problem
from annotator.io.documents.registry import ImportedDocument, ImportRefused, register

#: Files above this size are refused (a 50 MB text is ~25,000 pages; the reading pane and the
#: project file are not built for more).
MAX_BYTES = 50 * 1024 * 1024
TITLE_MAX = 200
#: How many non-empty lines at the top of a text are searched for author, outlet and date.
HEADER_LINES = 15

_BOMS: tuple[tuple[bytes, str], ...] = (  # UTF-32 first: its LE BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


#: Legacy code pages tried when a file is not UTF-8, most common first (the tie-breaker).
#: Latin-1 is left out on purpose: cp1252 is its superset for every printable character.
LEGACY_CODEPAGES = ("cp1252", "cp1251", "cp1250", "koi8-r", "cp866", "cp1253", "cp1254")
LEGACY_CODEPAGES += ("cp1257", "cp1255", "cp1256")
_UNDEFINED = {  # bytes a code page does not define; their presence rules the code page out
    name: [b for b in range(256) if bytes([b]).decode(name, "replace") == "\ufffd"]
    for name in LEGACY_CODEPAGES
}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # C0/C1 controls except \t \n \v \f \r
_WORD = re.compile(r"[^\W\d_]+")
#: Accented Latin letters frequent in Western European languages; other Latin letters count as
#: "rare" when telling cp1252 from cp1250/cp1257 in texts too short for language statistics.
_COMMON_LATIN = frozenset("àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßœšžğışİ")
_OK_SYMBOLS = frozenset("\u00a0\u2009\u202f–—‘’‚“”„«»‹›…•·€£¥¢§¶°©®™±×÷¿¡‰№†‡′″²³¹½¼¾µ")


def normalize_text(s: str) -> str:
    """Remove a leading byte-order mark and turn CRLF and lone CR into LF; nothing else.

    No Unicode normalisation and no whitespace folding, so offsets into the result are offsets
    into what the author wrote. A run of several leading U+FEFF (a file saved twice with a BOM)
    is removed entirely: removing only one would make the function non-idempotent, and the
    stored text's hash must not change when the text is normalised again.
    """
    return s.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def sha256_text(text: str) -> str:
    """Hex SHA-256 of the UTF-8 bytes of the normalised text: a document's identity."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def _script(ch: str) -> str:
    return unicodedata.name(ch, "?").split(" ", 1)[0]


def _implausibility(text: str) -> tuple[float, float]:
    """(share of non-ASCII characters that look like mojibake, share of rare Latin letters).

    Mojibake signs: a word mixing scripts (Latin and Cyrillic), a lower-case letter followed
    by an upper-case one inside a word ("кИТАЙ", the KOI8-R/cp1251 mix-up), a Latin word of 4+
    letters that is mostly non-ASCII ("Ðîññèÿ", Cyrillic read as cp1252), and non-ASCII
    symbols other than common punctuation (box drawing from a DOS code page).
    """
    nonascii = bad = rare = 0
    for ch in text:
        if ord(ch) > 127 and not ch.isalpha():
            nonascii += 1
            bad += ch not in _OK_SYMBOLS and not ch.isspace()
    for word in _WORD.findall(text):
        high = [c for c in word if ord(c) > 127]
        if not high:
            continue
        nonascii += len(high)
        scripts = {_script(c) for c in word}
        mixed_case = any(a.islower() and b.isupper() for a, b in itertools.pairwise(word))
        latin = scripts == {"LATIN"}
        if (
            len(scripts) > 1
            or mixed_case
            or (latin and len(word) >= 4 and 2 * len(high) > len(word))
        ):
            bad += len(high)
        elif latin:
            rare += sum(c not in _COMMON_LATIN and c.lower() not in _COMMON_LATIN for c in high)
    if not nonascii:
        return 0.0, 0.0
    return bad / nonascii, rare / nonascii


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """Choose a legacy code page: charset-normalizer's language coherence plus plausibility.

    charset-normalizer alone prefers cp775 or cp1250 for short French or German texts, so every
    code page of LEGACY_CODEPAGES that decodes the bytes is ranked by: mojibake signs, then
    charset-normalizer's language coherence, then rare Latin letters, then its mess ratio
    (unreliable on short texts, hence late), then the order of LEGACY_CODEPAGES. When none of
    them decodes the bytes, charset-normalizer's own best guess among all code pages is used.
    """
    coherence: dict[str, float] = {}
    for match in from_bytes(data, cp_isolation=list(LEGACY_CODEPAGES)):
        coherence[codecs.lookup(match.encoding).name] = match.coherence
    ranked = []
    for priority, name in enumerate(LEGACY_CODEPAGES):
        if any(bytes([b]) in data for b in _UNDEFINED[name]):  # fast strictness test
            continue
        sample = data[:65_536].decode(name)  # single-byte code pages: any cut is a clean cut
        bad, rare = _implausibility(sample[:20_000])
        chaos = mess_ratio(sample[:20_000], maximum_threshold=1.0)
        score = coherence.get(codecs.lookup(name).name, 0.0)
        key = (round(bad * 10), -round(score * 10), round(rare * 10), round(chaos * 5), priority)
        ranked.append((key, sample, name))
    if ranked:
        _, sample, name = min(ranked)
        text = data.decode(name)
        for _, other_sample, other in sorted(ranked, key=lambda r: r[0][-1]):
            # named after the most common code page that gives the very same text
            if other_sample == sample and (other == name or data.decode(other) == text):
                return text, codecs.lookup(other).name
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ImportRefused(None, "unknown text encoding (not UTF-8, no known code page fits)")
    return str(best), codecs.lookup(best.encoding).name


def _too_large(size: int) -> str:
    limit = MAX_BYTES // (1024 * 1024)
    return f"file too large ({size / (1024 * 1024):.1f} MB; the limit is {limit} MB)"


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a text file's bytes; return (text, Python codec name). Newlines are untouched.

    Order: a byte-order mark (UTF-32, UTF-8, UTF-16; the mark itself is consumed), then strict
    UTF-8, then legacy code pages (see _decode_legacy). Refused with ImportRefused: files over
    MAX_BYTES, binary data (NUL bytes without a UTF-16/32 mark, or over 2% control
    characters), and empty or whitespace-only files.
    """
    if len(data) > MAX_BYTES:
        raise ImportRefused(None, _too_large(len(data)))
    if not data:
        raise ImportRefused(None, "empty file")
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(name)
            except UnicodeDecodeError as error:
                at = error.start + len(bom)
                raise ImportRefused(None, f"invalid {name} data at byte {at}") from None
            encoding = "utf-8-sig" if name == "utf-8" else name
            break
    else:
        if b"\x00" in data:
            raise ImportRefused(None, "binary file (contains NUL bytes), not text")
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _decode_legacy(data)
    controls = len(_CONTROL.findall(text))
    if controls >= 4 and controls > 0.02 * len(text):
        raise ImportRefused(None, f"binary file ({controls} control characters), not text")
    if not text.strip("\ufeff"):
        raise ImportRefused(None, "empty file")
    if not text.strip().strip("\ufeff"):
        raise ImportRefused(None, "contains only whitespace")
    return text, encoding


# --- header metadata --------------------------------------------------------------------------

_MON = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ORD = r"(?:st|nd|rd|th)?"
_DATE_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\b{_MON}\s+(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>\d{{4}})\b",  # Aug 3, 2019
        rf"\b(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MON},?\s+(?P<y>\d{{4}})\b",  # 3 August 2019
        r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b",  # 2019-08-03
        r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})\b",  # 03.08.2019
    )
)
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_TIME = r"(?:,?\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s+[a-z]{2,5})?)?"
_PUBLISHED = re.compile(r"^(?:first\s+)?(?:published|posted|publication\s+date|date)\b", re.I)
_BYLINE = re.compile(r"^(?:by|von|par|por|author:|автор:)\s+(?P<name>.+)$", re.IGNORECASE)
_PARTICLES = frozenset({"de", "da", "del", "della", "di", "du", "la", "le", "van", "von", "der"})


def parse_date(s: str) -> str | None:
    """The first date in s as ISO YYYY-MM-DD, or None.

    Understood: "Aug 3, 2019", "August 3rd 2019", "3 August 2019", "2019-08-03" and
    "03.08.2019" (day first, as written in Europe). Slashed dates are ambiguous and ignored.
    """
    found: list[tuple[int, str]] = []
    for pattern in _DATE_PATTERNS:
        match = pattern.search(s)
        if match is None:
            continue
        groups = match.groupdict()
        month = _MONTHS.index(groups["mon"][:3].lower()) + 1 if groups.get("mon") else 0
        try:
            day = date(int(groups["y"]), month or int(groups["m"]), int(groups["d"]))
        except ValueError:
            continue
        found.append((match.start(), day.isoformat()))
    return min(found)[1] if found else None


def _date_only(line: str) -> str | None:
    """The date if line is nothing but a date (with an optional weekday and time)."""
    for pattern in _DATE_PATTERNS:
        full = rf"{_WEEKDAY}(?:{pattern.pattern}){_TIME}"
        if re.fullmatch(full, line, re.IGNORECASE):
            return parse_date(line)
    return None


def _byline(line: str) -> str | None:
    """The name in "By Dmitry Bokarev" (up to a comma or a bar), or None if not a name."""
    match = _BYLINE.match(line)
    if match is None:
        return None
    name = re.split(r"\s*[,|]\s*|\s+[-–—]\s+", match.group("name"), maxsplit=1)[0].strip()
    words = name.split()
    if not 1 <= len(words) <= 6 or name.endswith("."):
        return None
    if (
        not all(w[0].isupper() or w.lower() in _PARTICLES for w in words)
        or not words[0][0].isupper()
    ):
        return None
    return name


def _published(line: str) -> str | None:
    if len(line.split()) <= 12 and _PUBLISHED.match(line):
        return parse_date(line)
    return _date_only(line)


def detect_header_metadata(text: str) -> dict[str, str]:
    """Author, outlet and publication date found at the top of a text; the text is unchanged.

    Conservative: only the first HEADER_LINES non-empty lines are read, and only these lines
    count: "By NAME" (capitalised words, ≤ 6) gives the author; "Published on X, <date>",
    "Published: <date>" or a line that is only a date gives `published`; a short line right
    after the title (≤ 6 words, capitalised, no final punctuation, not one of the above, with
    more text after it) gives the outlet. Keys not found are left out.
    """
    nonempty = (m.group().strip() for m in re.finditer(r"[^\n]*\S[^\n]*", text))
    lines = list(itertools.islice(nonempty, HEADER_LINES))
    found: dict[str, str] = {}
    for line in lines[1:]:
        author = _byline(line)
        if author and "author" not in found:
            found["author"] = author
            continue
        published = _published(line)
        if published and "published" not in found:
            found["published"] = published
    if len(lines) >= 3:
        second = lines[1]
        words = second.split()
        if (
            len(words) <= 6
            and second[0].isupper()
            and second[-1] not in ".!?:;,"
            and second != lines[0]
            and not _BYLINE.match(second)
            and not _PUBLISHED.match(second)
            and _date_only(second) is None
        ):
            found["outlet"] = second
    return {key: found[key] for key in ("author", "outlet", "published") if key in found}


# --- language -------------------------------------------------------------------------------


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


#: Very frequent function words that are (nearly) exclusive to one language.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words("the and of to is that it was for with are this be have from which"),
    "de": _words("der und das ist nicht mit sich auf für von dem ein eine auch wird"),
    "fr": _words("le les et des est une du dans qui pour pas sur au avec ce sont il"),
    "es": _words("el los las y del una por con para lo como su al pero más está"),
    "ru": _words("и в не на что с по как это он к из для от а за так его но"),
}


def guess_language(text: str) -> str:
    """An ISO 639-1 code (en, ru, de, fr, es) from stopword counts, or "" when unsure.

    Counts the words of the first 20,000 characters found in each language's list of frequent
    function words. Sure means: at least 5 hits, at least 10% of the words, and at least twice
    the runner-up's hits. Anything else (other languages, lists, code) gives "".
    """
    words = [w.lower() for w in _WORD.findall(text[:20_000])]
    if not words:
        return ""
    hits = sorted(
        ((sum(w in s for w in words), code) for code, s in _STOPWORDS.items()), reverse=True
    )
    (best, code), (second, _) = hits[0], hits[1]
    if best >= 5 and best >= 0.1 * len(words) and best >= 2 * second:
        return code
    return ""


# --- the importer -----------------------------------------------------------------------------


def title_of(text: str, fallback: str) -> str:
    """The first non-empty line (stripped, cut to TITLE_MAX characters), else fallback."""
    match = re.search(r"\S[^\n]*", text)
    if match is None:
        return fallback
    line = match.group().strip()
    if len(line) > TITLE_MAX:
        cut = line[: TITLE_MAX - 1]
        space = cut.rfind(" ")
        line = (cut[:space] if space >= TITLE_MAX // 2 else cut).rstrip() + "…"
    return line


def import_text(text: str, source_filename: str, source_encoding: str) -> ImportedDocument:
    """Build an ImportedDocument from decoded text: normalise, hash, find title and metadata.

    A stray control character (a form feed between pages, a vertical tab from a word
    processor) is removed (`content_rules.clean_text`): a plain-text file carries no offsets
    that removing it would shift, and the stored text must meet the content rules."""
    text = clean_text(normalize_text(text))
    if (problem := text_problem(text)) is not None:
        raise ImportRefused(source_filename, problem)
    metadata = detect_header_metadata(text)
    language = guess_language(text)
    if language:
        metadata["language"] = language
    return ImportedDocument(
        title=title_of(text, Path(source_filename).stem or source_filename),
        text=text,
        sha256=sha256_text(text),
        metadata=metadata,
        source_filename=source_filename,
        source_encoding=source_encoding,
    )


class PlainTextImporter:
    """Plain text files: .txt, .text and files without an extension."""

    name = "Plain text"
    extensions: tuple[str, ...] = (".txt", ".text", "")

    def can_import(self, path: Path) -> bool:
        return Path(path).suffix.lower() in self.extensions

    def read(self, path: Path) -> ImportedDocument:
        path = Path(path)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:  # refused before reading 50+ MB into memory
                raise ImportRefused(path, _too_large(size))
            data = path.read_bytes()
        except OSError as error:
            raise ImportRefused(path, f"cannot read the file ({error.strerror or error})") from None
        try:
            text, encoding = decode_bytes(data)
        except ImportRefused as refused:
            raise ImportRefused(path, refused.reason) from None
        return import_text(text, path.name, encoding)


register(PlainTextImporter())
