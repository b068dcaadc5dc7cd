"""`zigttp serve --watch [--prove] [--force-swap]`: recompile, verify and (with --prove) prove on change, then swap.

The server's parent process watches the handler and every local file it
imports (the contract's `handler.files`). On a change it runs the same
steps as a start: the one analysis (`load_handler`, which verifies), the
grants, and pre-initialisation in a child process. With --prove it also
proves the new version against the running one (zigttp.prove: the contract
diff and its directional rules) and refuses a BREAKING one unless
--force-swap is given. An accepted version is published as the next
generation (generations.py); every worker loads it beside the running one
and swaps, so requests in flight finish on the old version and no request
fails. Whatever goes wrong keeps the running version and says why on
stderr. The parent never creates a wasmtime engine (granian forks it).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zigttp_host import EngineConfig, Limits

from ..loader import LoadedSource
from . import generations

WATCH_POLL_S = 0.3
SETTLE_S = 0.1  # an editor's save can be several writes: wait until the files stop changing


@dataclass(frozen=True)
class WatchSettings:
    prove: bool = False
    force_swap: bool = False
    # --prove-durable: the durable folder whose in-flight runs must all replay on a new version
    durable_dir: Path | None = None


# grants_for(loaded) -> (Grants.to_dict(), the exposed contract or None); raises ValueError when refused
GrantsFor = Callable[[LoadedSource], tuple[dict, "dict | None"]]


class Watcher:
    def __init__(self, handler_path: Path, running: LoadedSource, state: Path, limits: Limits,
                 settings: WatchSettings, grants_for: GrantsFor, out: Any = None,
                 engine: EngineConfig | None = None) -> None:
        self.handler_path = handler_path
        self.running = running
        self.state = state
        self.limits = limits
        self.engine = engine or EngineConfig()  # the workers' engine: what each generation is prepared for
        self.settings = settings
        self.grants_for = grants_for
        self.out = out or sys.stderr
        self.generation = 0
        self._stop = threading.Event()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._loop, name="zigttp-watch", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def say(self, text: str) -> None:
        print(f"zigttp --watch: {text}", file=self.out, flush=True)

    def files(self) -> list[Path]:
        """The handler and the local files its running version was built from."""
        names = ((self.running.contract or {}).get("handler") or {}).get("files") or {}
        folder = self.handler_path.parent
        found = {self.handler_path, *(folder / name for name in names)}
        return sorted(found)

    def _stamps(self) -> dict[Path, tuple[int, int] | None]:
        out: dict[Path, tuple[int, int] | None] = {}
        for path in self.files():
            try:
                st = path.stat()
                out[path] = (st.st_mtime_ns, st.st_size)
            except OSError:
                out[path] = None
        return out

    def _loop(self) -> None:
        seen = self._stamps()
        while not self._stop.wait(WATCH_POLL_S):
            now = self._stamps()
            if now == seen:
                continue
            time.sleep(SETTLE_S)
            seen = self._stamps()
            try:
                self.consider()
            except Exception as e:  # a bug here must not stop the watch or the server
                self.say(f"internal error, still serving generation {self.generation}: {type(e).__name__}: {e}")
            seen = self._stamps()  # the new version may import other files

    def consider(self) -> bool:
        """Checks the handler as it is on disk now; publishes it when allowed. True when swapped."""
        from ..loader import LoadError, load_handler

        try:
            loaded = load_handler(self.handler_path, verify=True)
        except LoadError as e:
            self.say(f"the change does not verify; still serving generation {self.generation}\n{e.report}")
            return False
        if self.settings.prove and not self._proven(loaded):
            return False
        return self._publish(loaded)

    def _proven(self, loaded: LoadedSource) -> bool:
        from zigttp.prove.inputs import Side
        from zigttp.prove.run import prove

        old = Side(str(self.handler_path), "source", self.running.contract or {}, self.running.bundle.source)
        new = Side(str(self.handler_path), "source", loaded.contract or {}, loaded.bundle.source)
        proof = prove(old, new)
        verdict = proof.verdict.verdict
        lines = [f"    {f.describe()}" for f in proof.findings]
        if self.settings.durable_dir is not None:
            diverging = self._runs_that_do_not_replay(loaded)
            lines += [f"    ZP607 breaking {line}" for line in diverging]
            verdict = "BREAKING" if diverging else verdict
        self.say(f"{verdict} ({proof.verdict.classification}) against generation {self.generation}"
                 + ("".join("\n" + line for line in lines)))
        if verdict != "BREAKING":
            return True
        if self.settings.force_swap:
            self.say("WARNING: --force-swap: swapping to a BREAKING version")
            return True
        self.say(f"refused: the change is breaking; still serving generation {self.generation} "
                 "(--force-swap overrides)")
        return False

    def _runs_that_do_not_replay(self, loaded: LoadedSource) -> list[str]:
        """`zigttp prove --durable` in a child process (the parent never creates a wasmtime engine)."""
        import json
        import subprocess
        import tempfile

        with tempfile.TemporaryDirectory(prefix="zigttp-watch-") as tmp:
            folder = Path(tmp)
            (folder / "handler.js").write_text(loaded.bundle.source, encoding="utf-8")
            (folder / "contract.json").write_text(json.dumps(loaded.contract or {}), encoding="utf-8")
            proc = subprocess.run([sys.executable, "-m", "zigttp.cli", "prove", str(folder), str(folder), "--durable",
                                   str(self.settings.durable_dir), "--json"], capture_output=True, text=True,
                                  timeout=600)
        try:
            runs = json.loads(proc.stdout)["durable_runs"] or []
        except (ValueError, KeyError, TypeError):
            return [f"in-flight runs not checked: {proc.stderr.strip() or 'zigttp prove gave no answer'}"]
        return [f"run {r['key']}: {r['detail']}" for r in runs if not r.get("replays")]

    def _publish(self, loaded: LoadedSource) -> bool:
        from .run import StartError, prepare_handler

        try:
            grants, exposed = self.grants_for(loaded)
            prepare_handler(loaded, self.limits, self.engine)
        except (ValueError, StartError) as e:
            self.say(f"not swapped, still serving generation {self.generation}: {e}")
            return False
        self.generation += 1
        generations.publish(self.state, self.generation, loaded.bundle.source, loaded.bundle.name,
                            loaded.line_map_data, grants, exposed)
        self.running = loaded
        self.say(f"generation {self.generation} published; workers swap as they pick it up")
        return True
