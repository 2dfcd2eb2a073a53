"""Fork while other threads make a model's first calls; run in a fresh interpreter.

    python fork_during_first_call.py BASE_URL TOKEN_URL sync|async|both FORKS SEED

Background threads make the model's first call, `invoke` and/or `ainvoke` on a loop of
their own, so every lazy import, the SSL context, the platform lookup and the token
refresh happen while the main thread forks at varied moments (during the calls and
after). Each child makes its own call (sync and async in turn) with its own prompt and
must get its own answer within a bound; a child that hangs dumps its stacks to stderr
(`faulthandler`) and exits 1. Prints one JSON line: the parent's answers, each child's
exit status, and how many forks began while a first call of the parent was running.
"""

from __future__ import annotations

import asyncio
import faulthandler
import json
import os
import random
import sys
import threading
import time
import warnings

CHILD_SECONDS = 8.0  # a child's whole call, cold imports included, on a loaded 2-core box


def main() -> None:
    base_url, token_url, mode, forks, seed = sys.argv[1:6]
    from langchain_vertex_openai import ChatVertexOpenAI
    from langchain_vertex_openai.testing import EmulatorCredentials

    llm = ChatVertexOpenAI(
        model="gemini-3.5-flash", base_url=base_url, credentials=EmulatorCredentials(token_url)
    )

    def call(kind: str, label: str) -> str:
        prompt = f"Repeat exactly: {label}"
        if kind == "async":
            return str(asyncio.run(llm.ainvoke(prompt)).content)
        return str(llm.invoke(prompt).content)

    kinds = ["sync", "async"] if mode == "both" else [mode]
    answers: dict[str, str] = {}

    def first_call(kind: str) -> None:
        answers[kind] = call(kind, f"parent-{kind}")

    threads = [threading.Thread(target=first_call, args=(kind,)) for kind in kinds]
    for thread in threads:
        thread.start()
    rng = random.Random(int(seed))
    children: list[int] = []
    during = 0
    while len(children) < int(forks):
        time.sleep(rng.uniform(0, 0.03))
        during += any(thread.is_alive() for thread in threads)
        with warnings.catch_warnings():  # 3.12+: forking a threaded process is the point
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: its own prompt, its own answer, within the bound
            faulthandler.dump_traceback_later(CHILD_SECONDS, exit=True)
            label = f"child{len(children)}"
            try:
                answer = call(kinds[len(children) % len(kinds)], label)
            except BaseException as error:
                print(f"{label}: {error!r}", file=sys.stderr, flush=True)
                os._exit(4)
            os._exit(0 if answer == label else 3)
        children.append(pid)
    for thread in threads:
        thread.join(30)
    statuses = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    print(json.dumps({"parent": answers, "children": statuses, "during": during}), flush=True)


if __name__ == "__main__":
    main()
