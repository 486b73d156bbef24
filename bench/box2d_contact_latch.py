"""How often the original's foot sensors read "no contact" while a foot is on
the ground.

TeachMyAgent's walkers do not ask Box2D whether a leg touches the terrain:
its contact listener sets a leg's flag on every BeginContact and clears it on
every EndContact. The ground is a chain of separate edges and each stump a
polygon of its own, so a foot that moves from one onto another (the next
edge, or a stump) gets the second's BeginContact while still on the first,
then the first's EndContact: the flag reads "no contact" while the foot
stands on the second, until a new contact begins. trellis reads the contact state itself. This script measures the
difference on the original: it replays the learned gait of
envs/tests/data/box2d_gait.json (its recorded actions, from the same task and
seed) on TeachMyAgent's Box2D Stump Tracks and counts, for each lower leg and
step, whether its flag and its contacts' `touching` agree. The replay drifts
from the recording after a while (chaos; the actions are rounded): what it
measures is the original's own trajectory.

    python3 bench/box2d_contact_latch.py --tma PATH
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "parity"))
import engines  # noqa: E402

args, gait = engines.gait_replay(__doc__)
eng = engines.make("box2d", args.tma)
eng.reset(gait["task"], args.seed)
legs = [b for b in eng.env.walker_body.body_parts
        if b.userData.check_contact and not b.userData.is_contact_critical]
agree_on = agree_off = off_while_touching = on_while_free = 0
for i, step in enumerate(gait["steps"]):
    _, _, term, trunc = eng.step(np.array(step["action"]))
    for leg in legs:
        touching = any(edge.contact.touching for edge in leg.contacts)
        flag = bool(leg.userData.has_contact)
        agree_on += flag and touching
        agree_off += not flag and not touching
        off_while_touching += touching and not flag
        on_while_free += flag and not touching
    if term or trunc:
        break
touching = agree_on + off_while_touching
print(f"{i + 1} steps, {len(legs)} sensing legs: flag on and touching {agree_on}, off and free {agree_off}, "
      f"off while touching {off_while_touching} ({100 * off_while_touching / max(1, touching):.1f}% of the touching "
      f"leg-steps), on while free {on_while_free}")
