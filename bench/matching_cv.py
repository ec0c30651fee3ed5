"""Cross-validation of the answer index on the example questions alone (not the evaluation
set): each example is held out in turn (5 folds) and ranked by an index built from the rest.
This is where the index's settings are tuned, so the evaluation set stays unseen.

    .venv/bin/python bench/matching_cv.py [lang ...] [--set NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service import create_app  # noqa: E402
from service.core import answers  # noqa: E402
from service.core.words import normalise  # noqa: E402
from service.services import services  # noqa: E402

FOLDS = 5


def cross_validate(pack, confusions: Counter | None = None) -> tuple[int, int]:
    """(right, total) over every example of one language, 5 folds; confusions, if given,
    counts (expected, got) pairs."""
    english = pack.content.pack("en").answers if pack.lang != "en" else {}
    own = [(a.id, pack.expand(normalise(e))) for a in pack.answers.values() for e in a.examples]
    fixed = [(a.id, text) for a in pack.answers.values() for text in (a.question, a.text)]
    fixed += [(i, e) for i, a in english.items() for e in a.examples]
    common, question = pack.word_list("common_words"), pack.word_list("question_words")
    right = total = 0
    for fold in range(FOLDS):
        train = [doc for n, doc in enumerate(own) if n % FOLDS != fold]
        test = [doc for n, doc in enumerate(own) if n % FOLDS == fold]
        index = answers.AnswerIndex(pack.lang, train + fixed, common, question)
        for expected, text in test:
            ranked = index.rank(text, limit=1)
            got = ranked[0].answer if ranked else "none"
            right += got == expected
            total += 1
            if confusions is not None and got != expected:
                confusions[(expected, got)] += 1
    return right, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("langs", nargs="*")
    parser.add_argument("--confusions", type=int, default=0, help="list the N most confused")
    parser.add_argument("--set", action="append", default=[], help="NAME=VALUE in answers.py")
    args = parser.parse_args()
    for setting in args.set:
        name, value = setting.split("=")
        setattr(answers, name, type(getattr(answers, name))(value))
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE": ":memory:"})
    with app.app_context():
        line = services().line
        for lang in args.langs or line.settings.languages:
            confusions: Counter = Counter()
            right, total = cross_validate(line.pack(lang), confusions)
            print(f"{lang:8} {right / total:6.1%}  ({right}/{total})")
            for (expected, got), count in confusions.most_common(args.confusions):
                print(f"    {count:3}  {expected} -> {got}")


if __name__ == "__main__":
    main()
