# Interrupting the training loop, as a student's "stop" button does: runs the notebook's code cells up to
# the loop in KERNEL, starts the loop, interrupts it once its first dashboard output arrives, then runs
# one more cell. Prints one JSON line of what happened. Usage: python3 interrupt.py KERNEL NOTEBOOK
import json
import os
import sys
import time

import jupyter_client
import nbformat

kernel, notebook = sys.argv[1], sys.argv[2]
nb = nbformat.read(notebook, as_version=4)
os.chdir(os.path.dirname(os.path.abspath(notebook)))
km, kc = jupyter_client.manager.start_new_kernel(kernel_name=kernel)
result = {'kernel': kernel}


def run(code, timeout=300, on_msg=None):
    msg_id = kc.execute(code)
    outputs = []
    deadline = time.time() + timeout
    while True:
        if time.time() > deadline:
            raise TimeoutError(f'no idle status within {timeout} s for: {code[:60]!r}')
        try:
            m = kc.get_iopub_msg(timeout=1)
        except Exception:
            continue
        if m['parent_header'].get('msg_id') != msg_id:
            continue
        if m['msg_type'] == 'status' and m['content']['execution_state'] == 'idle':
            break
        if m['msg_type'] in ('stream', 'error', 'display_data', 'update_display_data'):
            outputs.append(m)
        if on_msg:
            on_msg(m)
    reply = kc.get_shell_msg(timeout=30)
    while reply['parent_header'].get('msg_id') != msg_id:
        reply = kc.get_shell_msg(timeout=30)
    return reply['content'], outputs


try:
    loop = None
    for cell in nb.cells:
        if cell.cell_type != 'code':
            continue
        if cell.metadata.get('seminar', {}).get('cell') == 'training_loop':
            loop = cell.source
            break
        reply, _ = run(cell.source)
        if reply['status'] != 'ok':
            raise RuntimeError(f'cell failed before the loop: {reply}')
    sent = {}

    def on_msg(m):
        if m['msg_type'] == 'display_data' and 'at' not in sent:
            sent['at'] = time.time()
            km.interrupt_kernel()

    reply, outputs = run(loop, on_msg=on_msg)
    result['interrupted'] = 'at' in sent
    result['loopStatus'] = reply['status']
    result['secondsToStop'] = round(time.time() - sent['at'], 2) if 'at' in sent else None
    result['dashboardOutputs'] = sum(1 for o in outputs if o['msg_type'] == 'display_data')
    time.sleep(0.5)  # tslab aborts the requests that arrive within 200 ms of a failed cell
    reply, outputs = run("console.log('after the interrupt:', typeof gen, typeof trainDisc)", timeout=60)
    result['afterStatus'] = reply['status']
    result['afterText'] = ''.join(o['content'].get('text', '') for o in outputs if o['msg_type'] == 'stream')
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
print(json.dumps(result), flush=True)
