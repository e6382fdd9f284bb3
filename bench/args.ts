// Command-line options of the bench scripts: `--name value`, with a default when absent.

/** A positive integer option. */
export function intArg(name: string, fallback: number): number {
  const value = numberOption(name, fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** A non-negative integer option (a count that may be zero). */
export function countArg(name: string, fallback: number): number {
  const value = numberOption(name, fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number, 0 or more`);
  return value;
}

/** A non-negative number option. */
export function numberArg(name: string, fallback: number): number {
  const value = numberOption(name, fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
  return value;
}

/** A text option, undefined when absent. */
export function textArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function numberOption(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
