/**
 * The metric names a PromQL expression selects, found by a small tokenizer rather than a regular
 * expression over the text: label matchers (`{…}`), ranges and subqueries (`[…]`), strings, label
 * lists of `by`/`without`/`on`/`ignoring`/`group_left`/`group_right`, function names (an identifier
 * before `(`), keywords, numbers and durations are not names. Grafana's `$variables` are skipped.
 */

/** Keywords followed by a parenthesised list of label names. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
/** Binary operators and modifiers spelled as words. */
const WORD_OPERATORS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2']);
const NUMBER_WORDS = new Set(['inf', 'nan']);
/** Aggregation operators: words of the language, also when `by (…)` or `without (…)` sits before their `(`. */
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);

const IDENTIFIER = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const NUMBER_OR_DURATION = /(?:0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)(?:[a-zA-Z0-9_]*)/y;
const VARIABLE = /\$(?:\{[^}]*\}|[a-zA-Z0-9_]+)/y;

/** The index just past the string that opens at `start`, escapes included (backquoted ones have none). */
function skipString(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\' && quote !== '`') i++;
    else if (text[i] === quote) return i + 1;
  }
  throw new Error(`unterminated string at ${start} in ${JSON.stringify(text)}`);
}

/** The index just past the bracket that matches the one at `start`, strings inside skipped. */
function skipBalanced(text: string, start: number): number {
  const open = text[start]!;
  const close = { '(': ')', '{': '}', '[': ']' }[open]!;
  let depth = 0;
  for (let i = start; i < text.length; ) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(text, i);
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
    i++;
  }
  throw new Error(`unbalanced ${open} at ${start} in ${JSON.stringify(text)}`);
}

const match = (pattern: RegExp, text: string, at: number): string | undefined => {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0];
};

const skipSpace = (text: string, at: number): number => {
  let i = at;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
};

/** The metric names `expr` selects, each once, in order of appearance. */
export function promqlMetricNames(expr: string): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      const end = expr.indexOf('\n', i);
      i = end === -1 ? expr.length : end;
    } else if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
    } else if (c === '{' || c === '[') {
      i = skipBalanced(expr, i);
    } else if (c === '$') {
      i += match(VARIABLE, expr, i)?.length ?? 1;
    } else if (/[0-9.]/.test(c)) {
      i += match(NUMBER_OR_DURATION, expr, i)?.length ?? 1;
    } else if (/[a-zA-Z_:]/.test(c)) {
      const word = match(IDENTIFIER, expr, i)!;
      i += word.length;
      const next = skipSpace(expr, i);
      const lower = word.toLowerCase();
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        if (expr[next] === '(') i = skipBalanced(expr, next);
      } else if (WORD_OPERATORS.has(lower) || NUMBER_WORDS.has(lower) || AGGREGATIONS.has(lower) || expr[next] === '(') {
        // an operator, a number, or a function or aggregation's name
      } else if (!names.includes(word)) {
        names.push(word);
      }
    } else {
      i++;
    }
  }
  return names;
}
