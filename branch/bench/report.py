#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark VMs' RESULT lines into bench/results.md and bench.png.

usage: report.py RAW OUTDIR QEMU_VERSION HOST_CPU

RAW holds the lines of both boots, each prefixed by its mode ("icount" or
"wall"). Every figure was measured run by run beside its peers, so ratios
are taken run by run too: the ratio of a target is the range of its
per-run ratios, and a target is met only if the whole range clears it.
"""
import datetime
import os
import statistics
import subprocess
import sys

raw, outdir, qemu, host_cpu = sys.argv[1:5]
results = {}      # (mode, group, case) -> {target: (unit, [values])}
order = []
env = {}
faults = None
for line in open(raw):
    f = line.split()
    if len(f) < 2:
        continue
    mode, kind = f[0], f[1]
    if kind == 'RESULT' and len(f) > 6:
        group, case, target, unit = f[2:6]
        key = (mode, group, case)
        if key not in results:
            results[key] = {}
            order.append(key)
        results[key][target] = (unit, [float(v) for v in f[6:]])
    elif kind == 'BENCH-ENV':
        env[mode] = dict(zip(f[2::2], f[3::2]))
    elif kind == 'FAULTS':
        faults = {'pmd': int(f[4]), 'pte': int(f[6])}

LOWER = ('ns/call', 'ms', 'us/file', 'bytes')   # lower is better


def vals(key, target):
    return results[key][target][1]


def ratios(key, a, b):
    """The per-run ratios a/b, or None."""
    if key not in results or a not in results[key] or b not in results[key]:
        return None
    return [x / y for x, y in zip(vals(key, a), vals(key, b)) if y]


def rng(r):
    if not r:
        return '-'
    lo, hi = min(r), max(r)
    if abs(hi - lo) < 0.0005 * max(abs(lo), 1e-9) or '%.3f' % lo == '%.3f' % hi:
        return '%.3fx' % lo
    return '%.3f-%.3fx' % (lo, hi)


def cell(mode, v):
    m = statistics.median(v)
    if mode == 'icount':
        spread = (max(v) - min(v)) / m * 100 if m else 0
        return '%.4g (±%.2g%%)' % (m, spread / 2)
    return '%.3g / **%.3g** / %.3g' % (min(v), m, max(v))


peers = {'mmap': ['xfs-dax', 'tmpfs', 'raw'], 'rw': ['xfs-dax', 'tmpfs', 'raw'],
         'touch': ['xfs-dax', 'tmpfs', 'raw'], 'meta': ['tmpfs'],
         'interleave': [], 'writers': ['xfs-dax'], 'fio': ['xfs-dax']}
titles = {
    'mmap': 'Through mmap, the mapping faulted: 1 GiB sequential, 50k random 4 KiB reads',
    'rw': 'read(2) and write(2) of 1 byte (the fixed cost of a call), 4 KiB and 64 KiB, '
          'sequential and at random aligned offsets of a 1 GiB file (raw: memcpy from or to '
          'a mapping of /dev/dax)',
    'touch': 'First touch of 1 GiB (a store per 4 KiB): a new file each run, or a new '
             'mapping of the device; the PMD fault path',
    'interleave': 'First touch of a 256 MiB file in 2 MiB chunks over 1, 4 or 16 strips, '
                  'against one simple extent',
    'meta': 'Files: famfs create + map (as user space replays its log) against a tmpfs '
            'create of an empty file; slab memory per file; the umount that frees them',
    'writers': 'Writers to disjoint halves of one 512 MiB file (64 KiB writes, 2 GiB each): '
               'one writer and two at once, GiB/s of all',
    'fio': 'fio, 2 MiB sequential writes, one job per vCPU, 512 MiB each',
}
modes = {
    'icount': '`-icount shift=0,sleep=off`, 1 vCPU: guest time is the '
              'instructions executed, one nanosecond each. A figure is a count of '
              'work, not a speed of this host: it repeats from run to run and '
              'boot to boot. Cells: median (± half the spread of the runs).',
    'wall': 'Multi-threaded TCG, 2 vCPUs, each on a host core; for the '
            'parallel cases. Cells: min / **median** / max.',
}

lines = ['# famfs benchmark results', '']
runs = max(len(v[1]) for r in results.values() for v in r.values())
lines.append('Measured by `make bench` on %s in two boots of the benchmark VM (an '
             'optimized kernel without debug options), %d runs per figure. In each run '
             'famfs and its peers take turns, in an order that rotates from run to '
             'run. Ratios are run by run (famfs / peer in the same run): a ratio is '
             'the range over the runs.' % (datetime.date.today().isoformat(), runs))
lines.append('')
e = env.get('icount') or env.get('wall') or {}
lines.append('- guest kernel: %s, qemu TCG (no KVM), clocksource %s' %
             (e.get('kernel', '?'), e.get('clocksource', '?')))
lines.append('- qemu: %s' % qemu)
lines.append('- host CPU: %s' % host_cpu)
lines.append('- famfs: /dev/dax0.0 on an emulated NVDIMM (5 GiB file, share=on), '
             'chosen for file systems; raw: the same memory through an mmap of '
             '/dev/dax0.0; xfs-dax: xfs on a second emulated NVDIMM in fsdax mode, '
             '-o dax=always; tmpfs: huge=always for data, huge=never for files. '
             'All mounted noatime. Every data file is preallocated (xfs) or mapped '
             '(famfs) and written once before the timed runs.')
lines.append('')
lines.append('For times, nanoseconds per call, microseconds per file and bytes, '
             'lower is better (a ratio below 1 favours famfs); for rates, higher.')
lines.append('')

section = 0
for mode in ['icount', 'wall']:
    groups = [g for g in ['mmap', 'rw', 'touch', 'interleave', 'meta', 'writers', 'fio']
              if any(k[0] == mode and k[1] == g for k in order)]
    if not groups:
        continue
    lines.append('## %s' % ('icount' if mode == 'icount' else 'Wall time'))
    lines.append('')
    lines.append(modes[mode])
    lines.append('')
    for group in groups:
        keys = [k for k in order if k[0] == mode and k[1] == group]
        section += 1
        lines.append('### %d. %s' % (section, titles[group]))
        lines.append('')
        present = [t for t in ['famfs'] + peers[group]
                   if any(t in results[k] for k in keys)]
        ps = [p for p in present if p != 'famfs']
        head = ['case', 'unit'] + present + ['famfs / ' + p for p in ps]
        if group == 'interleave':
            head.append('famfs / simple')
        lines.append('| ' + ' | '.join(head) + ' |')
        lines.append('|' + '---|' * len(head))
        for key in keys:
            r = results[key]
            unit = next(iter(r.values()))[0]
            row = [key[2], unit] + [cell(mode, r[t][1]) if t in r else '-' for t in present]
            row += [rng(ratios(key, 'famfs', p)) for p in ps]
            if group == 'interleave':
                simple = (mode, group, 'touch-simple')
                row.append(rng([a / b for a, b in zip(vals(key, 'famfs'),
                                                      vals(simple, 'famfs'))]))
            lines.append('| ' + ' | '.join(row) + ' |')
        if group == 'writers':
            one, two = (mode, group, 'one-writer'), (mode, group, 'two-writers')
            lines.append('')
            lines.append('Two writers against one, run by run: ' + ', '.join(
                '%s %s' % (t, rng([b / a for a, b in zip(vals(one, t), vals(two, t))]))
                for t in ['famfs', 'xfs-dax'] if t in results.get(one, {})))
        if group == 'touch' and faults:
            lines.append('')
            lines.append('fs_dax tracepoints, one more famfs run: %d PMD faults, %d PTE '
                         'faults for 1 GiB.' % (faults['pmd'], faults['pte']))
        lines.append('')

# The targets of the benchmark issue, each in its mode
targets = []


def target(name, mode, r, ok_fn):
    """r: the per-run ratios; met if every run's ratio clears the target."""
    if not r:
        targets.append((name, mode, '-', 'not measured'))
        return
    if all(ok_fn(x) for x in r):
        verdict = 'yes'
    elif mode == 'wall' and any(ok_fn(x) for x in r):
        verdict = 'not shown (the runs straddle it)'
    else:
        verdict = '**no**'
    targets.append((name, mode, rng(r), verdict))


def both(mode, group, cases, a, b):
    r = []
    for c in cases:
        x = ratios((mode, group, c), a, b)
        if x is None:
            return None
        r += x
    return r


for op in ['read', 'write']:
    target('%s(2) of 1 byte: fixed cost <= 0.7x xfs-dax (seq, rand)' % op, 'icount',
           both('icount', 'rw', ['%s-seq-1b' % op, '%s-rand-1b' % op], 'famfs', 'xfs-dax'),
           lambda x: x <= 0.7)
for op in ['read', 'write']:
    target('%s(2) of 4 KiB: rate >= 1.2x xfs-dax (seq, rand)' % op, 'icount',
           both('icount', 'rw', ['%s-seq-4k' % op, '%s-rand-4k' % op], 'famfs', 'xfs-dax'),
           lambda x: x >= 1.2)
target('PMD fault path: first touch of 1 GiB <= 1.1x raw /dev/dax', 'icount',
       ratios(('icount', 'touch', 'first-touch-1g'), 'famfs', 'raw'), lambda x: x <= 1.1)
k16, ks = ('icount', 'interleave', 'touch-16-strips'), ('icount', 'interleave', 'touch-simple')
target('first touch of a 16-strip file <= 1.1x a simple extent', 'icount',
       [a / b for a, b in zip(vals(k16, 'famfs'), vals(ks, 'famfs'))]
       if k16 in results and ks in results else None, lambda x: x <= 1.1)
k1, k100 = ('icount', 'meta', 'create-1000'), ('icount', 'meta', 'create-100000')
target('create + map per file flat from 1k to 100k files (100k / 1k within 10%)', 'icount',
       [b / a for a, b in zip(vals(k1, 'famfs'), vals(k100, 'famfs'))]
       if k1 in results and k100 in results else None, lambda x: abs(x - 1) <= 0.1)
target('slab memory per file (100k files) <= 1.5x a tmpfs file with no data', 'icount',
       ratios(('icount', 'meta', 'slab-per-file-100000'), 'famfs', 'tmpfs'),
       lambda x: x <= 1.5)
one, two = ('wall', 'writers', 'one-writer'), ('wall', 'writers', 'two-writers')
target('two writers to disjoint ranges of one file >= 1.5x one writer', 'wall',
       [b / a for a, b in zip(vals(one, 'famfs'), vals(two, 'famfs'))]
       if one in results and two in results else None, lambda x: x >= 1.5)

lines.append('## Targets')
lines.append('')
lines.append('Met only if the ratio of every run clears the target; in wall time a '
             'range that straddles it is "not shown".')
lines.append('')
lines.append('| target | mode | ratio | met |')
lines.append('|---|---|---|---|')
for name, mode, val, ok in targets:
    lines.append('| %s | %s | %s | %s |' % (name, mode, val, ok))
lines.append('')
lines.append('![the fixed cost of a call, and rates](bench.png)')
lines.append('')

os.makedirs(outdir, exist_ok=True)
with open(os.path.join(outdir, 'results.md'), 'w') as f:
    f.write('\n'.join(lines))

# The plot: the cost of a 1-byte call, and 4 KiB / 64 KiB rates, per target
tg = ['famfs', 'xfs-dax', 'tmpfs', 'raw']


def dat(name, cases):
    path = os.path.join(outdir, name)
    with open(path, 'w') as f:
        f.write('case ' + ' '.join(tg) + '\n')
        for c in cases:
            key = ('icount', 'rw', c)
            if key not in results:
                continue
            f.write('%s %s\n' % (c, ' '.join(
                '%.4f' % statistics.median(vals(key, t)) if t in results[key] else '0'
                for t in tg)))
    return path


small = dat('bench-1b.dat', ['%s-%s-1b' % (o, p) for o in ['read', 'write']
                             for p in ['seq', 'rand']])
large = dat('bench-rate.dat', ['%s-%s-%s' % (o, p, s) for s in ['4k', '64k']
                               for o in ['read', 'write'] for p in ['seq', 'rand']])
for old in ['bench.dat', 'faults.dat']:
    if os.path.exists(os.path.join(outdir, old)):
        os.remove(os.path.join(outdir, old))
gp = '''
set terminal png size 1400,520
set output '%s'
set multiplot layout 1,2
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key autotitle columnhead outside top center horizontal
set xtics rotate by -30
set yrange [0:*]
set title 'read(2)/write(2) of 1 byte: the fixed cost of a call (icount)'
set ylabel 'ns per call (lower is better)'
plot '%s' using 2:xtic(1), '' using 3, '' using 4
set title 'read(2)/write(2) of 4 KiB and 64 KiB (icount; raw: memcpy)'
set ylabel 'GiB/s (higher is better)'
plot '%s' using 2:xtic(1), '' using 3, '' using 4, '' using 5
unset multiplot
''' % (os.path.join(outdir, 'bench.png'), small, large)
subprocess.run(['gnuplot'], input=gp.encode(), check=True)
