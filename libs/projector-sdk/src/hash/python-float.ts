/**
 * CPython's `repr(float)` (what `json.dumps` writes for a float).
 *
 * Both CPython and JS pick the shortest digit string that round-trips, so the
 * digits come from `Number.prototype.toString`; only the layout differs:
 * Python switches to exponent form below 1e-4 and from 1e16 (JS: 1e-7 and
 * 1e21), always writes a two-digit signed exponent (`1e-05`, `1e+16`), and
 * marks integral positional values with `.0`.
 */
export function pythonFloatRepr(x: number): string {
  // What json.dumps writes with its default allow_nan=True.
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';

  const sign = x < 0 ? '-' : '';
  const { digits, exponent } = shortestDigits(Math.abs(x));

  if (exponent < -4 || exponent >= 16) {
    const mantissa = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    const expSign = exponent < 0 ? '-' : '+';
    return `${sign}${mantissa}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const intLength = exponent + 1;
  if (digits.length <= intLength) return `${sign}${digits}${'0'.repeat(intLength - digits.length)}.0`;
  return `${sign}${digits.slice(0, intLength)}.${digits.slice(intLength)}`;
}

/**
 * The significant digits of a positive finite double, without leading or
 * trailing zeros, and the power of ten of the first one
 * (value = d.ddd × 10^exponent).
 */
function shortestDigits(x: number): { digits: string; exponent: number } {
  const text = String(x); // "123.45", "0.000123", "1e+21", "1.5e-7"
  const ePos = text.indexOf('e');
  const mantissa = ePos < 0 ? text : text.slice(0, ePos);
  const powerOfTen = ePos < 0 ? 0 : Number(text.slice(ePos + 1));
  const dot = mantissa.indexOf('.');
  const fraction = dot < 0 ? '' : mantissa.slice(dot + 1);
  const all = dot < 0 ? mantissa : mantissa.slice(0, dot) + fraction;

  let first = 0;
  while (all.charCodeAt(first) === 0x30) first++;
  let end = all.length;
  while (all.charCodeAt(end - 1) === 0x30) end--;
  const digits = all.slice(first, end);
  // value = all × 10^(powerOfTen - fraction.length); the last significant
  // digit sits (all.length - end) places above the units of `all`.
  const exponent = digits.length - 1 + (all.length - end) + powerOfTen - fraction.length;
  return { digits, exponent };
}
