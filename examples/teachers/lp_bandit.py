"""A learning-progress bandit over a grid of task cells: a short teacher
written in Python, for trellis's native trainer and its benchmark.

The task space is cut into ``cells`` intervals per dimension. Each cell keeps
the returns of the episodes played in it; its *learning progress* is the
absolute difference between the mean of its newest ``window`` returns and
the mean of the ``window`` before them (the student getting better, or
forgetting). The teacher picks a cell with probability proportional to its
progress (uniformly while nothing has progressed, and with probability
``random_ratio`` regardless, so no cell is starved), then a task uniformly
inside it. This is the idea behind RIAC and ALP-GMM in a few lines; it is an
example, not one of the benchmark's teachers.

    trellis.train(out="runs/lp", teacher=LearningProgressBandit, steps=300_000)

or, in a sweep, ``examples/teachers/teachers.toml`` with
``trellis sweep plan --teachers-file examples/teachers/teachers.toml``.
"""

import itertools

import numpy as np

import trellis


class LearningProgressBandit(trellis.BaseTeacher):
    """Samples task cells in proportion to their absolute learning progress."""

    name = "lp-bandit"

    def __init__(self, context: trellis.Context, cells: int = 4, window: int = 10,
                 random_ratio: float = 0.2):
        super().__init__(context)
        if not 1 <= cells <= 32:
            raise ValueError(f"cells = {cells} is outside its allowed range [1, 32]")
        if window < 1:
            raise ValueError(f"window = {window} is outside its allowed range [1, ∞)")
        if not 0.0 <= random_ratio <= 1.0:
            raise ValueError(f"random_ratio = {random_ratio} is outside its allowed range [0, 1]")
        self.cells, self.window, self.random_ratio = cells, window, random_ratio
        low, high = self.space.low, self.space.high
        #: Every cell as (low corner, high corner).
        edges = [np.linspace(lo, hi, cells + 1) for lo, hi in zip(low, high)]
        self.boxes = [(np.array([e[i] for e, i in zip(edges, idx)]), np.array([e[i + 1] for e, i in zip(edges, idx)]))
                      for idx in itertools.product(range(cells), repeat=len(low))]
        #: Per cell, its returns in order (the last 2 × window are enough).
        self.returns = [[] for _ in self.boxes]

    def progress(self) -> np.ndarray:
        """Absolute learning progress of every cell (0 until it has 2 × window episodes)."""
        w = self.window
        lp = np.zeros(len(self.boxes))
        for i, r in enumerate(self.returns):
            if len(r) >= 2 * w:
                lp[i] = abs(np.mean(r[-w:]) - np.mean(r[-2 * w:-w]))
        return lp

    def sample_task(self):
        lp = self.progress()
        if self.rng.random() < self.random_ratio or lp.sum() <= 0:
            cell = self.rng.integers(len(self.boxes))
        else:
            cell = self.rng.choice(len(self.boxes), p=lp / lp.sum())
        lo, hi = self.boxes[cell]
        return self.rng.uniform(lo, hi)

    def cell_of(self, task: np.ndarray) -> int:
        low, high = self.space.low, self.space.high
        width = np.where(high > low, high - low, 1.0)
        idx = np.clip(((task - low) / width * self.cells).astype(int), 0, self.cells - 1)
        return int(np.ravel_multi_index(idx, [self.cells] * len(idx)))

    def update(self, episode: trellis.Episode) -> None:
        r = self.returns[self.cell_of(episode.task)]
        r.append(episode.ret)
        del r[:-2 * self.window]

    def dump(self) -> dict:
        return {"progress": self.progress().tolist(), "episodes": [len(r) for r in self.returns]}
