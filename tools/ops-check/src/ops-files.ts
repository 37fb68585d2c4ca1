import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

/** The repository's ops/ folder: the alert rules and the dashboard. */
export const OPS_DIR = path.resolve(import.meta.dirname, '../../../ops');
export const RULES_FILE = path.join(OPS_DIR, 'prometheus/alerts.yml');
export const RULES_TEST_FILE = path.join(OPS_DIR, 'prometheus/alerts.test.yml');
export const DASHBOARDS_DIR = path.join(OPS_DIR, 'grafana/dashboards');

/** One PromQL expression and where it is written. */
export interface NamedExpr {
  readonly where: string;
  readonly expr: string;
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}

export async function ruleExprs(file = RULES_FILE): Promise<NamedExpr[]> {
  const { groups } = parse(await readFile(file, 'utf8')) as RuleFile;
  return groups.flatMap((g) => g.rules.map((r) => ({ where: `${g.name}/${r.alert ?? r.record}`, expr: r.expr })));
}

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}
interface Dashboard {
  title: string;
  panels: Panel[];
  templating?: { list: { name: string; query?: string | { query?: string } }[] };
  annotations?: { list: { name: string; expr?: string }[] };
}

/** Grafana's `label_values(<selector>, <label>)`: the selector is PromQL, the label is not. */
const LABEL_VALUES = /^\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$/s;

/** Every PromQL a dashboard holds: its panels' targets (rows' nested panels too), variables and annotations. */
export function dashboardExprs(dashboard: Dashboard): NamedExpr[] {
  const panels = (list: Panel[]): NamedExpr[] =>
    list.flatMap((p) => [
      ...(p.targets ?? []).flatMap((t, i) => (t.expr ? [{ where: `${dashboard.title}/${p.title}/${i}`, expr: t.expr }] : [])),
      ...panels(p.panels ?? []),
    ]);
  const variables = (dashboard.templating?.list ?? []).flatMap((v) => {
    const query = typeof v.query === 'string' ? v.query : v.query?.query;
    if (!query) return [];
    const selector = LABEL_VALUES.exec(query)?.[1] ?? query;
    return [{ where: `${dashboard.title}/$${v.name}`, expr: selector }];
  });
  const annotations = (dashboard.annotations?.list ?? []).flatMap((a) => (a.expr ? [{ where: `${dashboard.title}/annotation ${a.name}`, expr: a.expr }] : []));
  return [...panels(dashboard.panels), ...variables, ...annotations];
}

export async function readDashboard(file: string): Promise<Dashboard> {
  return JSON.parse(await readFile(file, 'utf8')) as Dashboard;
}
