// A run's GAN settings as `spiking-gan train` options: key gHidden → --g-hidden 200, a true switch →
// --float-twin, a false one → --no-tied-noise. Settings equal to the preset's value are left out (they change
// nothing).
import { flagOf } from '../cli/train-options.ts';

/**
 * The train options that give `settings` over a preset whose values are `base`, or a message naming the
 * first setting that no option of `trainOptions` (the train command's long options) can express.
 */
export function settingOptions(
  settings: Record<string, unknown>,
  base: Record<string, unknown>,
  trainOptions: ReadonlySet<string>,
): { args: string[] } | { key: string; problem: string } {
  const args: string[] = [];
  for (const [key, v] of Object.entries(settings)) {
    if (JSON.stringify(v) === JSON.stringify(base[key])) continue;
    const flag = flagOf(key);
    const option = typeof v === 'boolean' && !v ? `--no-${flag.slice(2)}` : flag;
    if (!trainOptions.has(option)) {
      const what = typeof v === 'boolean' ? `${v}` : JSON.stringify(v);
      return {
        key,
        problem:
          `spiking-gan train has no option ${option} to set ${key} to ${what} (the preset has ` +
          `${JSON.stringify(base[key])})`,
      };
    }
    if (typeof v === 'boolean') args.push(option);
    else if (typeof v === 'number' || typeof v === 'string') args.push(option, String(v));
    else return { key, problem: `${key} must be a number, a string or true/false to pass as ${option}` };
  }
  return { args };
}
