"""Drives a live tslab kernel the way a student does, with jupyter_client (Debian python3-jupyter-client),
and prints what happened as one JSON object for test/notebooks/kernel.test.ts to judge.

    python3 live_kernel.py NOTEBOOK SCENARIO [FILE]   (SCENARIO: interrupts | run-all | prerequisites | sequence | stress)

interrupts:    the cells up to the exercises, then the training loop started and interrupted mid-training
               three times (each time re-run), then both self-check cells.
run-all:       every code cell sent at once, as Run All does; records when each reply, output and status
               message arrives.
prerequisites: a fresh kernel runs the trainDisc cell first, then the first cell, then the trainDisc cell.
sequence FILE: a fresh kernel runs, one after another, the cells FILE lists (JSON: [{"cell": name} or
               {"source": code}]); records each one's status and output.
stress:        Run All of the cells up to the exercises, then many short training runs and cells printing many
               lines, all sent at once; records, per request, its reply, its lines of output and its "idle".
The kernel runs in the notebook's folder (so ../dist/lib resolves) with the environment it inherits
(JUPYTER_PATH, GAN_SOLUTIONS, GAN_ITERATIONS are set by the caller).
"""
import json
import os
import sys
import time

from jupyter_client.manager import start_new_kernel


def cells_of(path):
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    out = []
    for c in nb["cells"]:
        if c["cell_type"] != "code":
            continue
        src = c["source"] if isinstance(c["source"], str) else "".join(c["source"])
        out.append({"name": c.get("metadata", {}).get("seminar", {}).get("cell"), "source": src})
    return out


def text_of(msg):
    t = msg["msg_type"]
    c = msg["content"]
    if t == "stream":
        return c["text"]
    if t in ("display_data", "update_display_data", "execute_result"):
        return c.get("data", {}).get("text/plain", "")
    if t == "error":
        return c.get("ename", "") + ": " + c.get("evalue", "")
    return ""


def collect(kc, msg_id, timeout, on_msg=None):
    """Outputs of one request until its execute_reply and its idle status."""
    text, reply, idle = [], None, False
    deadline = time.time() + timeout
    while time.time() < deadline and not (reply and idle):
        try:
            msg = kc.get_iopub_msg(timeout=0.2)
            if msg["parent_header"].get("msg_id") == msg_id:
                if on_msg:
                    on_msg(msg)
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
                else:
                    text.append(text_of(msg))
        except Exception:
            pass
        if reply is None:
            try:
                r = kc.get_shell_msg(timeout=0.05)
                if r["parent_header"].get("msg_id") == msg_id:
                    reply = r["content"]
            except Exception:
                pass
    return {"status": reply and reply["status"], "text": "".join(text)}


def start(cwd):
    km, kc = start_new_kernel(kernel_name="tslab", cwd=cwd, startup_timeout=120)
    return km, kc


def interrupts(cells, cwd):
    km, kc = start(cwd)
    by = {c["name"]: c for c in cells}
    log = {"setup": [], "runs": [], "checks": []}
    try:
        for name in ["samplers", "models", "train_disc", "train_gen"]:
            log["setup"].append(collect(kc, kc.execute(by[name]["source"]), 180))
        for k in range(3):
            msg_id = kc.execute(by["training_loop"]["source"])
            seen = {"updates": 0}

            def count(msg):
                if msg["msg_type"] in ("display_data", "update_display_data"):
                    seen["updates"] += 1

            # wait for the dashboard to show two read-outs, then a little more, so the interrupt lands mid-training
            deadline = time.time() + 120
            first = []
            while time.time() < deadline and seen["updates"] < 2:
                try:
                    msg = kc.get_iopub_msg(timeout=0.2)
                    if msg["parent_header"].get("msg_id") == msg_id:
                        count(msg)
                        first.append(text_of(msg))
                except Exception:
                    pass
            time.sleep(0.3 + 0.37 * k)
            t = time.time()
            km.interrupt_kernel()
            rest = collect(kc, msg_id, 60, count)
            log["runs"].append({
                "status": rest["status"], "text": "".join(first) + rest["text"], "updates": seen["updates"],
                "stopSeconds": time.time() - t,
            })
            time.sleep(0.5)  # tslab aborts the requests that arrive within 200 ms of a failed (interrupted) cell
        for name in ["check_train_disc", "check_train_gen"]:
            log["checks"].append(collect(kc, kc.execute(by[name]["source"]), 300))
        probe = "console.log(JSON.stringify({clean: gan.engineIsClean(), tensors: tf.memory().numTensors}))"
        log["engine"] = collect(kc, kc.execute(probe), 60)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return log


def run_all(cells, cwd):
    km, kc = start(cwd)
    events = []
    t0 = time.time()
    try:
        ids = [kc.execute(c["source"]) for c in cells]
        names = {i: c["name"] for i, c in zip(ids, cells)}
        replies = {}
        deadline = time.time() + 600
        while len(replies) < len(ids) and time.time() < deadline:
            try:
                msg = kc.get_iopub_msg(timeout=0.05)
                parent = msg["parent_header"].get("msg_id")
                if parent in names:
                    t = msg["msg_type"]
                    e = {"t": time.time() - t0, "cell": names[parent], "type": t}
                    if t == "status":
                        e["state"] = msg["content"]["execution_state"]
                    elif t == "stream" and msg["content"]["name"] == "stderr":
                        e["stderr"] = msg["content"]["text"][:300]
                    events.append(e)
            except Exception:
                pass
            try:
                r = kc.get_shell_msg(timeout=0.01)
                parent = r["parent_header"].get("msg_id")
                if parent in names and parent not in replies:
                    replies[parent] = r["content"]["status"]
                    events.append({"t": time.time() - t0, "cell": names[parent], "type": "execute_reply", "status": r["content"]["status"]})
            except Exception:
                pass
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return {"events": events, "order": [c["name"] for c in cells]}


def prerequisites(cells, cwd):
    km, kc = start(cwd)
    by = {c["name"]: c for c in cells}
    try:
        before = collect(kc, kc.execute(by["train_disc"]["source"]), 120)
        time.sleep(0.3)  # tslab aborts requests arriving within 200 ms of a failed cell
        collect(kc, kc.execute(by["samplers"]["source"]), 180)
        time.sleep(0.3)  # tslab aborts requests arriving within 200 ms of a failed cell
        models_missing = collect(kc, kc.execute(by["train_disc"]["source"]), 120)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return {"first": before, "afterSamplers": models_missing}


def sequence(cells, cwd, file):
    with open(file, encoding="utf-8") as f:
        steps = json.load(f)
    km, kc = start(cwd)
    by = {c["name"]: c for c in cells}
    out = []
    try:
        for step in steps:
            src = by[step["cell"]]["source"] if "cell" in step else step["source"]
            out.append(collect(kc, kc.execute(src), 300))
            time.sleep(0.3)  # tslab aborts requests arriving within 200 ms of a failed cell
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return out


def stress(cells, cwd):
    km, kc = start(cwd)
    by = {c["name"]: c for c in cells}
    printing = "for (let k = 0; k < %d; k++) console.log('line ' + k);"
    requests = [("setup", by[n]["source"], 0) for n in ["samplers", "models", "train_disc", "train_gen"]]
    for k in range(8):
        requests.append(("training", by["training_loop"]["source"], 0))
        requests.append(("print", printing % (600 if k % 2 == 0 else 7), 600 if k % 2 == 0 else 7))
    requests += [("print", printing % 1, 1) for _ in range(60)]
    try:
        ids = [kc.execute(src) for _, src, _ in requests]
        per = {i: {"kind": kind, "expectLines": n, "lines": 0, "idle": False, "reply": None} for i, (kind, _, n) in zip(ids, requests)}
        deadline = time.time() + 600
        while time.time() < deadline and km.is_alive() and not all(p["idle"] and p["reply"] for p in per.values()):
            try:
                m = kc.get_iopub_msg(timeout=0.05)
                p = per.get(m["parent_header"].get("msg_id"))
                if p and m["msg_type"] == "stream":
                    p["lines"] += len([l for l in m["content"]["text"].split("\n") if l.startswith("line ")])
                elif p and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                    p["idle"] = True
            except Exception:
                pass
            try:
                r = kc.get_shell_msg(timeout=0.01)
                p = per.get(r["parent_header"].get("msg_id"))
                if p:
                    p["reply"] = r["content"]["status"]
            except Exception:
                pass
        alive = km.is_alive()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return {"requests": [per[i] for i in ids], "alive": alive}


if __name__ == "__main__":
    notebook, scenario = sys.argv[1], sys.argv[2]
    cells = cells_of(notebook)
    cwd = os.path.dirname(os.path.abspath(notebook))
    if scenario == "sequence":
        result = sequence(cells, cwd, sys.argv[3])
    else:
        result = {"interrupts": interrupts, "run-all": run_all, "prerequisites": prerequisites, "stress": stress}[scenario](cells, cwd)
    print(json.dumps(result))
