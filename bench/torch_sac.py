"""Throughput of a Spinning-Up-style PyTorch SAC with TeachMyAgent's benchmark
settings (400-300 networks, batch 1000, one gradient step every 10 env steps,
Q parameters frozen during the policy step), on gymnasium's BipedalWalker-v3
(same 24-D obs / 4-D action as Stump Tracks, same Box2D cost class).

This is the baseline `trellis bench students` is compared against; it is a
measuring tool written for trellis, not TeachMyAgent's code.
Usage: python3 bench/torch_sac.py [--steps 3000] [--threads 2]
"""
import argparse, time
import numpy as np, torch, torch.nn as nn, gymnasium as gym

p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, default=3000)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--batch", type=int, default=1000)
p.add_argument("--train-freq", type=int, default=10)
args = p.parse_args()
torch.set_num_threads(args.threads)

def mlp(i, o):
    return nn.Sequential(nn.Linear(i, 400), nn.ReLU(), nn.Linear(400, 300), nn.ReLU(), nn.Linear(300, o))

env = gym.make("BipedalWalker-v3")
od, ad = 24, 4
actor, q1, q2 = mlp(od, 2 * ad), mlp(od + ad, 1), mlp(od + ad, 1)
t1, t2 = mlp(od + ad, 1), mlp(od + ad, 1)
t1.load_state_dict(q1.state_dict()); t2.load_state_dict(q2.state_dict())
qp = list(q1.parameters()) + list(q2.parameters())
pi_opt, q_opt = torch.optim.Adam(actor.parameters(), 1e-3), torch.optim.Adam(qp, 1e-3)
cap = 200_000
buf = {k: np.zeros((cap, d), np.float32) for k, d in [("o", od), ("a", ad), ("r", 1), ("o2", od), ("d", 1)]}
n = 0

def policy(o):
    out = actor(o)
    mu, log_std = out[:, :ad], out[:, ad:].clamp(-20, 2)
    u = mu + log_std.exp() * torch.randn_like(mu)
    logp = (-0.5 * ((u - mu) / log_std.exp()) ** 2 - log_std - 0.9189385).sum(1)
    logp -= (2 * (np.log(2) - u - nn.functional.softplus(-2 * u))).sum(1)
    return torch.tanh(u), logp

def update():
    i = np.random.randint(0, n, args.batch)
    o, a, r, o2, d = (torch.as_tensor(buf[k][i]) for k in ("o", "a", "r", "o2", "d"))
    with torch.no_grad():
        a2, lp2 = policy(o2)
        x2 = torch.cat([o2, a2], 1)
        back = r + 0.99 * (1 - d) * (torch.min(t1(x2), t2(x2)) - 0.005 * lp2[:, None])
    x = torch.cat([o, a], 1)
    lq = ((q1(x) - back) ** 2).mean() + ((q2(x) - back) ** 2).mean()
    q_opt.zero_grad(); lq.backward(); q_opt.step()
    for p_ in qp: p_.requires_grad = False
    pi, lp = policy(o)
    xp = torch.cat([o, pi], 1)
    lpi = (0.005 * lp - torch.min(q1(xp), q2(xp)).squeeze(1)).mean()
    pi_opt.zero_grad(); lpi.backward(); pi_opt.step()
    for p_ in qp: p_.requires_grad = True
    with torch.no_grad():
        for src, dst in ((q1, t1), (q2, t2)):
            for ps, pd in zip(src.parameters(), dst.parameters()):
                pd.mul_(0.995).add_(0.005 * ps)

def run(steps, timed):
    global n, obs
    updates = 0
    for t in range(steps):
        with torch.no_grad():
            a = policy(torch.as_tensor(obs[None], dtype=torch.float32))[0][0].numpy()
        o2, r, term, trunc, _ = env.step(a)
        for k, v in (("o", obs), ("a", a), ("r", r), ("o2", o2), ("d", float(term))):
            buf[k][n] = v
        n += 1
        obs = env.reset()[0] if term or trunc else o2
        if timed and t % args.train_freq == 0:
            update(); updates += 1
    return updates

obs = env.reset(seed=0)[0]
run(args.batch, False)
t0 = time.time()
u = run(args.steps, True)
s = time.time() - t0
print(f"pytorch {torch.__version__} sac bipedalwalker 1 env {args.threads} threads: {args.steps / s:.0f} env steps/s "
      f"including {u / s:.1f} updates/s (batch {args.batch}, one update every {args.train_freq} steps)")
