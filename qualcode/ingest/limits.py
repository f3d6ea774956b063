"""How much one source may hold, so a hostile or broken file is refused before it fills memory.

The limits are far above any real interview, so they only ever stop files that are not
transcripts (a table export with one "turn" per cell, a log file, a document made by a script).
"""

from __future__ import annotations

from qualcode.errors import InputError

# A two-hour interview has a few hundred turns; a full day of focus groups a few thousand.
# 100,000 leaves a factor of ten above the longest real transcript we know of, while a file
# past it (a 179 KB .docx of one-word paragraphs made 1.28 million turns) would make as many
# segments, suggestions and rows to review, which no one can code.
MAX_TURNS_PER_SOURCE = 100_000

# 20 million characters is about 10,000 pages of text, or some 500 hours of transcribed
# speech: no single interview comes close, and the text, its turns and segments still fit
# in memory and in one SQLite transaction.
MAX_SOURCE_CHARACTERS = 20_000_000


def check_characters(count: int, path: str | None = None, line: int | None = None) -> None:
    """Raise :class:`InputError` when a source of ``count`` characters is over the limit."""
    if count > MAX_SOURCE_CHARACTERS:
        raise InputError(
            f"the text has {count:,} characters; qualcode reads at most {MAX_SOURCE_CHARACTERS:,} per source "
            f"(about 10,000 pages): check that this is one interview, or split it into several files",
            path,
            line,
        )


def check_file_size(size: int, path: str) -> None:
    """Raise :class:`InputError` when a text file is too big to be within the character limit.

    Checked before reading: decoded text has at least one character per four bytes (UTF-32),
    so a file of more than four bytes per allowed character is over the limit whatever it holds.
    """
    if size > 4 * MAX_SOURCE_CHARACTERS:
        raise InputError(
            f"the file has {size:,} bytes, more than {MAX_SOURCE_CHARACTERS:,} characters of text; "
            f"qualcode reads at most {MAX_SOURCE_CHARACTERS:,} per source (about 10,000 pages): "
            f"check that this is one interview, or split it into several files",
            path,
        )


def check_turns(count: int, path: str | None = None, line: int | None = None) -> None:
    """Raise :class:`InputError` when a source reaches more than the turn limit."""
    if count > MAX_TURNS_PER_SOURCE:
        raise InputError(
            f"the transcript has more than {MAX_TURNS_PER_SOURCE:,} speaker turns; qualcode reads at most "
            f"{MAX_TURNS_PER_SOURCE:,} per source (an interview has a few hundred): check that "
            f"this is one interview and that its speaker labels are recognised, or split it "
            f"into several files",
            path,
            line,
        )


# A PDF transcript of 10,000 pages (the character limit's size) with embedded fonts and a few
# pictures stays far below 200 MB; a larger file is a scan, a book or something else.
MAX_PDF_BYTES = 200 * 1024 * 1024
MAX_PDF_PAGES = 10_000
# What one compressed part of a PDF (a page's content, a font) may unpack to, and all of them
# together: a page of text is some kilobytes, so only a "PDF bomb" comes near these.
MAX_PDF_STREAM_BYTES = 256 * 1024 * 1024
MAX_PDF_UNPACKED_BYTES = 1024 * 1024 * 1024


def check_pdf_size(size: int, path: str) -> None:
    """Raise :class:`InputError` when a PDF file is larger than any transcript's PDF."""
    if size > MAX_PDF_BYTES:
        raise InputError(
            f"the PDF has {size:,} bytes; qualcode reads PDFs of at most {MAX_PDF_BYTES // (1024 * 1024)} MB: "
            "check that this is one interview's transcript, or split it into several files",
            path,
        )


def check_pdf_pages(count: int, path: str) -> None:
    """Raise :class:`InputError` when a PDF has more pages than one source may hold."""
    if count > MAX_PDF_PAGES:
        raise InputError(
            f"the PDF has {count:,} pages; qualcode reads at most {MAX_PDF_PAGES:,} per source: "
            "check that this is one interview's transcript, or split it into several files",
            path,
        )
