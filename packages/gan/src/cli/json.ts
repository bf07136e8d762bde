// JSON output that stays readable: objects indented, arrays of numbers (spike times) on one line.

/**
 * Like `JSON.stringify(value, null, 2)`, but arrays holding only numbers and nulls are kept on one line
 * (`[1, 2.5, null]`), and a trailing newline. With `indent`, every line is indented by it (a value nested
 * in a larger document).
 */
export function stringifyCompact(value: unknown, indent = ''): string {
  return `${indent}${write(value, indent) ?? 'null'}\n`;
}

/** The text of `v` at the given indentation, or undefined for what JSON leaves out (undefined, functions). */
function write(v: unknown, indent: string): string | undefined {
  const withJson = v as { toJSON?: () => unknown } | null;
  if (typeof withJson?.toJSON === 'function') v = withJson.toJSON();
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const numbers = v.every((x) => x === null || x === undefined || typeof x === 'number');
    if (numbers) return `[${v.map(numberText).join(', ')}]`;
    return `[\n${v.map((x) => `${inner}${write(x, inner) ?? 'null'}`).join(',\n')}\n${indent}]`;
  }
  const fields: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    const text = write(x, inner);
    if (text !== undefined) fields.push(`${inner}${JSON.stringify(k)}: ${text}`);
  }
  return fields.length === 0 ? '{}' : `{\n${fields.join(',\n')}\n${indent}}`;
}

/** A number as JSON writes it (null when it is not finite, or missing). */
function numberText(x: number | null | undefined): string {
  return typeof x === 'number' && Number.isFinite(x) ? String(x) : 'null';
}
