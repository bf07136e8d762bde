// A run's GAN settings as `spiking-gan train` options: key lrG → --lr-g 0.0002, a true flag → --float-twin,
// a false one → --no-tied-noise. Settings that equal the preset's value are left out (they change nothing).

/** The option of setting `key`: `--` and the key in kebab case (gHidden → --g-hidden, beta1 → --beta1). */
export function optionOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * The train options that give `settings` over a preset whose values are `base`, or a message naming the
 * first setting that no option of `trainOptions` (the train command's long options) can express.
 */
export function settingOptions(
  settings: Record<string, unknown>, base: Record<string, unknown>, trainOptions: ReadonlySet<string>,
): { args: string[] } | { key: string; problem: string } {
  const args: string[] = [];
  for (const [key, v] of Object.entries(settings)) {
    if (JSON.stringify(v) === JSON.stringify(base[key])) continue;
    const flag = optionOf(key);
    const option = typeof v === 'boolean' && !v ? `--no-${flag.slice(2)}` : flag;
    if (!trainOptions.has(option)) {
      const what = typeof v === 'boolean' ? `${v}` : JSON.stringify(v);
      return { key, problem: `spiking-gan train has no option ${option} to set ${key} to ${what} (the preset has `
        + `${JSON.stringify(base[key])})` };
    }
    if (typeof v === 'boolean') args.push(option);
    else if (typeof v === 'number' || typeof v === 'string') args.push(option, String(v));
    else return { key, problem: `${key} must be a number, a string or true/false to pass as ${option}` };
  }
  return { args };
}
