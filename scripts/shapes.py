#!/usr/bin/env python3
"""Writes proposals of awkward shapes at a given size, for scripts/bench.sh to check that
proplint's cost grows linearly with each: one paragraph with no sentence ends, or of
out-of-scope labels and negations line after line, a single word, thousands of headings
(the same one, or nested), paragraphs, list items, footnotes, suppression comments, a long
table, deep quotes and lists, a phrase repeated, hedges, TOML forms with many tables, one
long string or many array tables, and soups of emphasis, backticks and pipes.

    scripts/shapes.py BYTES FOLDER
"""
import os
import random
import sys


def shapes(size):
    rng = random.Random(7)
    # Words that rule patterns and their `with` terms look for, so matches are everywhere.
    words = ("the council will process personal data for residents and staff using a cloud "
             "hosted service with accessibility testing workshop survey tenants and carbon "
             "reporting").split()

    def run_of_words(count):
        return " ".join(rng.choice(words) for _ in range(count))

    return {
        "no-sentence-ends.md": "# Summary\n\n" + run_of_words(size // 7) + "\n",
        "lower-case-lines-crlf.md": "# Summary\r\n\r\n" + "".join(run_of_words(8) + ".\r\n" for _ in range(size // 60)),
        "one-word.md": "# Summary\n\n" + "a" * size + "\n",
        "headings.md": "".join(f"## Heading {i} privacy\n\ntext {i}.\n\n" for i in range(size // 30)),
        "table.md": "# Data\n\n| a | b | c |\n|---|---|---|\n" + "".join(f"| personal data {i} | dpia | £{i} |\n" for i in range(size // 35)),
        "deep-quotes.md": "# S\n\n" + "".join(">" * (i % 200) + " personal data\n" for i in range(size // 110)),
        "deep-lists.md": "# S\n\n" + "".join("  " * (i % 300) + "- personal data item\n" for i in range(size // 320)),
        "repeated-phrase.md": "# Privacy\n\n" + "personal data " * (size // 14) + "\n",
        "short-sentences.md": "# Privacy\n\n" + "We will. " * (size // 9) + "\n",
        "welsh-and-emoji.md": "# Crynodeb\n\n" + "Bydd y cyngor yn prosesu data personol ŵ ŷ â ê 👍 — £5. " * (size // 60) + "\n",
        "figures.md": "# Costs\n\n" + "£1,000 12% 2026-03-01 " * (size // 22) + "\n",
        "links.md": "# S\n\n" + "".join(f"[link{i}](https://example.org/{i}) " for i in range(size // 36)) + "\n",
        "emphasis-soup.md": "# S\n\n" + "*a _b *c _d " * (size // 12) + "\n",
        "backtick-soup.md": "# S\n\n" + "`a ``b ```c " * (size // 12) + "\n",
        "pipes.md": "# S\n\n" + "|" * size + "\n",
        "many-tables.toml": "[proposal]\ntitle = \"x\"\n" + "".join(f"[section_{i}]\nbody = \"personal data {i}\"\n" for i in range(size // 40)),
        "out-of-scope-lines.md": "# Scope\n\n" + "".join(
            f"Out of scope: {run_of_words(4)}. Not {run_of_words(3)}. We will not {run_of_words(3)}.\n" for _ in range(size // 90)),
        "paragraphs.md": "# S\n\n" + "".join(f"{run_of_words(6)}.\n\n" for _ in range(size // 50)),
        "list-items.md": "# S\n\n" + "".join(f"- {run_of_words(5)}\n" for _ in range(size // 40)),
        "footnotes.md": "# S\n\n" + "".join(f"Text[^{i}] {run_of_words(3)}.\n\n[^{i}]: {run_of_words(4)}\n\n" for i in range(size // 80)),
        "suppressions.md": "# S\n\n" + "".join(
            f"<!-- proplint-disable DEM-002 -- {run_of_words(3)} -->\n{run_of_words(5)}.\n\n" for _ in range(size // 90)),
        "same-heading.md": "".join(f"## Data protection\n\n{run_of_words(6)}.\n\n" for _ in range(size // 60)),
        "nested-sections.md": "".join("#" * (1 + i % 6) + f" {run_of_words(2)}\n\n{run_of_words(5)}.\n\n" for i in range(size // 60)),
        "hedges.md": "# Privacy\n\n" + "We may possibly consider a DPIA where possible if needed, subject to funding, " * (size // 80) + "\n",
        "array-tables.toml": "[proposal]\ntitle = \"x\"\n" + "".join(f"[[risks]]\nrisk = \"{run_of_words(4)}\"\nowner = \"x\"\n" for _ in range(size // 60)),
        "long-string.toml": "[proposal]\ntitle = \"x\"\n[summary]\nbody = \"\"\"\n" + run_of_words(size // 7) + "\n\"\"\"\n",
    }


def main():
    size, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    for name, text in shapes(size).items():
        with open(os.path.join(folder, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)


if __name__ == "__main__":
    main()
