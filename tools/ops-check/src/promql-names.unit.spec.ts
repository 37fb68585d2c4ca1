import { describe, expect, it } from 'vitest';
import { dashboardExprs } from './ops-files.js';
import { promqlMetricNames } from './promql-names.js';

describe('promqlMetricNames', () => {
  it.each([
    ['a bare selector', 'up', ['up']],
    ['matchers, with names and operators inside strings', 'projector_lag_events{projector=~"a|b", kind!="x_total{y}"} > 10', ['projector_lag_events']],
    ['functions, ranges and Grafana variables', 'rate(x_total{projector=~"$projector"}[$__rate_interval])', ['x_total']],
    ['by before and after', 'sum by (projector, le) (rate(d_bucket[5m])) + sum(rate(c_total[1m])) by (kind)', ['d_bucket', 'c_total']],
    ['a quantile of a histogram', 'histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m:30s])))', ['h_bucket']],
    ['vector matching and bool', 'a / on(projector) group_left(kind) b > bool 0.5 and ignoring(task) c', ['a', 'b', 'c']],
    ['offset, numbers and words that are not names', 'x offset 5m > 1e3 or y < Inf unless z == NaN or w > 0x1F', ['x', 'y', 'z', 'w']],
    ['time() and a name with a colon', 'time() - job:progress:max', ['job:progress:max']],
    ['strings in function arguments', 'label_replace(count_values("hash", s), "a", "$1", "b", "(.*)")', ['s']],
    ['comments and newlines', 'sum(a) # b is not here\n  / sum(c)', ['a', 'c']],
    ['each name once', 'a + a', ['a']],
  ])('%s', (_name, expr, names) => {
    expect(promqlMetricNames(expr)).toEqual(names);
  });

  it('fails loudly on an expression it cannot read', () => {
    expect(() => promqlMetricNames('rate(x{a="b}[5m])')).toThrow(/unterminated/);
    expect(() => promqlMetricNames('sum(x[5m)')).toThrow(/unbalanced/);
  });
});

describe('dashboardExprs', () => {
  it("finds the targets of panels and of rows' panels, the variables' selectors and the annotations", () => {
    const found = dashboardExprs({
      title: 'd',
      panels: [{ title: 'p', targets: [{ expr: 'a' }, {}] }, { title: 'row', panels: [{ title: 'q', targets: [{ expr: 'b' }] }] }],
      templating: { list: [{ name: 'projector', query: { query: 'label_values(c{x="y"}, projector)' } }, { name: 'n', query: 'd' }] },
      annotations: { list: [{ name: 'alerts', expr: 'ALERTS' }, { name: 'builtin' }] },
    });
    expect(found).toEqual([
      { where: 'd/p/0', expr: 'a' },
      { where: 'd/q/0', expr: 'b' },
      { where: 'd/$projector', expr: 'c{x="y"}' },
      { where: 'd/$n', expr: 'd' },
      { where: 'd/annotation alerts', expr: 'ALERTS' },
    ]);
  });
});
