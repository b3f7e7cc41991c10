"""Drives a live Deno kernel (the project's kernelspec "deno") the way a student does, with jupyter_client,
and prints what happened as one JSON object for test/notebooks/deno.test.ts to judge.

    python3 deno_kernel.py NOTEBOOK SCENARIO   (SCENARIO: interrupts | short-cells | order | type-error)

interrupts:  Kernel > Interrupt during each cell of the notebook that awaits or runs long — the first cell
             (imports, backend), both self-checks, the training loop — each followed by the next cell; and a
             cell of the student's own that loops without end.
short-cells: after the first cell, many one-line cells, each sent when the previous one is idle; counts
             outputs that arrive after their cell's idle status (front ends drop those).
order:       a fresh kernel runs the trainDisc cell first, then the cells above it, then its self-check,
             then the trainDisc cell again and its self-check.
type-error:  the cells up to the trainDisc cell, with a trainDisc that does not type-check (EDIT env:
             "old=>new" applied to the cell), then its self-check.
The kernel runs in the notebook's folder (so ../dist/lib resolves) with the environment it inherits.
"""
import json
import os
import sys
import time

from jupyter_client.manager import start_new_kernel


def cells_of(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    out = {}
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            name = c.get("metadata", {}).get("seminar", {}).get("cell")
            out[name] = c["source"] if isinstance(c["source"], str) else "".join(c["source"])
    return out


def collect(kc, msg_id, timeout, on_msg=None):
    """What one request sent until its execute_reply and idle status, and what came after the idle (1 s)."""
    outputs, late, reply, idle_at = [], [], None, None
    deadline = time.time() + timeout
    while time.time() < deadline and not (reply is not None and idle_at is not None and time.time() > idle_at + 0.3):
        try:
            msg = kc.get_iopub_msg(timeout=0.05)
            if msg["parent_header"].get("msg_id") == msg_id:
                t = msg["msg_type"]
                if on_msg:
                    on_msg(msg)
                if t == "status":
                    if msg["content"]["execution_state"] == "idle" and idle_at is None:
                        idle_at = time.time()
                elif t != "execute_input":
                    entry = {"type": t, "content": msg["content"]}
                    (late if idle_at is not None else outputs).append(entry)
        except Exception:
            pass
        if reply is None:
            try:
                r = kc.get_shell_msg(timeout=0.01)
                if r["parent_header"].get("msg_id") == msg_id:
                    reply = r["content"]
            except Exception:
                pass
    text = "".join(text_of(o) for o in outputs)
    return {
        "status": reply and reply["status"],
        "replied": reply is not None,
        "idle": idle_at is not None,
        "text": text,
        "errors": [o["content"] for o in outputs if o["type"] == "error"],
        "late": [o["type"] for o in late],
    }


def text_of(o):
    c = o["content"]
    if o["type"] == "stream":
        return c["text"]
    if o["type"] in ("display_data", "update_display_data", "execute_result"):
        return c.get("data", {}).get("text/plain", "") + "\n"
    if o["type"] == "error":
        return "\n".join(c.get("traceback") or [c.get("ename", "") + ": " + c.get("evalue", "")]) + "\n"
    return ""


def run(kc, code, timeout=300):
    return collect(kc, kc.execute(code), timeout)


def interrupt_after(km, kc, code, seconds=None, on_output=None, timeout=300):
    """Sends `code`, interrupts it after `seconds` (or at its first output of type `on_output`), collects what it sent."""
    msg_id = kc.execute(code)
    sent = {}

    def on_msg(msg):
        if on_output and msg["msg_type"] == on_output and "at" not in sent:
            sent["at"] = time.time()
            km.interrupt_kernel()

    if not on_output:
        time.sleep(seconds)
        sent["at"] = time.time()
        km.interrupt_kernel()
    r = collect(kc, msg_id, timeout, on_msg)
    r["interrupted"] = "at" in sent
    r["secondsToStop"] = round(time.time() - sent["at"], 2) if "at" in sent else None
    return r


def probe(kc, label):
    # a name whose cell has not run throws its hint even under typeof (lib/jupyter/deno-guard.ts): "undefined"
    names = "[() => typeof gan, () => typeof trainDisc]"
    guarded = "(t) => { try { return t(); } catch { return 'undefined'; } }"
    return run(kc, f"console.log('{label}', ...{names}.map({guarded}))", 60)


def interrupts(cells, km, kc):
    log = {}
    # the first cell: its imports take seconds, then the backend starts (both are awaits)
    log["samplers"] = interrupt_after(km, kc, cells["samplers"], 1.5)
    log["afterSamplers"] = probe(kc, "after the first cell")
    log["samplersAgain"] = run(kc, cells["samplers"])
    log["samplersLate"] = interrupt_after(km, kc, cells["samplers"], 0.05)  # the helper is up: the backend's await
    log["afterSamplersLate"] = probe(kc, "after the first cell")
    for name in ["samplers", "models", "train_disc", "train_gen"]:
        run(kc, cells[name])
    for name in ["check_train_disc", "check_train_gen"]:
        # at its first line ("Solution mode: checking …"): the checks take a few hundred ms after it
        log[name] = interrupt_after(km, kc, cells[name], on_output="stream")
        log["after_" + name] = probe(kc, "after " + name)
    log["training_loop"] = interrupt_after(km, kc, cells["training_loop"], on_output="display_data")
    log["afterLoop"] = probe(kc, "after the loop")
    log["endless"] = interrupt_after(km, kc, "while (true) {}", 1.0, timeout=60)
    log["afterEndless"] = probe(kc, "after the endless loop")
    log["checkAgain"] = run(kc, cells["check_train_disc"])
    return log


def short_cells(cells, km, kc):
    first = run(kc, cells["samplers"])
    n = int(os.environ.get("SHORT_CELLS", "150"))
    results = [run(kc, f"console.log('cell {i}'); console.log('cell {i} again');", 30) for i in range(n)]
    return {
        "first": first["status"],
        "cells": n,
        "complete": sum(1 for i, r in enumerate(results) if r["text"] == f"cell {i}\ncell {i} again\n"),
        "late": sum(len(r["late"]) for r in results),
        "lateCells": sum(1 for r in results if r["late"]),
    }


def order(cells, km, kc):
    log = {"first": run(kc, cells["train_disc"])}
    for name in ["samplers", "models"]:
        log[name] = run(kc, cells[name])
    log["check"] = run(kc, cells["check_train_disc"])
    log["again"] = run(kc, cells["train_disc"])
    log["checkAgain"] = run(kc, cells["check_train_disc"])
    return log


def type_error(cells, km, kc):
    old, new = os.environ["EDIT"].split("=>", 1)
    edited = cells["train_disc"].replace(old, new)
    if edited == cells["train_disc"]:
        raise SystemExit(f"EDIT changed nothing: {old!r}")
    for name in ["samplers", "models"]:
        run(kc, cells[name])
    return {"cell": run(kc, edited), "check": run(kc, cells["check_train_disc"])}


if __name__ == "__main__":
    notebook, scenario = sys.argv[1], sys.argv[2]
    cells = cells_of(notebook)
    km, kc = start_new_kernel(kernel_name="deno", cwd=os.path.dirname(os.path.abspath(notebook)), startup_timeout=120)
    try:
        fn = {"interrupts": interrupts, "short-cells": short_cells, "order": order, "type-error": type_error}[scenario]
        result = fn(cells, km, kc)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(json.dumps(result))
