import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from './prometheus-text.fixture.js';

// The strict reader is what read.int.spec.ts trusts to find a malformed /metrics; it must really refuse.
const good = [
  '# HELP requests_total Requests, by "code"',
  '# TYPE requests_total counter',
  'requests_total{code="200",path="/a\\"b\\\\c\\n"} 3',
  'requests_total{code="500"} 1e0',
  '',
  '# HELP latency_seconds Latency',
  '# TYPE latency_seconds histogram',
  'latency_seconds_bucket{le="0.1"} 1',
  'latency_seconds_bucket{le="1"} 2',
  'latency_seconds_bucket{le="+Inf"} 2',
  'latency_seconds_sum 0.6',
  'latency_seconds_count 2',
  '# TYPE up gauge',
  'up NaN',
  '',
].join('\n');

describe('parsePrometheusText', () => {
  it('reads a well-formed exposition, unescaping label values', () => {
    const families = parsePrometheusText(good);
    expect([...families.keys()]).toEqual(['requests_total', 'latency_seconds', 'up']);
    expect(sampleValue(families, 'requests_total', { code: '200' })).toBe(3);
    expect(families.get('requests_total')!.samples[0]!.labels.path).toBe('/a"b\\c\n');
    expect(sampleValue(families, 'latency_seconds_count', {})).toBe(2);
    expect(sampleValue(families, 'up', {})).toBeNaN();
  });

  it.each([
    ['no final newline', good.slice(0, -1)],
    ['a sample without a family', `${good}orphan 1\n`],
    ['a value that is not a number', good.replace('} 3', '} three')],
    ['an unquoted label value', good.replace('code="500"', 'code=500')],
    ['a bad escape in a label value', good.replace('\\"b', '\\tb')],
    ['a label given twice', good.replace('code="500"', 'code="500",code="501"')],
    ['a duplicate sample', good.replace('requests_total{code="500"} 1e0', 'requests_total{code="200",path="/a\\"b\\\\c\\n"} 4')],
    ['a family split in two', `${good}# TYPE requests_total counter\nrequests_total{code="404"} 1\n`],
    ['an unknown type', good.replace('# TYPE up gauge', '# TYPE up meter')],
    ['falling histogram buckets', good.replace('latency_seconds_bucket{le="1"} 2', 'latency_seconds_bucket{le="1"} 0')],
    ['+Inf bucket differing from _count', good.replace('latency_seconds_count 2', 'latency_seconds_count 3')],
    ['a histogram without +Inf', good.replace('latency_seconds_bucket{le="+Inf"} 2\n', '')],
    ['a space inside the braces', good.replace('{code="500"}', '{code="500", }')],
    ['a TYPE after its samples', good.replace('up NaN', 'up NaN\n# TYPE up gauge')],
  ])('refuses %s', (_name, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
