"""Shared by the benchmarks: the benchmark lake (bench/.lake, written once by `homer-node demo-lake`)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
from conftest import BINARY, proc_status_bytes  # noqa: E402

LAKE = ROOT / "bench" / ".lake"
DAYS = 10       # hot_days 2: 80% of the rows are cold
HOT_DAYS = 2
CALLS_PER_DAY = 290_000  # about 20M hep_proto_1_call rows in all


def ensure_lake(lake_dir: Path = LAKE):
    if (lake_dir / "homer_lake.sqlite").exists():
        return
    print(f"generating the benchmark lake in {lake_dir} (once) ...", flush=True)
    subprocess.run([str(BINARY), "demo-lake", "--dir", str(lake_dir), "--days", str(DAYS), "--hot-days",
                    str(HOT_DAYS), "--calls", str(CALLS_PER_DAY)], check=True)


def volumes(lake_dir: Path = LAKE):
    return [
        {"name": "hot", "catalog_path": str(lake_dir / "homer_lake.sqlite"), "path": str(lake_dir / "data/hot") + "/"},
        {"name": "cold", "catalog_path": str(lake_dir / "homer_lake_cold.sqlite"),
         "path": str(lake_dir / "data/cold") + "/"},
    ]


def peak_rss(pid):
    """A process's peak resident memory (VmHWM), in bytes."""
    return proc_status_bytes(pid, "VmHWM")
