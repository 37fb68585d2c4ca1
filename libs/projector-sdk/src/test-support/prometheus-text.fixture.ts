/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: it throws on
 * the first line a scraper would reject, instead of skipping it, so a test sees a malformed `/metrics`.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string | undefined;
  readonly samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const LABEL = `${LABEL_NAME}=${LABEL_VALUE}`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?\\})? (\\S+)(?: (-?\\d+))?$`);
const ONE_LABEL = new RegExp(`(${LABEL_NAME})=(${LABEL_VALUE})`, 'g');
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]Inf)$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

const unescapeLabel = (quoted: string) =>
  quoted.slice(1, -1).replace(/\\([\\"n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));

const parseValue = (text: string): number => {
  if (!VALUE.test(text)) throw new Error(`not a sample value: ${text}`);
  if (text === 'NaN') return Number.NaN;
  if (text.endsWith('Inf')) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
};

/** The family a sample belongs to: histograms and summaries spread over `_bucket`, `_sum`, `_count`. */
function familyOf(sample: string, families: Map<string, MetricFamily>): MetricFamily | undefined {
  if (families.has(sample)) return families.get(sample);
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = sample.endsWith(suffix) ? families.get(sample.slice(0, -suffix.length)) : undefined;
    if (base && (base.type === 'histogram' || (base.type === 'summary' && suffix !== '_bucket'))) return base;
  }
  return undefined;
}

/** Parses the whole text; throws with the line number on anything malformed. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (!text.endsWith('\n')) throw new Error('the text must end with a newline');
  const families = new Map<string, MetricFamily>();
  const finished = new Set<string>();
  const seen = new Set<string>();
  let current: MetricFamily | undefined;
  const lines = text.slice(0, -1).split('\n');
  for (const [i, line] of lines.entries()) {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!meta) {
        if (!line.startsWith('# ') && line !== '#') throw new Error(`bad comment at ${where}`);
        continue;
      }
      const [, keyword, name, rest] = meta as unknown as [string, 'HELP' | 'TYPE', string, string | undefined];
      if (!new RegExp(`^${NAME}$`).test(name)) throw new Error(`bad metric name at ${where}`);
      let family = families.get(name);
      if (family && finished.has(name)) throw new Error(`metric family ${name} is not contiguous, at ${where}`);
      if (!family) {
        if (current) finished.add(current.name);
        family = { name, type: 'untyped', help: undefined, samples: [] };
        families.set(name, family);
        current = family;
      }
      if (keyword === 'TYPE') {
        if (family.samples.length) throw new Error(`TYPE after samples at ${where}`);
        if (!TYPES.has(rest as MetricType)) throw new Error(`unknown type at ${where}`);
        (family as { type: MetricType }).type = rest as MetricType;
      } else {
        if (family.help !== undefined) throw new Error(`second HELP at ${where}`);
        (family as { help: string | undefined }).help = rest ?? '';
      }
      continue;
    }
    if (line === '') continue; // the format ignores empty lines
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not "name{labels} value" at ${where}`);
    const [, name, labelText, valueText] = match as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    for (const [, labelName, quoted] of (labelText ?? '').matchAll(ONE_LABEL)) {
      if (labelName! in labels) throw new Error(`label ${labelName} twice at ${where}`);
      labels[labelName!] = unescapeLabel(quoted!);
    }
    const family = familyOf(name, families);
    if (!family) throw new Error(`sample without a TYPE or HELP line for its family at ${where}`);
    if (family !== current) throw new Error(`sample away from its family ${family.name} at ${where}`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`duplicate sample at ${where}`);
    seen.add(key);
    family.samples.push({ name, labels, value: parseValue(valueText) });
  }
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

/** Buckets rise with `le`, counts never fall, `+Inf` equals `_count`, and every series has a `_sum`. */
function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${s.name} without le`);
      entry.buckets.push([parseValue(le), s.value]);
    } else if (s.name.endsWith('_sum')) entry.sum = s.value;
    else entry.count = s.value;
  }
  for (const [key, { buckets, sum, count }] of series) {
    const where = `${family.name}${key}`;
    if (sum === undefined || count === undefined) throw new Error(`${where}: _sum or _count missing`);
    if (buckets.at(-1)?.[0] !== Infinity) throw new Error(`${where}: no +Inf bucket last`);
    for (let i = 1; i < buckets.length; i++) {
      if (!(buckets[i]![0] > buckets[i - 1]![0])) throw new Error(`${where}: le not increasing`);
      if (buckets[i]![1] < buckets[i - 1]![1]) throw new Error(`${where}: bucket counts fall`);
    }
    if (buckets.at(-1)![1] !== count) throw new Error(`${where}: +Inf bucket differs from _count`);
  }
}

/** The value of the one sample of `name` whose labels include `labels`, or undefined. */
export function sampleValue(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  for (const family of families.values()) {
    for (const s of family.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) return s.value;
    }
  }
  return undefined;
}
