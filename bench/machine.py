"""What the figures were measured on: the CPU and its instruction set.

int8 inference runs its matrix products on the CPU's int8 dot-product instructions
when it has them (VNNI: AVX512-VNNI or AVX-VNNI); without them int8 is about half as
fast, and the scorer's lead over the one-text-at-a-time peer, which runs fp32, shrinks.
So the bench says which it had.
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

VNNI_FLAGS = (("avx512_vnni", "AVX512-VNNI"), ("avx_vnni", "AVX-VNNI"), ("amx_int8", "AMX-INT8"))
"""``/proc/cpuinfo`` flags of int8 dot-product instructions, and their names."""


def cpu(cpuinfo: str | None = None) -> dict[str, Any]:
    """The CPU's model, vector width and int8 dot-product instructions.

    Args:
        cpuinfo: the text of ``/proc/cpuinfo`` (default: read it; elsewhere than on Linux
            the instructions are unknown: ``vnni`` is None).

    Returns:
        ``{"cpu": model, "cpu_isa": "AVX-512, VNNI: AVX512-VNNI, AVX-VNNI", "vnni": bool}``.
    """
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return {"cpu": platform.processor() or platform.machine(), "cpu_isa": "unknown",
                    "vnni": None}
    fields = dict(_field(line) for line in cpuinfo.splitlines() if ":" in line)
    flags = set(fields.get("flags", "").split())
    vector = next((name for flag, name in (("avx512f", "AVX-512"), ("avx2", "AVX2"),
                                           ("avx", "AVX"), ("sse4_2", "SSE4.2"))
                   if flag in flags), "no AVX")
    vnni = [name for flag, name in VNNI_FLAGS if flag in flags]
    return {"cpu": fields.get("model name", platform.machine()),
            "cpu_isa": f"{vector}, VNNI: {', '.join(vnni) or 'none'}", "vnni": bool(vnni)}


def _field(line: str) -> tuple[str, str]:
    name, _, value = line.partition(":")
    return name.strip(), value.strip()
