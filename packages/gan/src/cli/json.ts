// JSON output that stays readable: objects indented, arrays of numbers (spike times) on one line.

/** Like `JSON.stringify(value, null, 2)`, but arrays holding only numbers and nulls are kept on one line. */
export function stringifyCompact(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\s*((?:-?[\d.eE+-]+|null)(?:,\s*(?:-?[\d.eE+-]+|null))*)\s*\]/g, (_m, body: string) => `[${body.replace(/,\s+/g, ', ')}]`) + '\n';
}
