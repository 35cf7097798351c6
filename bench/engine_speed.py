"""Engine speed: loading and checking each shipped procedure, and one action in memory.

Run: .venv/bin/python bench/engine_speed.py
Prints the median time per load and per action for each shipped procedure.
Targets (issue 2): load+check well under 10 ms; one engine action well under 50 µs.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import laksana.procedures
from laksana.engine import artifacts
from laksana.engine.interpreter import CompleteStep, Transition, execute, open_case
from laksana.engine.loader import load_procedure


def main() -> None:
    files = sorted(Path(laksana.procedures.__file__).parent.glob("*.yaml"))
    print(f"{'procedure':45} {'load+check ms':>14} {'action µs':>10} {'actions':>8}")
    for path in files:
        loads = []
        for _ in range(30):
            t0 = time.perf_counter()
            spec = load_procedure(path)
            loads.append((time.perf_counter() - t0) * 1e3)
        # Drive the main path (first outcome; second on a revisit) and time each action.
        per_action = []
        for _ in range(200):
            state = open_case(spec).state
            seen: dict[str, int] = {}
            while not state.finished:
                (step_id,) = state.active
                step = spec.step(step_id)
                outcome = None
                if step.decision:
                    n = seen.get(step_id, 0)
                    seen[step_id] = n + 1
                    outcome = step.decision.outcomes[min(n, len(step.decision.outcomes) - 1)].label
                wanted = [a for a in step.requires if a not in state.artifacts] + list(
                    step.produces
                )
                values = {a: artifacts.example_value(spec.artifact(a)) for a in wanted}
                action = CompleteStep(step_id, values, outcome)
                t0 = time.perf_counter()
                result = execute(spec, state, action)
                per_action.append((time.perf_counter() - t0) * 1e6)
                assert isinstance(result, Transition), result
                state = result.state
        print(
            f"{path.stem:45} {statistics.median(loads):14.2f} "
            f"{statistics.median(per_action):10.1f} {len(per_action):8d}"
        )


if __name__ == "__main__":
    main()
