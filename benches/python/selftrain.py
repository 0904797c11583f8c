"""Self-training with vectorised numpy: the workload of benches/selftrain.rs.

10,000 training questions x 16 strategies x 5 iterations (4 self-training rounds) x N = 50 samples
per question at temperature 0.75, at selftrain-reversal's calibrated defaults (shortcut logit 3.45,
in-distribution levels 1-3, gold fit 0.6 on the training questions' correct strategies, OOD levels
in MATH's proportions with transfer 0.42 for the shortcut and general strategies); iterative SFT
(keep correct samples, 20 full-batch gradient steps on shared + per-question logits) and iterative
DPO (one (correct, incorrect) pair per question, 20 steps of the DPO loss, reference = previous
model); each iteration evaluated on 2,000 test and 2,000 OOD questions (greedy pass@1, exact pass@k,
entropy, expected distinct answers).

Run: python3 benches/python/selftrain.py
"""
import time
import numpy as np

S, NTR, NTE, NOOD, N, TAU, STEPS = 16, 10_000, 2_000, 2_000, 50, 0.75, 20
LR, DLR, BETA, PHI_RATE = 1.0, 2.0, 0.1, 0.1
rng = np.random.default_rng(0)

q4 = S // 4
role = np.array([0] + [1] * q4 + [2] * q4 + [3] * (S - 1 - 2 * q4))
theta0 = np.array([3.45, 0.0, 0.0, 0.0])[role]
cbl = np.array([[1.0, 0.9, 0.5, 0.2, 0.0], [0.6, 0.5, 0.35, 0.2, 0.05], [0.3] * 5, [0.0] * 5])
transfer = np.array([0.42, 0.42, 1.0, 0.0])
id_levels = np.array([1, 1, 1, 0, 0]) / 3
ood_levels = np.array([437, 894, 1131, 1214, 1324]) / 5000
GOLD = 0.6


def questions(n, ood, gold=0.0):
    level = rng.choice(np.arange(1, 6), n, p=ood_levels if ood else id_levels)
    pc = cbl[role][:, level - 1].T * (transfer[role] if ood else 1.0)
    c = (rng.random((n, S)) < pc).astype(float)
    return c, 1.5 * rng.standard_normal((n, S)) + gold * c, level


def softmax(z, tau=1.0):
    z = z / tau
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def sample(pi, n):
    cum = np.cumsum(pi, axis=1)
    u = rng.random((pi.shape[0], n)) * cum[:, -1:]
    return (u[:, :, None] >= cum[:, None, :]).sum(axis=2).clip(max=S - 1)


def evaluate(theta, qs):
    c, phi0, level = qs
    z = theta + phi0
    pi = softmax(z, TAU)
    p = (pi * c).sum(axis=1)
    greedy = c[np.arange(len(c)), z.argmax(axis=1)]
    passk = {k: (1 - (1 - p) ** k).mean() for k in (2, 4, 8, 16, 32, 64)}
    ent = -(pi * np.log(np.where(pi > 0, pi, 1))).sum(axis=1).mean()
    distinct = (1 - (1 - pi) ** N).sum(axis=1).mean()
    return greedy.mean(), passk, ent, distinct


def run(paradigm, tr, te, ood):
    c = tr[0]
    theta, phi = theta0.copy(), tr[1].copy()
    out = []
    for t in range(5):
        out.append((evaluate(theta, te), evaluate(theta, ood)))
        if t == 4:
            break
        z = theta + phi
        draws = sample(softmax(z, TAU), N)
        ok = np.take_along_axis(c, draws, axis=1) > 0.5
        ref = z.copy()
        if paradigm == "sft":
            cnt = np.zeros((NTR, S))
            np.add.at(cnt, (np.repeat(np.arange(NTR), N)[ok.ravel()], draws[ok]), 1.0)
            tot = cnt.sum(axis=1, keepdims=True)
            for _ in range(STEPS):
                g = LR * (cnt - tot * softmax(theta + phi)) / N
                phi += PHI_RATE * g
                theta += g.sum(axis=0) / NTR
        else:
            has = ok.any(axis=1) & (~ok).any(axis=1)
            kw = np.where(ok, rng.random(ok.shape), -1.0).argmax(axis=1)
            kl = np.where(~ok, rng.random(ok.shape), -1.0).argmax(axis=1)
            w = draws[np.arange(NTR), kw][has]
            l = draws[np.arange(NTR), kl][has]
            rows = np.arange(NTR)[has]
            for _ in range(STEPS):
                zz = theta + phi
                h = BETA * ((zz[rows, w] - ref[rows, w]) - (zz[rows, l] - ref[rows, l]))
                a = DLR * BETA / (1 + np.exp(h))
                g = np.zeros((NTR, S))
                np.add.at(g, (rows, w), a)
                np.add.at(g, (rows, l), -a)
                phi += PHI_RATE * g
                theta += g.sum(axis=0) / NTR
    return out


tr, te, ood = questions(NTR, False, GOLD), questions(NTE, False), questions(NOOD, True)
for paradigm in ("sft", "dpo"):
    run(paradigm, tr, te, ood)  # warm-up
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        res = run(paradigm, tr, te, ood)
        times.append(time.perf_counter() - t0)
    print(f"{paradigm}: median {np.median(times) * 1e3:.1f} ms over 5 runs; pass@1 {res[0][0][0]:.3f} -> {res[-1][0][0]:.3f}, "
          f"pass@64 {res[0][0][1][64]:.3f} -> {res[-1][0][1][64]:.3f}, OOD pass@1 {res[0][1][0]:.3f} -> {res[-1][1][0]:.3f}")
