#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark VM's RESULT lines into bench/results.md and bench.png.

usage: report.py RAW OUTDIR QEMU_VERSION HOST_CPU
"""
import datetime
import os
import statistics
import subprocess
import sys

raw, outdir, qemu, host_cpu = sys.argv[1:5]
results = {}      # (group, case) -> {target: (unit, [values])}
order = []
env = {}
faults = {}
for line in open(raw):
    f = line.split()
    if not f:
        continue
    if f[0] == 'RESULT' and len(f) > 5:
        group, case, target, unit = f[1:5]
        key = (group, case)
        if key not in results:
            results[key] = {}
            order.append(key)
        results[key][target] = (unit, [float(v) for v in f[5:]])
    elif f[0] == 'BENCH-ENV':
        env = dict(zip(f[1::2], f[2::2]))
    elif f[0] == 'FAULTS':
        faults = {'pmd': int(f[3]), 'pte': int(f[5])}

def med(key, target):
    return statistics.median(results[key][target][1])

def cell(vals):
    return '%.3g / **%.3g** / %.3g' % (min(vals), statistics.median(vals), max(vals))

peers = {'mmap': ['raw', 'tmpfs'], 'rw': ['raw', 'tmpfs'],
         'random': ['raw', 'tmpfs'], 'touch': ['raw', 'tmpfs'],
         'meta': ['tmpfs'], 'fio': ['xfs-dax'], 'interleave': []}
titles = {
    'mmap': '1. Sequential bandwidth through mmap, 1 GiB, mapping faulted',
    'rw': '2. read(2)/write(2) of 1 GiB (raw: memcpy from/to a /dev/dax mapping)',
    'touch': '3. First touch of a fresh 1 GiB mapping (a store per 4 KiB)',
    'random': '4. Random 4 KiB reads through mmap (200k per run)',
    'meta': '5. Metadata: create (famfs: create + map; tmpfs: create + write 4 KiB)',
    'interleave': '6. Interleaved files, 256 MiB, 2 MiB chunks, through mmap',
    'fio': '7. fio, 2 MiB sequential writes, one job per vCPU, 512 MiB each',
}

lines = []
runs = max(len(v[1]) for r in results.values() for v in r.values())
lines.append('# famfs benchmark results')
lines.append('')
lines.append('Measured by `make bench` on %s, all in one boot of the benchmark VM '
             '(an optimized kernel without debug options), %d runs per figure: '
             'each cell is min / **median** / max. Ratios are of medians.' %
             (datetime.date.today().isoformat(), runs))
lines.append('')
lines.append('- guest kernel: %s, %s vCPUs, qemu TCG (no KVM)' %
             (env.get('kernel', '?'), env.get('cpus', '?')))
lines.append('- qemu: %s' % qemu)
lines.append('- host CPU: %s' % host_cpu)
lines.append('- famfs: /dev/dax0.0 on an emulated NVDIMM (5 GiB file, share=on); '
             'raw: the same memory through an mmap of /dev/dax0.0; tmpfs: '
             'huge=always for data, huge=never for the metadata runs (a huge page '
             'per 4 KiB file would measure page zeroing); xfs-dax: xfs on a second emulated NVDIMM in fsdax '
             'mode, mounted -o dax=always')
lines.append('')
lines.append('Under TCG every memory access is emulated: absolute figures are far '
             'below the hardware\'s and mean little; the ratios, taken in the same '
             'boot, are what this measures. For times (ms) lower is better, so a '
             'ratio below 1 favours famfs; for rates, above 1 does.')
lines.append('')

for group in ['mmap', 'rw', 'touch', 'random', 'meta', 'interleave', 'fio']:
    keys = [k for k in order if k[0] == group]
    if not keys:
        continue
    lines.append('## ' + titles[group])
    lines.append('')
    cols = ['famfs'] + [p for p in peers[group]]
    ratio_cols = ['famfs / ' + p for p in peers[group]]
    lines.append('| case | unit | ' + ' | '.join(cols + ratio_cols) + ' |')
    lines.append('|' + '---|' * (2 + len(cols) + len(ratio_cols)))
    for key in keys:
        r = results[key]
        unit = r['famfs'][0]
        row = [key[1], unit] + [cell(r[c][1]) if c in r else '-' for c in cols]
        for p in peers[group]:
            row.append('%.2fx' % (med(key, 'famfs') / med(key, p))
                       if p in r and med(key, p) else '-')
        lines.append('| ' + ' | '.join(row) + ' |')
    if group == 'interleave':
        simple = med(('interleave', 'read-simple'), 'famfs')
        lines.append('')
        lines.append('Against a simple extent (read): ' + ', '.join(
            '%s %.2fx' % (k[1].replace('read-', ''), med(k, 'famfs') / simple)
            for k in keys if k[1].startswith('read-') and k[1] != 'read-simple'))
    if group == 'touch' and faults:
        lines.append('')
        lines.append('fs_dax tracepoints, one more (untimed) famfs run: %d PMD faults, %d PTE faults '
                     'for 1 GiB.' % (faults['pmd'], faults['pte']))
    lines.append('')

# Targets of the benchmark issue: where we stand
def ratio(key, a, b):
    try:
        return med(key, a) / med(key, b)
    except (KeyError, ZeroDivisionError):
        return float('nan')

targets = []
for case in ['seq-read-1g', 'seq-write-1g']:
    r = ratio(('mmap', case), 'famfs', 'raw')
    targets.append(('mmap %s >= 0.98x raw devdax' % case, '%.3fx' % r, r >= 0.98))
r = ratio(('fio', 'seq-write-2m'), 'famfs', 'xfs-dax')
targets.append(('fio 2 MiB writes >= 2x xfs-dax', '%.2fx' % r, r >= 2))
fpg = med(('touch', 'faults-per-gib'), 'famfs') if ('touch', 'faults-per-gib') in results else float('nan')
targets.append(('faults per GiB = 512 (PMD) or better', '%d' % fpg, fpg <= 512))
r = ratio(('rw', 'read-1024k'), 'famfs', 'raw')
targets.append(('read(2) 1 MiB >= 0.9x raw memcpy', '%.3fx' % r, r >= 0.9))
r = ratio(('meta', 'create-1000'), 'famfs', 'tmpfs')
targets.append(('create+map >= 0.5x tmpfs create (1k files)', '%.2fx' % r, r >= 0.5))
try:
    s = med(('meta', 'create-100000'), 'famfs') / med(('meta', 'create-1000'), 'famfs')
except KeyError:
    s = float('nan')
targets.append(('linear scaling: rate at 100k / rate at 1k', '%.2f' % s, s >= 0.8))

lines.append('## Targets')
lines.append('')
lines.append('| target | measured | met |')
lines.append('|---|---|---|')
for name, val, ok in targets:
    lines.append('| %s | %s | %s |' % (name, val, 'yes' if ok else '**no**'))
lines.append('')
lines.append('![bandwidth and faults](bench.png)')
lines.append('')

os.makedirs(outdir, exist_ok=True)
with open(os.path.join(outdir, 'results.md'), 'w') as f:
    f.write('\n'.join(lines))

# The plot: bandwidth medians per case and target, and faults per GiB
dat = os.path.join(outdir, 'bench.dat')
with open(dat, 'w') as f:
    f.write('case famfs raw tmpfs\n')
    for key in order:
        if key[0] in ('mmap', 'rw'):
            r = results[key]
            f.write('%s-%s %s\n' % (key[0], key[1], ' '.join(
                '%.4f' % med(key, t) if t in r else '0' for t in ['famfs', 'raw', 'tmpfs'])))
fdat = os.path.join(outdir, 'faults.dat')
with open(fdat, 'w') as f:
    f.write('target faults\n')
    for t in ['famfs', 'raw', 'tmpfs']:
        if ('touch', 'faults-per-gib') in results and t in results[('touch', 'faults-per-gib')]:
            f.write('%s %.0f\n' % (t, med(('touch', 'faults-per-gib'), t)))
gp = '''
set terminal png size 1200,500
set output '%s'
set multiplot layout 1,2
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key autotitle columnhead outside top center horizontal
set xtics rotate by -30
set yrange [0:*]
set ylabel 'GiB/s (median)'
set title 'Bandwidth: famfs, raw /dev/dax, tmpfs'
plot '%s' using 2:xtic(1), '' using 3, '' using 4
set title 'Faults to touch 1 GiB (512 = one per 2 MiB)'
set ylabel 'faults (median)'
set key off
plot '%s' using 2:xtic(1)
unset multiplot
''' % (os.path.join(outdir, 'bench.png'), dat, fdat)
subprocess.run(['gnuplot'], input=gp.encode(), check=True)
