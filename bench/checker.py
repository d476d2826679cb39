"""Time page 8's checker on right, wrong and hostile answers: the work any input can cost a server thread.

.venv/bin/python bench/checker.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.checker import Refused, check  # noqa: E402

ANSWERS = {
    "right": ["P_se", "(-1/P_vi)*(-P_se*P_vi)*1", "e^se/(e^se+e^ve+e^vi)", "P_se*(1-P_se)"],
    "wrong": ["-P_se", "2P_se", "1/P_se", "P_vi"],
    "hostile": [
        "9**9**9**9",
        "(" * 5000 + "1" + ")" * 5000,
        "1" * 1_000_000,
        "P_se+" * 200_000 + "1",
        "__import__('os')",
        "((9^10)^10)^10",
        "+".join(["e^(se+ve+vi)/(P_se*P_ve)"] * 8),
    ],
}


def main() -> None:
    check("P_se", "vi.result")  # the first call derives the targets once
    for kind, answers in ANSWERS.items():
        times = []
        for answer in answers:
            for _ in range(50):
                start = time.perf_counter()
                try:
                    check(answer, "vi.result")
                except Refused:
                    pass
                times.append(time.perf_counter() - start)
        print(f"{kind:8s} median {statistics.median(times) * 1e3:7.3f} ms   max {max(times) * 1e3:7.3f} ms")


if __name__ == "__main__":
    main()
