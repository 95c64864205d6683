/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for
 * tests: prom-client writes it but cannot read it. It throws, naming the
 * line, on anything a scraper would reject or misread: a malformed name,
 * label or value, a sample before its family's TYPE, a family split in two, a
 * series given twice, a histogram without its +Inf bucket, or buckets that
 * are not cumulative or disagree with the count.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  samples: Sample[];
}

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const types = ['counter', 'gauge', 'histogram', 'summary', 'untyped'] as const;

/** A value as Prometheus reads it (Go's ParseFloat: NaN and Inf in any case; prom-client writes `Nan`). */
function parseValue(text: string, where: string): number {
  if (/^nan$/i.test(text)) return NaN;
  if (/^\+?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    throw new Error(`${where}: bad value ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** `{a="x",b="y\"z"}` from `start` (the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number, where: string) {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    if (line[i] === '}') return { labels, end: i + 1 };
    const eq = line.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: label without =`);
    const name = line.slice(i, eq);
    if (!labelName.test(name)) throw new Error(`${where}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    if (line[eq + 1] !== '"') throw new Error(`${where}: label ${name} value is not quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        const next = line[++j];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`${where}: bad escape \\${next ?? ''} in label ${name}`);
      } else {
        value += line[j];
      }
    }
    if (line[j] !== '"') throw new Error(`${where}: label ${name} value is not closed`);
    labels[name] = value;
    i = j + 1;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') throw new Error(`${where}: expected , or } after label ${name}`);
  }
}

/** The family a sample name belongs to (a histogram's _bucket/_sum/_count, a summary's _sum/_count). */
function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(sample);
  if (direct) return direct;
  const match = /^(.*)_(bucket|sum|count)$/.exec(sample);
  const base = match?.[1] ? families.get(match[1]) : undefined;
  if (!base || !match) return undefined;
  if (base.type === 'histogram') return base;
  if (base.type === 'summary' && match[2] !== 'bucket') return base;
  return undefined;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (sample.name === `${family.name}_bucket` && le === undefined) {
      throw new Error(`${family.name}: a bucket without le`);
    }
    series.set(key, [...(series.get(key) ?? []), sample]);
  }
  for (const [key, samples] of series) {
    const buckets = samples
      .filter((s) => s.name === `${family.name}_bucket`)
      .map((s) => ({ le: parseValue(s.labels.le ?? '', family.name), value: s.value }));
    const count = samples.find((s) => s.name === `${family.name}_count`);
    const sum = samples.find((s) => s.name === `${family.name}_sum`);
    const inf = buckets.find((b) => b.le === Infinity);
    if (!inf || !count || !sum) {
      throw new Error(`${family.name} ${key}: needs a +Inf bucket, _sum and _count`);
    }
    for (let i = 1; i < buckets.length; i++) {
      const [before, now] = [buckets[i - 1], buckets[i]];
      if (!before || !now || now.le <= before.le || now.value < before.value) {
        throw new Error(`${family.name} ${key}: buckets not increasing and cumulative`);
      }
    }
    if (inf.value !== count.value) {
      throw new Error(`${family.name} ${key}: +Inf bucket ${inf.value} ≠ count ${count.value}`);
    }
  }
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let current: Family | undefined;
  const finished = new Set<string>();
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('the exposition does not end with a newline');
  lines.forEach((line, index) => {
    const where = `line ${index + 1} (${line.slice(0, 80)})`;
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!meta) return; // A comment.
      const [, kind, name = '', rest = ''] = meta;
      if (!metricName.test(name)) throw new Error(`${where}: bad metric name`);
      let family = families.get(name);
      if (family && finished.has(name)) throw new Error(`${where}: family ${name} split in two`);
      if (!family) {
        family = { name, type: 'untyped', samples: [] };
        families.set(name, family);
      }
      if (current && current !== family) finished.add(current.name);
      current = family;
      if (kind === 'TYPE') {
        const type = types.find((t) => t === rest.trim());
        if (!type) throw new Error(`${where}: unknown type ${rest}`);
        if (family.samples.length) throw new Error(`${where}: TYPE after samples`);
        family.type = type;
      } else {
        if (family.help !== undefined) throw new Error(`${where}: HELP twice`);
        family.help = rest;
      }
      return;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) throw new Error(`${where}: a sample without a metric name`);
    const name = nameMatch[0];
    let at = name.length;
    let labels: Record<string, string> = {};
    if (line[at] === '{') ({ labels, end: at } = parseLabels(line, at, where));
    const rest = line.slice(at);
    const parts = /^ +(\S+)(?: +(-?\d+))?$/.exec(rest);
    if (!parts?.[1]) throw new Error(`${where}: expected " value [timestamp]"`);
    const value = parseValue(parts[1], where);
    let family = familyOf(name, families);
    if (!family) {
      // An untyped sample with no TYPE line is allowed, as its own family.
      family = { name, type: 'untyped', samples: [] };
      families.set(name, family);
    }
    if (finished.has(family.name)) throw new Error(`${where}: family ${family.name} split in two`);
    if (current && current !== family) finished.add(current.name);
    current = family;
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`${where}: series given twice`);
    seen.add(key);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) {
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

/** The value of the first series of `name` whose labels include `labels` (undefined when none). */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name !== name) continue;
      const matches = Object.entries(labels).every(([k, v]) => sample.labels[k] === v);
      if (matches) return sample.value;
    }
  }
  return undefined;
}
