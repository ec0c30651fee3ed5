"""What reading the line costs by SMS, per language: texts and segments to read every topic
in full, the worst topic, the answers, and the saving from sending Latin-script languages
without accents (SMS_PLAIN_LATIN).

    .venv/bin/python bench/sms_cost.py [--markdown]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.config import LANGUAGE_ORDER  # noqa: E402
from service.core.content import default_content  # noqa: E402
from service.core.line import Line  # noqa: E402
from service.core.replies import SMS, TextBuilder, as_sent  # noqa: E402
from service.core.segments import encoding_of  # noqa: E402
from service.core.state import Settings  # noqa: E402


def segments(texts: list[str], plain_latin: bool = False) -> int:
    return sum(encoding_of(as_sent(text, plain_latin)).segments for text in texts)


def report(lang: str, builder: TextBuilder) -> dict[str, object]:
    """One language's figures."""
    line = builder.line
    topics = {topic: builder.topic_messages(lang, topic) for topic in line.content.topic_ids}
    every_text = [text for texts in topics.values() for text in texts]
    worst = max(topics, key=lambda topic: (len(topics[topic]), segments(topics[topic])))
    answers = [builder.answer(lang, answer) for answer in line.content.answer_ids]
    return {
        "lang": lang,
        "texts": len(every_text),
        "segments": segments(every_text),
        "plain_latin": segments(every_text, plain_latin=True),
        "worst": f"{worst} ({len(topics[worst])} texts, {segments(topics[worst])} segments)",
        "answer_segments": segments(answers) / len(answers),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    line = Line(default_content(), Settings(languages=tuple(LANGUAGE_ORDER)))
    builder = TextBuilder(line, SMS)
    rows = [report(lang, builder) for lang in LANGUAGE_ORDER]
    english = rows[0]["segments"]
    print(
        "| language | texts, every topic | segments | x English | without accents | "
        "worst topic | segments per answer |"
    )
    print("|---|---:|---:|---:|---:|---|---:|")
    for row in rows:
        ratio = row["segments"] / english  # type: ignore[operator]
        plain = row["plain_latin"] if row["plain_latin"] != row["segments"] else "same"
        print(
            f"| {row['lang']} | {row['texts']} | {row['segments']} | {ratio:.2f} | {plain} | "
            f"{row['worst']} | {row['answer_segments']:.2f} |"
        )


if __name__ == "__main__":
    main()
