"""The seminar loop in PyTorch, for `npm run bench -- --vs-pytorch`: the seed's own stack, written the
way this project writes it (two logits + log-softmax instead of the seed's sigmoid, which never learns),
5 discriminator steps + 1 generator step per iteration, batch 128, one thread.

Speaks the protocol of lib/bench/backend-child.ts (the TypeScript side): `serve` answers warmup/run commands on
stdin, `long` measures time to converge and RSS growth; both print JSON lines.
Needs Debian's python3-torch (run with /usr/bin/python3 if another python shadows it).
"""
import argparse
import json
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

IS_FAKE, IS_REAL = 0, 1
REAL_MEAN, REAL_STD = 5.0, 1.5


def rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def w1_to_normal(xs, mean, std):
    """Exact 1-Wasserstein distance of an empirical sample to N(mean, std²), as lib/seminar/metrics.ts computes it."""
    s = torch.sort(xs.double().flatten()).values
    n = s.numel()
    if not torch.isfinite(s).all():
        return math.inf
    cdf = lambda z: 0.5 * (1 + torch.erf(z / math.sqrt(2)))
    pdf = lambda z: torch.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    z = lambda x: (x - mean) / std
    G = lambda x: std * (z(x) * cdf(z(x)) + pdf(z(x)))  # ∫_{-∞}^{x} Φ
    a, b = s[:-1], s[1:]
    level = torch.arange(1, n, dtype=torch.float64) / n
    cross = torch.minimum(torch.maximum(mean + std * torch.special.ndtri(level), a), b)
    below = level * (cross - a) - (G(cross) - G(a))
    above = (G(b) - G(cross)) - level * (b - cross)
    zn = z(s[-1])
    total = G(s[0]) + (below + above).sum() + std * (pdf(zn) - zn * (1 - cdf(zn)))
    return float(total)


def seminar(seed):
    torch.manual_seed(seed)
    gen = nn.Sequential(nn.Linear(1, 16), nn.ELU(), nn.Linear(16, 1))
    disc = nn.Sequential(nn.Linear(1, 64), nn.ELU(), nn.Linear(64, 2))
    gen_opt = torch.optim.SGD(gen.parameters(), lr=1e-3)
    disc_opt = torch.optim.SGD(disc.parameters(), lr=1e-2)

    def sample_noise(batch_size):
        return torch.rand(batch_size, 1)

    def sample_real_data(batch_size):
        return torch.randn(batch_size, 1) * REAL_STD + REAL_MEAN

    def train_disc(batch_size):
        logp_real_is_real = F.log_softmax(disc(sample_real_data(batch_size)), dim=1)[:, IS_REAL]
        gen_data = gen(sample_noise(batch_size)).detach()  # the seed detaches G(z) here
        logp_gen_is_fake = F.log_softmax(disc(gen_data), dim=1)[:, IS_FAKE]
        disc_loss = -(logp_real_is_real + logp_gen_is_fake).mean()
        disc_opt.zero_grad()
        disc_loss.backward()
        disc_opt.step()
        return disc_loss.item()

    def train_gen(batch_size):
        logp_gen_is_real = F.log_softmax(disc(gen(sample_noise(batch_size))), dim=1)[:, IS_REAL]
        gen_loss = -logp_gen_is_real.mean()
        gen_opt.zero_grad()
        gen_loss.backward()
        gen_opt.step()
        return gen_loss.item()

    def iteration():
        for _ in range(5):
            train_disc(128)
        train_gen(128)

    def w1(n=10000):
        with torch.no_grad():
            return w1_to_normal(gen(sample_noise(n)), REAL_MEAN, REAL_STD)

    return iteration, w1


def serve(seed):
    """Answers warmup N / run N / quit on stdin, one JSON line each (lib/bench/backend-child.ts's protocol)."""
    iteration, _ = seminar(seed)
    say({'backend': 'pytorch', 'ready': True, 'version': torch.__version__, 'threads': torch.get_num_threads()})
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == 'quit':
            break
        if parts[0] in ('warmup', 'run'):
            n = int(parts[1])
            t, c = time.perf_counter(), time.process_time()
            for _ in range(n):
                iteration()
            seconds, cpu = time.perf_counter() - t, time.process_time() - c
            say({'cmd': parts[0], 'iterations': n, 'seconds': seconds, 'itPerSec': n / seconds,
                 'cpuSeconds': cpu, 'itPerCpuSec': n / cpu})
        else:
            say({'error': 'unknown command: ' + line.strip()})


def long(a):
    """Time to converge (read-outs off the clock), then RSS growth from 10k to long_iterations."""
    iteration, w1 = seminar(a.seed)
    loop_seconds, best, converged_at, converged_seconds = 0.0, (math.inf, 0, 0.0), None, None
    rss10k = None
    i = 0
    while i < a.long_iterations:
        t = time.perf_counter()
        for _ in range(a.check_every):
            iteration()
        loop_seconds += time.perf_counter() - t
        i += a.check_every
        if converged_at is None and i <= a.converge_cap:
            d = w1()
            if d < best[0]:
                best = (d, i, loop_seconds)
            if d < a.target_w1:
                converged_at, converged_seconds = i, loop_seconds
        if i == 10000:
            rss10k = rss_mb()
    rss_end = rss_mb()
    say({
        'backend': 'pytorch',
        'version': torch.__version__,
        'threads': torch.get_num_threads(),
        'convergedAt': converged_at,
        'convergeSeconds': converged_seconds,
        'bestW1': best[0],
        'bestW1At': best[1],
        'bestW1Seconds': best[2],
        'convergeCap': a.converge_cap,
        'targetW1': a.target_w1,
        'longIterations': a.long_iterations,
        'longItPerSec': a.long_iterations / loop_seconds,
        'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'rssAt10kMB': rss10k,
        'rssEndMB': rss_end,
        'rssGrowthMB': None if rss10k is None else rss_end - rss10k,
    })


def say(answer):
    print(json.dumps(answer), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('mode', choices=['serve', 'long'])
    p.add_argument('--long-iterations', type=int, default=30000)
    p.add_argument('--converge-cap', type=int, default=15000)
    p.add_argument('--check-every', type=int, default=500)
    p.add_argument('--target-w1', type=float, default=0.1)
    p.add_argument('--seed', type=int, default=42)
    a = p.parse_args()
    torch.set_num_threads(1)
    if a.mode == 'serve':
        serve(1)
    else:
        long(a)


if __name__ == '__main__':
    sys.exit(main())
