#!/usr/bin/env python3
"""tests/bench/bench.py - the benchmark's plan, analysis and report.

  bench.py plan [--smoke]          the runs, one a line, for tests/bench/run-bench
  bench.py report LOGDIR           build/bench/results.csv and BENCHMARKS.md
  bench.py smoke LOGDIR            check the smoke run; PASS/FAIL line
  bench.py timeline LOGDIR/NAME OUT WORKDIR   OUT.svg and OUT.png (gnuplot)

Every run is a deterministic Bochs scenario (one CPU: the TSC counts
instructions), so every figure here is exact and repeatable; nothing is
averaged over noise. Definitions are in BENCHMARKS.md ("How to read") and
repeated beside the code that computes them. Python 3 standard library only.
"""
import csv
import heapq
import os
import re
import statistics
import subprocess
import sys

# --- the plan -----------------------------------------------------------

MODEL = 'corei7_icelake_u'	# VMX with APIC-register virtualization and VID
PAGES = 16			# slow pages each task touches
PAGES_REF = 8			# the reference run for STATS deltas
WORK = 16000			# work units between two touches (~19 cycles each)
LATENCIES = [2000, 20000, 200000, 2000000]
LAT_TASKS = 4			# the latency sweep's task count
TASKS = [1, 2, 4, 8]
LAT_MAX = LATENCIES[-1]		# the task sweep's latency
TRACE_EVENTS = 65536
HOT_TASKS, HOT_LATENCY = 8, LAT_MAX	# the traced runs: the headline point
TIMEOUT = 600

# Mode: (label, guest apf=, hypervisor args, needs int mode in the guest)
MODES = {
	'sync': ('synchronous (apf=off)', 'apf=off', '', False),
	'pf': ('#PF mode (apf=pf)', 'apf=pf send_always=on', '', False),
	'int-soft': ('interrupt, software LAPIC', 'apf=int send_always=on',
		     'apic=soft', True),
	'int-vid': ('interrupt, virtual-interrupt delivery',
		    'apf=int send_always=on', 'apic=auto', True),
}
MODE_ORDER = list(MODES)


def run_row(name, args, gargs, guest='-', model=MODEL):
	"""One line of the plan: NAME MODEL GUEST ARGS GUEST_ARGS (tabs)."""
	return '\t'.join([name, model, guest, args.strip() or '-',
			  gargs.strip() or '-'])


def guest_has_option(name):
	"""Does the guest's option table know `name`? (Its option names are
	NUL-terminated strings in the image.) Lets the plan ask for a
	guest-stub option only where the guest-stub in the tree has it."""
	try:
		with open(os.environ.get('APFV_GUEST', 'build/guest-stub.elf'),
			  'rb') as f:
			return b'\0' + name.encode() + b'\0' in f.read()
	except OSError:
		return False


def workload_args(mode, tasks, lat, pages=PAGES, work=WORK, trace=0):
	_, g, a, _ = MODES[mode]
	args = f'{a} latency={lat}' + (f' trace={trace}' if trace else '')
	# The same workload in every mode: no LAPIC-timer preemption ticks
	# (guest-stub's tick=, where it has it), so that every exit counted
	# belongs to APF or to the work itself.
	tick = ' tick=0' if guest_has_option('tick') else ''
	return args, f'{g} tasks={tasks} pages={pages} work={work}{tick}'


def plan(smoke=False):
	rows = []
	if smoke:
		# The whole pipeline, tiny: a calibration pair, one APF run
		# with its synchronous twin and reference, the null exits and
		# a trace.
		for name, mode, pages, work, trace in [
				('w-sync-t2-l20000', 'sync', 4, 2000, 0),
				('w-pf-t2-l20000', 'pf', 4, 2000, 0),
				('d-pf-t2-l20000', 'pf', 2, 2000, 0),
				('tr-pf-t2-l20000', 'pf', 4, 2000, TRACE_EVENTS)]:
			a, g = workload_args(mode, 2, 20000, pages, work, trace)
			rows.append(run_row(name, a, g))
		rows += cal_rows(pages=2)
		rows += null_rows()
		return rows
	for lat in LATENCIES:
		for m in MODE_ORDER:
			rows.append(run_row(f'w-{m}-t{LAT_TASKS}-l{lat}',
					    *workload_args(m, LAT_TASKS, lat)))
			rows.append(run_row(f'd-{m}-t{LAT_TASKS}-l{lat}',
					    *workload_args(m, LAT_TASKS, lat,
							   pages=PAGES_REF)))
	for t in TASKS:
		if t == LAT_TASKS:
			continue
		for m in MODE_ORDER:
			rows.append(run_row(f'w-{m}-t{t}-l{LAT_MAX}',
					    *workload_args(m, t, LAT_MAX)))
			rows.append(run_row(f'd-{m}-t{t}-l{LAT_MAX}',
					    *workload_args(m, t, LAT_MAX,
							   pages=PAGES_REF)))
	for m in MODE_ORDER:
		if m == 'sync':
			continue
		rows.append(run_row(f'tr-{m}-t{HOT_TASKS}-l{HOT_LATENCY}',
				    *workload_args(m, HOT_TASKS, HOT_LATENCY,
						   trace=TRACE_EVENTS)))
	rows += cal_rows()
	rows += null_rows()
	# Longest first, so that two at a time finish together.
	rows.sort(key=lambda r: -est_cost(r.split('\t')[0]))
	return rows


def cal_rows(pages=4):
	# c_unit: cycles per work unit, from two synchronous runs that differ
	# only in work=: everything else in the timed stretch is identical.
	rows = []
	for w in (1000, 9000):
		a, g = workload_args('sync', 1, 1000, pages=pages, work=w)
		rows.append(run_row(f'cal-w{w}', a, g))
	return rows


def null_rows():
	g = '@NULLEXIT@'
	return [run_row('null', '', '', guest=g),
		run_row('null-trace', f'trace={TRACE_EVENTS}', '', guest=g)]


def est_cost(name):
	m = re.match(r'[wdt]r?-(\S+)-t(\d+)-l(\d+)', name)
	if not m:
		return 0
	mode, t, lat = m.group(1), int(m.group(2)), int(m.group(3))
	pages = PAGES_REF if name.startswith('d-') else PAGES
	if mode == 'sync' or MODES[mode][3]:
		return t * pages * (lat + WORK * 19)
	return t * pages * WORK * 19 + pages * lat


# --- parsing a run's logs -----------------------------------------------

WORKLOAD_RE = re.compile(
	r'workload apf=(\w+) tasks=(\d+) pages=(\d+): tsc=(\d+) work=(\d+) '
	r'work_during_fetches=(\d+) parks=(\d+) wakes=(\d+) '
	r'sync_suspected=(\d+)')
NULL_RE = re.compile(r'^BENCH: null (\S+) iters=(\d+) total=(\d+) base=(\d+) '
		     r'per_exit=(\d+)')


def read_text(path):
	try:
		with open(path, 'rb') as f:
			return f.read().decode('latin-1')
	except OSError:
		return ''


class Run:
	"""What one scenario's logs say."""

	def __init__(self, logroot, name):
		self.name = name
		self.dir = os.path.join(logroot, name)
		com1 = read_text(os.path.join(self.dir, 'com1.txt'))
		self.lines = com1.splitlines()
		self.result = read_text(os.path.join(logroot, name + '.result')).strip()
		self.stats = {}
		self.workload = None
		self.skip = None
		self.null = {}
		self.summary = None
		self.fails = []
		for ln in self.lines:
			if ln.startswith('STATS: '):
				for kv in ln[7:].split():
					k, _, v = kv.partition('=')
					try:
						self.stats[k] = int(v)
					except ValueError:
						pass
			elif ln.startswith('SUMMARY:'):
				self.summary = ln
			elif ln.startswith('FAIL:'):
				self.fails.append(ln)
			elif ln.startswith('SKIP: apf every parked task'):
				m = re.search(r'\((.*)\)\s*$', ln)
				self.skip = m.group(1) if m else ln
			m = WORKLOAD_RE.search(ln)
			if m:
				self.workload = dict(zip(
					['apf', 'tasks', 'pages', 'tsc', 'work', 'during',
					 'parks', 'wakes', 'sync_suspected'],
					[m.group(1)] + [int(x) for x in m.groups()[1:]]))
			m = NULL_RE.match(ln)
			if m:
				self.null[m.group(1)] = dict(
					iters=int(m.group(2)), total=int(m.group(3)),
					base=int(m.group(4)), per_exit=int(m.group(5)),
					exact=(int(m.group(3)) - int(m.group(4))) /
					int(m.group(2)))
		self._trace = None

	@property
	def ok(self):
		return self.result.startswith('PASS') and self.stats.get('vmm.panic') == 0

	def trace(self):
		"""The TRACE records: [(tsc, event, a, b)], oldest first."""
		if self._trace is None:
			self._trace = []
			for ln in read_text(os.path.join(self.dir, 'emu.out')).splitlines():
				if not ln.startswith('TRACE: '):
					continue
				p = ln.split()
				if len(p) < 5:
					continue
				try:
					self._trace.append((int(p[1]), p[2], int(p[3]),
							    int(p[4], 16)))
				except ValueError:
					pass
		return self._trace

	def gtrace(self):
		"""Guest per-task events, if the guest printed them:
		`GTRACE: <tsc> <task> run|park|wake|done` (docs/trace.md)."""
		out = []
		for ln in self.lines:
			p = ln.split()
			if len(p) == 4 and p[0] == 'GTRACE:':
				try:
					out.append((int(p[1]), int(p[2]), p[3]))
				except ValueError:
					pass
		return out


def load_runs(logroot):
	runs = {}
	for f in sorted(os.listdir(logroot)):
		if f.endswith('.result'):
			n = f[:-len('.result')]
			runs[n] = Run(logroot, n)
	return runs


# --- the ideal schedule ---------------------------------------------------

def ideal_tsc(tasks, pages, lat, c):
	"""Elapsed cycles of the ideal run: every fault, switch, exit and touch
	costs nothing, each page arrives exactly `lat` cycles after its task
	first touches it, and the CPU is never idle while a task is runnable
	(round robin). A task touches page k (it then waits `lat`), then
	computes `c` cycles, then touches page k+1; all tasks start together.
	Returns the time the last task finishes."""
	now = 0
	left = [pages] * tasks
	arrivals = [(lat, i) for i in range(tasks)]	# (ready time, task)
	heapq.heapify(arrivals)
	runq = []
	done = 0
	while done < tasks:
		while arrivals and arrivals[0][0] <= now:
			runq.append(heapq.heappop(arrivals)[1])
		if not runq:
			now = arrivals[0][0]
			continue
		i = runq.pop(0)
		now += c
		left[i] -= 1
		if left[i]:
			heapq.heappush(arrivals, (now + lat, i))
		else:
			done += 1
	return now


# --- trace analysis -------------------------------------------------------

EXIT_NAMES = {0: 'exception/NMI', 1: 'external interrupt', 7: 'interrupt window',
	      10: 'CPUID', 12: 'HLT', 18: 'VMCALL', 28: 'CR access', 30: 'I/O',
	      31: 'RDMSR', 32: 'WRMSR', 43: 'TPR below threshold',
	      45: 'virtualized EOI', 48: 'EPT violation', 52: 'preemption timer'}
WAKE_ALL = 0xffffffff


class TraceCal:
	"""Turns traced exit spans into untraced cycles. From the null-exit
	guest run with and without trace=: t_ev, the cost of one trace event;
	g, the part of a round trip outside [exit record, entry record]."""

	def __init__(self, null, null_tr):
		self.ok = False
		self.t_ev = self.g = self.r_null = None
		if not (null and null_tr and 'cpuid' in null.null and
			'cpuid' in null_tr.null):
			return
		self.r_null = null.null['cpuid']['exact']
		r_tr = null_tr.null['cpuid']['exact']
		recs = null_tr.trace()
		spans = [y[0] - x[0] for x, y in zip(recs, recs[1:])
			 if x[1] == 'exit' and x[2] == 10 and y[1] == 'entry']
		# Two events per CPUID round trip (exit, entry) when `entry` exists.
		if spans:
			self.t_ev = (r_tr - self.r_null) / 2
			self.g = r_tr - statistics.median(spans)
			self.ok = True
		else:
			self.t_ev = r_tr - self.r_null	# one event (exit) per trip

	def cost(self, h, n_inner, idle=0):
		"""Untraced round-trip cycles of an exit whose exit->entry span
		was h traced cycles with n_inner events between the two."""
		return h + self.g - (n_inner + 2) * self.t_ev - idle


def trace_window(run):
	"""Records of the workload: from the wake-all of its enabling write
	to that plus the guest's measured tsc."""
	recs = run.trace()
	if not recs or not run.workload:
		return []
	starts = [i for i, r in enumerate(recs)
		  if r[1] == 'ready' and r[2] == WAKE_ALL]
	if not starts:
		return []
	t0 = recs[starts[-1]][0]
	t1 = t0 + run.workload['tsc']
	return [r for r in recs[starts[-1]:] if r[0] <= t1]


def classify(reason, inner):
	evs = [r[1] for r in inner]
	if reason == 48:
		if 'not_present' in evs:
			return 'EPT violation -> "not present" #PF'
		if 'sync_hold' in evs:
			return 'EPT violation -> synchronous hold (wait excluded)'
		return 'EPT violation, no slow page (xAPIC EOI / MMIO, trap)'
	if reason == 52:
		if 'fetch_done' in evs:
			return 'timer -> fetch completion(s) + "ready"'
		if 'ready' in evs:
			return 'timer -> queued "ready" (poll)'
		return 'timer, nothing due'
	if reason == 12:
		return 'HLT -> wait for a fetch (wait excluded; completions included)'
	if reason == 32:
		return 'WRMSR ACK (next "ready" follows)' if 'ack' in evs else \
			'WRMSR, not ACK (x2APIC EOI)'
	if reason == 45:
		return 'virtualized EOI exit'
	return EXIT_NAMES.get(reason, f'exit {reason}')


# The exit classes judged against the null exit (substrings of the names).
HOT_PATHS = ('"not present"', 'fetch completion', '(poll)', 'ACK', 'EOI')


def exit_spans(recs):
	"""[(reason, exit record, inner records, entry record or None)]."""
	spans = []
	cur = None
	for r in recs:
		if r[1] == 'exit':
			if cur:
				spans.append((cur[0], cur[1], cur[2], None))
			cur = (r[2], r, [])
		elif r[1] == 'entry':
			if cur:
				spans.append((cur[0], cur[1], cur[2], r))
			cur = None
		elif cur:
			cur[2].append(r)
	return spans


def idle_in(inner):
	"""Cycles of a span spent waiting rather than handling: HLT's
	halt..wake (less the fetch completions done there) and a synchronous
	hold's sync_hold..sync_release."""
	idle = 0
	t = {}
	for r in inner:
		if r[1] in ('halt', 'sync_hold'):
			t['start'] = r[0]
		elif r[1] in ('wake', 'sync_release') and 'start' in t:
			idle += r[0] - t.pop('start')
	return idle


def hot_paths(run, cal):
	"""Per exit class in the workload window: count, untraced cycles per
	round trip (median, mean), and the fetch completion's per-page cost."""
	win = trace_window(run)
	if not win:
		return None
	classes = {}
	per_page = []
	for reason, ex, inner, en in exit_spans(win):
		# each completed page: fetch_done -> the next record of the same
		# exit (page fill, EPT map, protocol bookkeeping)
		seq = inner + ([en] if en else [])
		per_page += [seq[k + 1][0] - r[0] - (cal.t_ev or 0)
			     for k, r in enumerate(seq[:-1]) if r[1] == 'fetch_done']
		if en is None or not cal.ok:
			continue
		name = classify(reason, inner)
		c = cal.cost(en[0] - ex[0], len(inner), idle_in(inner))
		classes.setdefault(name, []).append(c)
	return classes, per_page


def time_split(run, cal, c_unit):
	"""Where the workload's cycles went, from its traced run."""
	win = trace_window(run)
	if not win or not cal.ok:
		return None
	hv = idle = tr = 0
	n = 0
	for reason, ex, inner, en in exit_spans(win):
		if en is None:
			continue
		i = idle_in(inner)
		hv += cal.cost(en[0] - ex[0], len(inner), i)
		idle += i
		tr += (len(inner) + 2) * cal.t_ev
		n += 1
	total = run.workload['tsc']
	useful = run.workload['work'] * c_unit
	return dict(total=total, useful=useful, hv=hv, idle=idle, trace=tr,
		    exits=n, guest_other=total - useful - hv - idle - tr)


def ready_waits(run):
	"""Per token: fetch_done -> "ready" delivered, and not_present ->
	"ready" (what the parked task waited)."""
	win = trace_window(run)
	gfn_of, np_at, done_at = {}, {}, {}
	queue, total = [], []
	for tsc, ev, a, b in win:
		if ev == 'not_present':
			gfn_of[a] = b
			np_at[a] = tsc
		elif ev == 'fetch_done':
			done_at[b] = tsc
		elif ev == 'ready' and a in gfn_of and gfn_of[a] in done_at:
			queue.append(tsc - done_at[gfn_of[a]])
			total.append(tsc - np_at[a])
	return queue, total


# --- the report -----------------------------------------------------------

def fmt(x, nd=0):
	if x is None:
		return 'n/a'
	if isinstance(x, float):
		return f'{x:,.{nd}f}'
	return f'{x:,}'


def pct(x):
	return 'n/a' if x is None else f'{100 * x:.1f}%'


def ratio(x):
	return 'n/a' if x is None else f'{x:.2f}x'


def parse_name(n):
	m = re.match(r'([wdt]r?)-(\S+)-t(\d+)-l(\d+)$', n)
	return (m.group(1), m.group(2), int(m.group(3)), int(m.group(4))) if m else None


STAT_EXITS = [('exit.ept_violation', 'EPT viol.'), ('exit.preemption_timer', 'timer'),
	      ('exit.hlt', 'HLT'), ('exit.msr_write', 'WRMSR'),
	      ('exit.msr_read', 'RDMSR'), ('exit.interrupt_window', 'int. window'),
	      ('exit.other', 'other (EOI…)'), ('exit.io', 'I/O*'),
	      ('exit.cpuid', 'CPUID'), ('exit.vmcall', 'VMCALL')]


def exits_per_rt(w, d):
	"""STATS deltas between a run and its reference (same everything, half
	the pages) per round trip: the reference's identical prefix (boot,
	the guest's other tests) cancels, and what is left is the extra pages'
	steady state. Console I/O differs by a few bytes (numbers of other
	lengths): 2 exits a byte (THR write, LSR poll) are taken out of I/O."""
	if not (w and d and w.ok and d.ok and w.workload and d.workload):
		return None
	ds = {k: w.stats.get(k, 0) - d.stats.get(k, 0) for k in w.stats}
	rt = ds.get('apf.not_present', 0)
	unit = rt if rt > 0 else ds.get('pager.fetches', 0)
	if unit <= 0:
		return None
	ds['exit.io'] = ds.get('exit.io', 0) - 2 * ds.get('guest.console_bytes', 0)
	per = {k: ds.get(k, 0) / unit for k, _ in STAT_EXITS}
	# exit.other holds EOI-induced exits (reason 45 has no key of its own)
	per['total'] = (ds.get('exits', 0) - 2 * ds.get('guest.console_bytes', 0)) / unit
	per['unit'] = unit
	per['rt'] = rt
	per['ready'] = (ds.get('apf.ready_pf', 0) + ds.get('apf.ready_int', 0))
	per['sync'] = ds.get('apf.sync', 0) + ds.get('apf.inflight_hold', 0)
	per['eoi'] = ds.get('lapic.eoi_exits', 0) / unit
	per['ack'] = ds.get('apf.ack', 0) / unit
	return per


def elf_sizes(path):
	"""text (code and read-only data), data, bss: `size` (Berkeley)."""
	try:
		out = subprocess.run(['size', path], capture_output=True,
				     text=True, check=True).stdout
		text, data, bss = (int(x) for x in out.splitlines()[1].split()[:3])
	except (OSError, subprocess.CalledProcessError, IndexError, ValueError):
		return None
	return dict(text=text, data=data, bss=bss, file=os.path.getsize(path))


class Report:
	def __init__(self, logroot, build='build'):
		self.runs = load_runs(logroot)
		self.build = build
		r = self.runs
		self.cal = TraceCal(r.get('null'), r.get('null-trace'))
		a, b = r.get('cal-w1000'), r.get('cal-w9000')
		self.c_unit = None
		self.cal_warning = None
		# Exits other than the console's (2 a byte; the runs print numbers
		# of different lengths) must be the same in both.
		quiet = lambda r: r.stats.get('exits', 0) - \
			2 * r.stats.get('guest.console_bytes', 0)
		if a and b and a.ok and b.ok and quiet(a) != quiet(b):
			self.cal_warning = (
				f'the calibration runs differ in more than work= (exits '
				f'besides the console {quiet(a)} vs {quiet(b)}, '
				f'lapic.timer_fires {a.stats.get("lapic.timer_fires")} vs '
				f'{b.stats.get("lapic.timer_fires")}): c_unit is off')
		if a and b and a.workload and b.workload:
			self.c_unit = ((b.workload['tsc'] - a.workload['tsc']) /
				       (b.workload['work'] - a.workload['work']))
		self.rows = []
		for n, run in sorted(r.items()):
			p = parse_name(n)
			if not p or p[0] != 'w':
				continue
			self.rows.append(self.row(run, *p[1:]))

	def get(self, kind, mode, tasks, lat):
		return self.runs.get(f'{kind}-{mode}-t{tasks}-l{lat}')

	def row(self, run, mode, tasks, lat):
		w = run.workload
		row = dict(name=run.name, mode=mode, model=MODEL,
			   apic=('soft' if mode == 'int-soft' else 'auto'),
			   latency=lat, tasks=tasks, status='ok')
		if not run.ok:
			row['status'] = 'failed: ' + (run.result or 'no result')
			return row
		if not w:
			row['status'] = 'n/a: ' + (run.skip or 'no workload line')
			return row
		cu = self.c_unit
		row.update(pages=w['pages'], work=WORK, tsc=w['tsc'],
			   work_units=w['work'], parks=w['parks'],
			   sync_suspected=w['sync_suspected'])
		if cu:
			useful = w['work'] * cu
			ideal = ideal_tsc(tasks, w['pages'], lat, WORK * cu)
			row.update(c_unit=round(cu, 3), useful_cycles=round(useful),
				   util=useful / w['tsc'], ideal_tsc=ideal,
				   ideal_util=useful / ideal, of_ideal=ideal / w['tsc'])
		s = self.get('w', 'sync', tasks, lat)
		if s and s.workload and s.workload['work'] == w['work']:
			row['speedup'] = s.workload['tsc'] / w['tsc']
		per = exits_per_rt(run, self.get('d', mode, tasks, lat))
		if per:
			row['rt_measured'] = per['unit']
			row['exits_per_rt'] = per['total']
			for k, _ in STAT_EXITS:
				row['rt_' + k] = per[k]
		st = run.stats
		for k in ('exits', 'apf.not_present', 'apf.ready_pf', 'apf.ready_int',
			  'apf.sync', 'apf.inflight_hold', 'apf.ack', 'lapic.eoi_exits',
			  'pager.fetches', 'boot.cycles'):
			row[k] = st.get(k)
		return row

	# -- CSV ----------------------------------------------------------
	CSV_COLS = ['name', 'mode', 'model', 'apic', 'latency', 'tasks', 'pages',
		    'work', 'status', 'tsc', 'work_units', 'c_unit', 'useful_cycles',
		    'util', 'ideal_tsc', 'ideal_util', 'of_ideal', 'speedup',
		    'parks', 'sync_suspected', 'rt_measured', 'exits_per_rt'] + \
		['rt_' + k for k, _ in STAT_EXITS] + \
		['exits', 'apf.not_present', 'apf.ready_pf', 'apf.ready_int',
		 'apf.sync', 'apf.inflight_hold', 'apf.ack', 'lapic.eoi_exits',
		 'pager.fetches', 'boot.cycles']

	def write_csv(self, path):
		os.makedirs(os.path.dirname(path), exist_ok=True)
		with open(path, 'w', newline='') as f:
			wr = csv.DictWriter(f, self.CSV_COLS, extrasaction='ignore')
			wr.writeheader()
			for r in sorted(self.rows, key=lambda r: (
					MODE_ORDER.index(r['mode']), r['tasks'], r['latency'])):
				out = {}
				for k in self.CSV_COLS:
					v = r.get(k)
					out[k] = f'{v:.4f}' if isinstance(v, float) else \
						('' if v is None else v)
				wr.writerow(out)

	# -- helpers for the text -------------------------------------------
	def cell(self, mode, tasks, lat):
		for r in self.rows:
			if (r['mode'], r['tasks'], r['latency']) == (mode, tasks, lat):
				return r
		return None

	def mode_rows(self, fn, title_col, keys):
		"""A table: one row per key, one column per mode, fn(row) text."""
		out = ['| ' + title_col + ' | ' +
		       ' | '.join(MODES[m][0] for m in MODE_ORDER) + ' |',
		       '|---|' + '---|' * len(MODE_ORDER)]
		for label, (t, l) in keys:
			cells = []
			for m in MODE_ORDER:
				r = self.cell(m, t, l)
				if r is None:
					cells.append('–')
				elif r['status'] != 'ok':
					cells.append('n/a')
				else:
					cells.append(fn(r))
			out.append(f'| {label} | ' + ' | '.join(cells) + ' |')
		return out


def na_reason(rep):
	for r in rep.rows:
		if r['status'].startswith('n/a'):
			return r['status'][5:]
	return None


def write_markdown(rep, path):
	R = rep.runs
	cal = rep.cal
	cu = rep.c_unit
	L = []
	w = L.append
	big = rep.cell('pf', 8, LAT_MAX)
	intna = [m for m in MODE_ORDER if MODES[m][3] and
		 all(r['status'] != 'ok' for r in rep.rows if r['mode'] == m)]

	w('# apfvisor benchmarks')
	w('')
	w('<!-- Generated by `make bench` (tests/bench/bench.py): edit the '
	  'generator, not this file. -->')
	w('')
	w('Every figure below comes from deterministic Bochs runs with one CPU, '
	  'where the TSC advances exactly one tick per instruction: a *cycle* '
	  'here is an emulated instruction, and every number is exact and '
	  'repeatable (rerun `make bench` and it comes out identical for the '
	  'same code). The absolute numbers are instruction counts, not '
	  'nanoseconds on hardware; ratios and exit counts carry over, '
	  'absolute costs do not (a real VM exit costs ~1000 cycles of '
	  'hardware transition that Bochs counts as one instruction).')
	w('')
	w(f'Raw data: `build/bench/results.csv` (one row per run). Method and '
	  f'definitions: [How to read](#how-to-read). The picture of one run '
	  f'is in [docs/trace.md](docs/trace.md).')
	w('')
	if intna:
		w(f'**Interrupt mode rows are n/a**: the guest (guest-stub) '
		  f'answered `{na_reason(rep)}`. The runs are in the matrix and '
		  f'fill in by themselves once guest-stub implements `apf=int`.')
		w('')

	# --- headline ------------------------------------------------------
	w('## Headline')
	w('')
	w(f'{TASKS[-1]} guest tasks, fetch latency {LAT_MAX:,} cycles, '
	  f'{PAGES} slow pages per task, {WORK:,} work units '
	  f'({fmt(WORK * cu if cu else None)} cycles) between touches, '
	  f'`send_always=on`:')
	w('')
	hd = rep.mode_rows
	keys = [(f'{TASKS[-1]} tasks', (TASKS[-1], LAT_MAX))]
	w('| figure | ' + ' | '.join(MODES[m][0] for m in MODE_ORDER) + ' |')
	w('|---|' + '---|' * len(MODE_ORDER))

	def line(label, fn, t=TASKS[-1], lat=LAT_MAX):
		cells = []
		for m in MODE_ORDER:
			r = rep.cell(m, t, lat)
			cells.append('n/a' if not r or r['status'] != 'ok' else fn(r))
		w(f'| {label} | ' + ' | '.join(cells) + ' |')
	line('guest utilization (useful work / elapsed)', lambda r: pct(r.get('util')))
	line('… of the ideal utilization', lambda r: pct(r.get('of_ideal')))
	line('work vs synchronous (speedup)', lambda r: ratio(r.get('speedup')))
	line('VM exits per round trip', lambda r: fmt(r.get('exits_per_rt'), 2))
	line('elapsed cycles', lambda r: fmt(r.get('tsc')))
	w('')
	nullc = cal.r_null
	hp = None
	trpf = R.get(f'tr-pf-t{HOT_TASKS}-l{HOT_LATENCY}')
	if trpf:
		hp = hot_paths(trpf, cal)
	np_cost = None
	if hp and hp[0].get('EPT violation -> "not present" #PF'):
		np_cost = statistics.median(hp[0]['EPT violation -> "not present" #PF'])
	w(f'- Null exit (CPUID round trip, measured in the guest): '
	  f'**{fmt(nullc, 0)} cycles**; EPT violation → "not present" #PF: ' +
	  (f'**{fmt(np_cost, 0)} cycles** ({ratio(np_cost / nullc)} the null '
	   f'exit).' if np_cost and nullc else
	   'n/a (needs the `entry` trace event, docs/trace.md).'))
	bc = None
	for n in ('null', 'w-sync-t1-l2000000'):
		if R.get(n) and R[n].stats.get('boot.cycles'):
			bc = R[n].stats['boot.cycles']
			break
	sz = elf_sizes(os.path.join(rep.build, 'apfvisor.elf'))
	w(f'- Boot (loader handover to first VM entry, `boot.cycles`): '
	  f'**{fmt(bc)} cycles**; apfvisor.elf '
	  f'{fmt(sz["text"]) if sz else "n/a"} bytes text+rodata, '
	  f'{fmt(sz["data"]) if sz else "n/a"} data, '
	  f'{fmt(sz["bss"]) if sz else "n/a"} bss.')
	w('')

	# --- targets -------------------------------------------------------
	w('## Targets')
	w('')
	w('| target | figure | met? |')
	w('|---|---|---|')
	best_of = None
	for m in MODE_ORDER[1:]:
		r = rep.cell(m, TASKS[-1], LAT_MAX)
		if r and r['status'] == 'ok':
			v = r.get('of_ideal')
			mark = 'yes' if v is not None and v >= 0.95 else 'no'
			w(f'| ≥ 95% of ideal utilization, {MODES[m][0]}, '
			  f'{TASKS[-1]} tasks, latency {LAT_MAX:,} | {pct(v)} | {mark} |')
			sp = r.get('speedup')
			w(f'| ≥ 2x the work of synchronous, {MODES[m][0]} | '
			  f'{ratio(sp)} | {"yes" if sp and sp >= 2 else "no"} |')
		else:
			w(f'| ≥ 95% of ideal and ≥ 2x synchronous, {MODES[m][0]} '
			  f'| n/a | not measured (guest lacks the mode) |')
	for m, minimum in (('sync', 1), ('pf', 2), ('int-soft', 4), ('int-vid', 3)):
		r = rep.cell(m, TASKS[-1], LAT_MAX)
		v = r.get('exits_per_rt') if r and r['status'] == 'ok' else None
		w(f'| exits per round trip at the structural minimum, '
		  f'{MODES[m][0]} (minimum {minimum}) | '
		  f'{fmt(v, 2)} | '
		  f'{"n/a" if v is None else ("yes" if v <= minimum + 0.05 else "no")} |')
	if not cal.ok:
		w('| hot paths within 3x of the null exit | n/a: the trace has no '
		  '`entry` event (docs/trace.md) | n/a |')
	for m in MODE_ORDER[1:]:
		run = R.get(f'tr-{m}-t{HOT_TASKS}-l{HOT_LATENCY}')
		h = hot_paths(run, cal) if run else None
		if not h or not nullc:
			continue
		for name, cs in sorted(h[0].items()):
			if not any(k in name for k in HOT_PATHS):
				continue
			med = statistics.median(cs)
			w(f'| hot path within 3x of the null exit, {m}: {name} | '
			  f'{fmt(med, 0)} cycles = {ratio(med / nullc)} | '
			  f'{"yes" if med <= 3 * nullc else "no"} |')
	w('')

	# --- what limits it ---------------------------------------------
	w('### What limits the figures')
	w('')
	hb = rep.cell('pf', HOT_TASKS, HOT_LATENCY)
	ts = time_split(trpf, cal, cu) if trpf and cu else None
	if hb and hb['status'] == 'ok' and not ts and hp and hp[1]:
		T = trpf.workload['tsc']
		w(f'- **Against the ideal** (#PF mode, {HOT_TASKS} tasks, latency '
		  f'{HOT_LATENCY:,}): the run takes {pct(1 / hb["of_ideal"] - 1)} '
		  f'longer than the ideal schedule; the fetch completions\' per-page '
		  f'work alone (the page filled with its backing-store word by one REP STOSQ of 512 stores, '
		  f'EPT map) costs {fmt(statistics.median(hp[1]), 0)} cycles a page, '
		  f'{pct(sum(hp[1]) / T)} of the elapsed time. (The full split needs '
		  f'the `entry` trace event.)')
	if hb and hb['status'] == 'ok' and ts and hp:
		T = trpf.workload['tsc']
		pp = hp[1]
		fill = sum(pp)
		comp = hp[0].get('timer -> fetch completion(s) + "ready"')
		bare = statistics.median(comp) - statistics.median(pp) if comp else None
		w(f'- **Against the ideal** (#PF mode, {HOT_TASKS} tasks, latency '
		  f'{HOT_LATENCY:,}): the run takes {pct(1 / hb["of_ideal"] - 1)} '
		  f'longer than the ideal schedule. The hypervisor accounts for '
		  f'{pct(ts["hv"] / T)} of the elapsed time, and most of that is the '
		  f'fetch completion\'s per-page work: {fmt(statistics.median(pp), 0)} '
		  f'cycles a page (the page is filled with its backing-store word by '
		  f'one REP STOSQ - 512 stores, each an instruction on Bochs - then '
		  f'EPT-mapped and INVEPT), {pct(fill / T)} of the elapsed time in '
		  f'all. That fill stands for the copy a real hypervisor makes when '
		  f'a page comes in from its backing store. Without its per-page '
		  f'work a completion exit would cost '
		  f'about {fmt(bare, 0)} cycles. '
		  f'The guest\'s own overhead (touches, #PF handler, '
		  f'scheduler) is {pct(max(ts["guest_other"], 0) / T)}.')
	if hp:
		np_ = hp[0].get('EPT violation -> "not present" #PF')
		if np_:
			w(f'- **"Not present" path**: {fmt(statistics.median(np_), 0)} '
			  f'cycles, {ratio(statistics.median(np_) / nullc)} the null exit: '
			  f'the fault is dispatched, a fetch started, the guest\'s '
			  f'interrupt state read, a token allocated and the shared area '
			  f'written, then the #PF injected.')
	q, _ = ready_waits(trpf) if trpf else ([], [])
	if q:
		w(f'- **Queued "ready" events (#PF mode)** wait for the next exit '
		  f'after the guest clears `flags`: the poll (`APF_POLL_CYCLES`). '
		  f'When several fetches complete together (the first wave, all '
		  f'tasks having faulted at once) the last "ready" arrived '
		  f'{fmt(max(q))} cycles after its page; in steady state a "ready" '
		  f'follows its completion within the same exit (median '
		  f'{fmt(statistics.median(q), 0)}, which is the page fill). '
		  f'Interrupt mode has no poll: the ACK exit delivers the next one.')
	w(f'- **Few tasks**: below {TASKS[-1]} tasks the ideal itself is low (see '
	  f'the task sweep): one task\'s chain of fetches cannot overlap '
	  f'with anything, and APF stays within a few percent of what is '
	  f'possible.')
	w('')

	# --- latency sweep -------------------------------------------------
	w(f'## Latency sweep ({LAT_TASKS} tasks)')
	w('')
	w('Guest utilization (of ideal), and work relative to synchronous:')
	w('')
	keys = [(f'{l:,}', (LAT_TASKS, l)) for l in LATENCIES]
	L.extend(rep.mode_rows(lambda r: f'{pct(r.get("util"))} ({pct(r.get("of_ideal"))}) '
			       f'{ratio(r.get("speedup"))}', 'latency (cycles)', keys))
	w('')
	w('Ideal utilization at these points (the ideal schedule\'s useful/elapsed): ' +
	  ', '.join(f'{l:,}: {pct(rep.cell("pf", LAT_TASKS, l).get("ideal_util")) if rep.cell("pf", LAT_TASKS, l) else "n/a"}'
		    for l in LATENCIES) + '.')
	w('')
	w(f'## Task sweep (latency {LAT_MAX:,})')
	w('')
	keys = [(f'{t}', (t, LAT_MAX)) for t in TASKS]
	L.extend(rep.mode_rows(lambda r: f'{pct(r.get("util"))} ({pct(r.get("of_ideal"))}) '
			       f'{ratio(r.get("speedup"))}', 'tasks', keys))
	w('')
	w('Ideal utilization: ' + ', '.join(
		f'{t} tasks {pct(rep.cell("pf", t, LAT_MAX).get("ideal_util")) if rep.cell("pf", t, LAT_MAX) else "n/a"}'
		for t in TASKS) + '.')
	w('')

	# --- exits per round trip -----------------------------------------
	w('## VM exits per APF round trip')
	w('')
	w('STATS deltas between each run and its reference (same run, '
	  f'{PAGES_REF} instead of {PAGES} pages per task) divided by the extra '
	  '"not present" events (synchronous mode: by the extra fetches). '
	  'A round trip is one completed "not present" + "ready" pair. '
	  'I/O* excludes the console (2 exits per byte).')
	w('')
	cols = [k for k, _ in STAT_EXITS]
	w('| mode | tasks | latency | ' + ' | '.join(lbl for _, lbl in STAT_EXITS) +
	  ' | total |')
	w('|---|---|---|' + '---|' * (len(cols) + 1))
	points = [(LAT_TASKS, l) for l in LATENCIES] + \
		[(t, LAT_MAX) for t in TASKS if t != LAT_TASKS]
	for m in MODE_ORDER:
		for t, l in points:
			r = rep.cell(m, t, l)
			if not r or r['status'] != 'ok' or r.get('exits_per_rt') is None:
				w(f'| {m} | {t} | {l:,} | ' + ' | '.join('n/a' for _ in cols) + ' | n/a |')
				continue
			w(f'| {m} | {t} | {l:,} | ' + ' | '.join(
				fmt(r['rt_' + k], 2) for k in cols) +
			  f' | **{fmt(r["exits_per_rt"], 2)}** |')
	w('')
	w('The structural minimum of each mode, from the code:')
	w('')
	w('- **synchronous**: 1 EPT violation per fault; the vCPU is held inside '
	  'that exit until the page is in (`wait_for_page()`), so the fetch '
	  'completion needs no exit of its own. Minimum **1**.')
	w('- **#PF mode**: "not present" = the EPT violation (the #PF is '
	  'injected on the entry that ends it: 0 extra). "Ready" must be '
	  'injected at a VM entry after the fetch completes: the guest is '
	  'computing and does not exit by itself, so the preemption timer — '
	  'the pager\'s clock — forces one exit per completion (unless some '
	  'other exit happens to come first, or the vCPU is halted and the HLT '
	  'exit is still open). The guest clears `flags` with a plain store, '
	  'which apfvisor cannot see: a second "ready" queued behind the first '
	  'waits for the next exit, the `APF_POLL_CYCLES` (20,000) poll. Minimum '
	  '**2** (EPT violation + timer), plus 1 poll exit per "ready" that '
	  'queued behind another, plus HLT exits when every task is parked '
	  '(idle, not APF cost).')
	w('- **interrupt mode, software LAPIC**: EPT violation + timer exit for '
	  'the completion (the vector is injected on its entry) + the guest\'s '
	  'ACK `WRMSR` + its EOI (a trapped x2APIC `WRMSR` or xAPIC MMIO write). '
	  'The ACK exit delivers the next queued "ready" on its own entry, so '
	  'no poll exits. Minimum **4**.')
	w('- **interrupt mode, virtual-interrupt delivery**: as above, but the '
	  'EOI is virtualized (no exit; EOI-exit bitmap clear). Minimum **3**.')
	w('')

	# --- hot paths ----------------------------------------------------
	w('## Hypervisor cost per exit (hot paths)')
	w('')
	if not cal.ok:
		w('n/a: the trace has no `entry` event (the point just before VM '
		  'entry that closes each exit span); see docs/trace.md.')
		w('')
	for m in MODE_ORDER[1:]:
		run = R.get(f'tr-{m}-t{HOT_TASKS}-l{HOT_LATENCY}')
		h = hot_paths(run, cal) if run else None
		w(f'### {MODES[m][0]} ({HOT_TASKS} tasks, latency {HOT_LATENCY:,}, '
		  f'trace={TRACE_EVENTS})')
		w('')
		if not h or not (h[0] or h[1]):
			why = (run.skip if run and run.skip else
			       'no traced workload window') if run else 'not run'
			w(f'n/a ({why}).')
			w('')
			continue
		classes, per_page = h
		if not classes:
			w('Cycles per exit: n/a (needs the `entry` trace event); the '
			  'per-page figure below is exact without it.')
			w('')
		w('| exit path | count | cycles, median | mean | vs null exit |')
		w('|---|---|---|---|---|')
		for name, cs in sorted(classes.items(), key=lambda kv: -len(kv[1])):
			med = statistics.median(cs)
			w(f'| {name} | {len(cs)} | {fmt(med, 0)} | '
			  f'{fmt(statistics.mean(cs), 0)} | {ratio(med / nullc)} |')
		if per_page:
			w(f'| … of which, per completed page: `fetch_done` → next '
			  f'event (page fill, EPT map, bookkeeping) | {len(per_page)} | '
			  f'{fmt(statistics.median(per_page), 0)} | '
			  f'{fmt(statistics.mean(per_page), 0)} | '
			  f'{ratio(statistics.median(per_page) / nullc) if nullc else "n/a"} |')
		w('')
		q, tot = ready_waits(run)
		if q:
			w(f'"Ready" waited after its fetch completed: median '
			  f'{fmt(statistics.median(q), 0)}, max {fmt(max(q))} cycles; '
			  f'a parked task waited ("not present" → "ready") median '
			  f'{fmt(statistics.median(tot), 0)} cycles for a latency of '
			  f'{HOT_LATENCY:,}.')
			w('')
	w('### Null exits (tests/bench/guests/nullexit.S)')
	w('')
	nr, nt = R.get('null'), R.get('null-trace')
	if nr and nr.null:
		w(f'Cycles a guest instruction costs beyond a NOP when it exits '
		  f'(1000 iterations; without / with trace={TRACE_EVENTS}):')
		w('')
		w('| instruction | cycles | traced |')
		w('|---|---|---|')
		for k, v in nr.null.items():
			tv = nt.null.get(k) if nt else None
			w(f'| {k} | {fmt(v["exact"], 0)} | '
			  f'{fmt(tv["exact"], 0) if tv else "n/a"} |')
		w('')
	else:
		w('n/a (the null-exit run failed).')
		w('')

	# --- where time goes -----------------------------------------------
	w(f'## Where the time goes (#PF mode, {HOT_TASKS} tasks, latency '
	  f'{HOT_LATENCY:,})')
	w('')
	ts = time_split(trpf, cal, cu) if trpf and cu else None
	if ts:
		T = ts['total']
		w('| share | cycles | % |')
		w('|---|---|---|')
		for k, lbl in (('useful', 'guest useful work (work units × c_unit)'),
			       ('guest_other', 'guest overhead (touches, #PF handler, '
				'scheduler, switches)'),
			       ('hv', f'hypervisor, {ts["exits"]} exits (untraced cost)'),
			       ('idle', 'vCPU idle: halted, or held for a page'),
			       ('trace', 'the trace itself')):
			w(f'| {lbl} | {fmt(round(ts[k]))} | {pct(ts[k] / T)} |')
		w(f'| total (guest TSC, traced run) | {fmt(T)} | 100% |')
		w('')
	else:
		w('n/a (needs the traced run with `entry` events).')
		w('')

	# --- trace cost ------------------------------------------------------
	w('## The trace\'s own cost')
	w('')
	if cal.t_ev is not None:
		w(f'- Per event: **{fmt(cal.t_ev, 1)} cycles** (null-exit guest, '
		  f'trace={TRACE_EVENTS} against off: CPUID round trip '
		  f'{fmt(cal.r_null, 0)} → '
		  f'{fmt(R["null-trace"].null["cpuid"]["exact"], 0)} with '
		  f'{"2 events (exit, entry)" if cal.ok else "1 event (exit)"} each).')
	wt = R.get(f'w-pf-t{HOT_TASKS}-l{HOT_LATENCY}')
	if trpf and wt and trpf.workload and wt.workload:
		ev = len(trace_window(trpf))
		d = trpf.workload['tsc'] - wt.workload['tsc']
		w(f'- On the workload (#PF mode, {HOT_TASKS} tasks, latency '
		  f'{HOT_LATENCY:,}): {fmt(wt.workload["tsc"])} → '
		  f'{fmt(trpf.workload["tsc"])} cycles (+{pct(d / wt.workload["tsc"])}) '
		  f'for {fmt(ev)} events: {fmt(d / ev if ev else None, 1)} cycles per '
		  f'event (includes knock-on timing changes).')
	w('- Off (trace=0) it is one load and a not-taken branch per event '
	  'point; the ring is dumped after the run, on port 0xE9, costing the '
	  'guest nothing.')
	w('')

	# --- boot and sizes ----------------------------------------------------
	w('## Boot cost and image sizes')
	w('')
	w(f'- `boot.cycles` (loader handover → first VM entry, 256 MiB Bochs '
	  f'machine, 64 MiB guest): **{fmt(bc)}**.')
	w('')
	w('| image | text+rodata | data | bss | file |')
	w('|---|---|---|---|---|')
	for img in ('apfvisor.elf', 'guest-stub.elf', 'bench/nullexit.elf'):
		s = elf_sizes(os.path.join(rep.build, img))
		if s:
			w(f'| {img} | {fmt(s["text"])} | {fmt(s["data"])} | '
			  f'{fmt(s["bss"])} | {fmt(s["file"])} |')
	w('')
	w('(From `size`: text includes read-only data; "file" is the ELF '
	  'with its debug information.)')
	w('')

	# --- how to read -------------------------------------------------------
	w('## How to read')
	w('')
	w('- **Workload** (guest-stub, `guest-stub/work.c`): *N* tasks, half in '
	  'ring 0 and half in ring 3, each touching its own *pages* fresh slow '
	  'pages; after each touch a task yields, then computes `work` units. '
	  f'Here pages={PAGES}, work={WORK:,}. APF modes enable APF with '
	  '`send_always=on` (SEND_ALWAYS), so the ring-0 tasks can go '
	  'asynchronous too; synchronous mode is `apf=off` (the vCPU waits in '
	  'the hypervisor for every fetch). Hypervisor: '
	  f'`latency=L` (fixed), Bochs `{MODEL}`, defaults otherwise; '
	  '`apic=soft` forces the software LAPIC path, `apic=auto` uses APIC '
	  'virtualization with virtual-interrupt delivery on this model.')
	w(f'- **c_unit** = cycles per work unit = {fmt(cu, 3)}: the difference '
	  'of two synchronous runs that differ only in `work=` '
	  '(tsc difference / work-unit difference).')
	if rep.cal_warning:
		w(f'  **Warning:** {rep.cal_warning}.')
	w('- **Elapsed** = the guest\'s TSC across its scheduler run (the '
	  '`tsc=` of the workload line): from the first task starting to the '
	  'last one ending. The guest\'s TSC includes the time spent in the '
	  'hypervisor (no TSC offsetting or scaling).')
	w('- **Utilization** = useful / elapsed, with useful = work units × '
	  'c_unit: the share of time the CPU spent on the tasks\' computation.')
	w('- **Ideal** = the elapsed time of a perfect run of the same tasks: '
	  'every fault, exit, switch and touch free; each page arriving exactly '
	  'L cycles after its task touched it; the CPU never idle while a task '
	  'is runnable (round robin). Simulated in `ideal_tsc()`. *% of ideal* '
	  '= ideal elapsed / measured elapsed = utilization / ideal '
	  'utilization. With few tasks the ideal itself is low: one task\'s '
	  'chain of fetches cannot be overlapped with anything.')
	w('- **Speedup** = synchronous elapsed / this elapsed (same work).')
	w('- **Exits per round trip**: see that section. **Cycles per exit**: '
	  'the full round trip from the guest\'s exiting instruction to its '
	  'next instruction, without trace overhead: for each exit in the '
	  'traced run, (entry − exit records) + g − (events + 2) × t_ev − idle, '
	  'where t_ev (one trace event) and g (the part of a round trip outside '
	  'the two records: the VM-exit landing, `record_exit()`, VM entry) '
	  'come from the null-exit guest with and without trace (they make '
	  'the CPUID row equal the guest\'s own measurement). Idle time (HLT '
	  'waits, synchronous holds) is left out.')
	w('')
	bad = [n for n, r in sorted(R.items()) if not r.ok]
	noisy = [n for n, r in sorted(R.items()) if r.ok and r.fails]
	w(f'Runs: {len(R)}; failed: {", ".join(bad) if bad else "none"}; with '
	  f'a guest `FAIL:` line (a guest test, not the workload): '
	  f'{", ".join(noisy) if noisy else "none"}.')
	w('')
	w('Reproduce: `make bench` (about 4 minutes on 2 cores; '
	  '`BENCH_JOBS=N`); `make bench-smoke`; `make trace`.')
	w('')
	with open(path, 'w') as f:
		f.write('\n'.join(L))


# --- the timeline -------------------------------------------------------

def timeline(run_dir, out_base, work_dir):
	"""Render the traced workload of run_dir as out_base.svg/.png; the
	gnuplot script and data files go to work_dir."""
	logroot, name = os.path.split(run_dir.rstrip('/'))
	run = Run(logroot, name)
	win = trace_window(run)
	if not win:
		sys.exit(f'timeline: no traced workload window in {run_dir}')
	t0 = win[0][0]
	T = run.workload['tsc']
	X = lambda t: (t - t0) * 1e-6
	tasks, pages = run.workload['tasks'], run.workload['pages']
	lat = None
	for ln in run.lines:
		m = re.search(r'latency (\d+)-(\d+) cycles', ln)
		if m:
			lat = int(m.group(1)) if m.group(1) == m.group(2) else \
				f'{m.group(1)}-{m.group(2)}'
	data = {k: [] for k in ('run', 'hv', 'idle', 'hold', 'fetch', 'task',
				'taskrun', 'np', 'ready', 'ack', 'mce')}
	# pager lane: one bar per fetch, on the lowest row free at its start
	rows_end, start, fetches = [], {}, []
	for tsc, ev, a, b in win:
		if ev == 'fetch_start':
			start[b] = tsc
		elif ev in ('fetch_done', 'fetch_fail') and b in start:
			s = start.pop(b)
			row = next((i for i, e in enumerate(rows_end) if e <= s), None)
			if row is None:
				rows_end.append(0)
				row = len(rows_end) - 1
			rows_end[row] = tsc
			fetches.append((s, tsc, row))
	nrows = max(1, len(rows_end))
	# lanes, bottom to top: pager rows, vCPU, tasks (task 0 on top)
	y_fetch = lambda r: 0.5 + 0.3 * r
	y_vcpu = y_fetch(nrows - 1) + 1.0
	y_task = lambda i: y_vcpu + 1.0 + 0.8 * (tasks - 1 - i)
	for s, e, r in fetches:
		data['fetch'].append((X(s), X(e), y_fetch(r)))
	data['run'].append((0, X(t0 + T), y_vcpu))
	for reason, ex, inner, en in exit_spans(win):
		if en:	# exit spans need the `entry` event
			data['hv'].append((X(ex[0]), X(en[0]), y_vcpu))
		st = None
		for r in inner:
			if r[1] in ('halt', 'sync_hold'):
				st = r
			elif r[1] in ('wake', 'sync_release') and st:
				data['idle' if st[1] == 'halt' else 'hold'].append(
					(X(st[0]), X(r[0]), y_vcpu))
				st = None
	# tasks: parked spans from "not present" to "ready", the task found
	# from the page (task i walks the i-th block of `pages` slow pages)
	gfns = sorted({b for _, ev, _, b in win if ev == 'not_present'})
	task_of = {g: min(i // pages, tasks - 1) for i, g in enumerate(gfns)}
	tok = {}
	for tsc, ev, a, b in win:
		if ev == 'not_present':
			tok[a] = (tsc, task_of.get(b, 0))
			data['np'].append((X(tsc), y_task(task_of.get(b, 0))))
		elif ev == 'ready' and a in tok:
			s, i = tok.pop(a)
			data['task'].append((X(s), X(tsc), y_task(i)))
			data['ready'].append((X(tsc), y_task(i)))
		elif ev == 'ack':
			data['ack'].append((X(tsc), y_vcpu + 0.3))
		elif ev == 'mce':
			data['mce'].append((X(tsc), y_vcpu + 0.3))
	# guest per-task events, when the guest prints them (docs/trace.md)
	gt = run.gtrace()
	cur = {}
	for tsc, i, ev in gt:
		if ev == 'run':
			for j, s in cur.items():
				data['taskrun'].append((X(s), X(tsc), y_task(j)))
			cur = {i: tsc}
		elif ev in ('park', 'done', 'yield') and i in cur:
			data['taskrun'].append((X(cur.pop(i)), X(tsc), y_task(i)))
	os.makedirs(work_dir, exist_ok=True)
	for k, v in data.items():
		with open(os.path.join(work_dir, k + '.dat'), 'w') as f:
			for t in v:
				f.write(' '.join(f'{x:.6f}' if isinstance(x, float) else str(x)
						 for x in t) + '\n')
			if not v:
				f.write('-1 -1 -10\n')	# gnuplot refuses empty files
	ylabels = ', '.join([f'"task {i}" {y_task(i):.2f}' for i in range(tasks)] +
			    [f'"vCPU" {y_vcpu:.2f}', f'"pager" {y_fetch(0):.2f}'])
	top = y_task(0) + 0.7
	title = (f'apfvisor: {tasks} guest tasks, APF {run.workload["apf"]} mode, '
		 f'fetch latency {lat if lat else "?"} cycles')
	note = ("task lanes: parked from 'not present' to 'ready' (from the "
		"hypervisor trace; the task is known by its pages)" if not gt else
		'task lanes: guest GTRACE events')
	d = work_dir
	box = lambda f, h, color, label: (
		f' "{d}/{f}.dat" using (($1+$2)/2):3:(($2-$1)/2):({h}) '
		f'with boxxyerror lc rgb "{color}" title "{label}"')
	plots = [box('run', 0.25, '#9fd79f', 'guest running'),
		 box('hv', 0.25, '#333333', 'in the hypervisor (exit to entry)'),
		 box('idle', 0.25, '#d9d9d9', 'halted: every task parked'),
		 box('hold', 0.25, '#d62728', 'held: synchronous fault'),
		 box('fetch', 0.1, '#1f77b4', 'fetch in flight'),
		 box('task', 0.2, '#ffbb78', 'task parked'),
		 box('taskrun', 0.2, '#2ca02c', 'task running'),
		 f' "{d}/np.dat" using 1:2 with points pt 11 ps 0.9 lc rgb "#d62728" title "not present"',
		 f' "{d}/ready.dat" using 1:2 with points pt 9 ps 0.9 lc rgb "#2ca02c" title "ready"',
		 f' "{d}/ack.dat" using 1:2 with points pt 2 ps 0.6 lc rgb "#9467bd" title "ACK"',
		 f' "{d}/mce.dat" using 1:2 with points pt 3 ps 1.2 lc rgb "#000000" title "#MC"']
	# leave out of the key what this run does not have
	plots = [p for p in plots if data[re.search(r'/(\w+)\.dat', p).group(1)]]
	plot_list = ', \\\n'.join(plots)
	gp = f'''set title "{title}\\n{{/*0.85 {note}}}"
set xlabel "million guest TSC cycles since the workload started (Bochs: instructions)"
set ytics ({ylabels})
set yrange [0:{top:.2f}]
set xrange [0:{X(t0 + T):.4f}]
set grid xtics
set key outside bottom center horizontal maxrows 3 noenhanced
set style fill solid 1.0 noborder
plot \\
{plot_list}
'''
	gpfile = os.path.join(work_dir, 'timeline.gp')
	with open(gpfile, 'w') as f:
		f.write(gp)
	for term, ext in (('svg size 1400,560 dynamic enhanced font "sans,11"', 'svg'),
			  ('pngcairo size 1400,560 enhanced font "sans,10"', 'png')):
		subprocess.run(['gnuplot', '-e', f'set terminal {term}; set output '
				f'"{out_base}.{ext}"', gpfile], check=True)
	return data


# --- main -----------------------------------------------------------------

def smoke(logroot):
	rep = Report(logroot)
	bad = []
	r = rep.runs
	for n in ('w-sync-t2-l20000', 'w-pf-t2-l20000', 'd-pf-t2-l20000',
		  'tr-pf-t2-l20000', 'cal-w1000', 'cal-w9000', 'null', 'null-trace'):
		if n not in r or not r[n].ok:
			bad.append(f'{n}: {r[n].result if n in r else "not run"}')
	row = rep.cell('pf', 2, 20000)
	if not bad:
		if not rep.c_unit:
			bad.append('no c_unit')
		if rep.cal_warning:
			bad.append(rep.cal_warning)
		if not row or row['status'] != 'ok' or row.get('speedup') is None:
			bad.append('no #PF-mode row with a speedup')
		elif row.get('exits_per_rt') is None:
			bad.append('no exits per round trip')
		if not r['null'].null.get('cpuid'):
			bad.append('no null-exit figures')
		if not trace_window(r['tr-pf-t2-l20000']):
			bad.append('no trace window')
		else:
			# the picture too (gnuplot), into the smoke's own directory
			base = os.path.join(logroot, '..', 'trace')
			try:
				timeline(os.path.join(logroot, 'tr-pf-t2-l20000'), base,
					 base + '.plot')
				if not os.path.getsize(base + '.png'):
					bad.append('empty timeline picture')
			except (OSError, subprocess.CalledProcessError) as e:
				bad.append(f'timeline: {e}')
	csvp = os.path.join(logroot, '..', 'smoke.csv')
	rep.write_csv(csvp)
	write_markdown(rep, os.path.join(logroot, '..', 'SMOKE.md'))
	if bad:
		print('FAIL: bench/smoke: ' + '; '.join(bad))
		return 1
	print(f'    | c_unit={rep.c_unit:.3f} pf speedup={row["speedup"]:.2f}x '
	      f'util={row["util"]:.3f} exits/rt={row["exits_per_rt"]:.2f} '
	      f'null={rep.cal.r_null:.0f}')
	print('PASS: bench/smoke')
	return 0


def main(argv):
	if len(argv) >= 2 and argv[1] == 'plan':
		for r in plan(smoke='--smoke' in argv):
			print(r)
		return 0
	if len(argv) >= 3 and argv[1] == 'report':
		rep = Report(argv[2], build=os.environ.get('BENCH_BUILD', 'build'))
		rep.write_csv(os.path.join(argv[2], '..', 'results.csv'))
		out = argv[3] if len(argv) > 3 else 'BENCHMARKS.md'
		write_markdown(rep, out)
		print(f'bench: wrote {os.path.normpath(os.path.join(argv[2], "..", "results.csv"))} and {out}')
		return 0
	if len(argv) >= 3 and argv[1] == 'smoke':
		return smoke(argv[2])
	if len(argv) >= 5 and argv[1] == 'timeline':
		timeline(argv[2], argv[3], argv[4])
		print(f'trace: wrote {argv[3]}.svg and {argv[3]}.png')
		return 0
	print(__doc__, file=sys.stderr)
	return 2


if __name__ == '__main__':
	sys.exit(main(sys.argv))
