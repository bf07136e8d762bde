// The GAN settings as options of `spiking-gan train`, made from their descriptions (models/settings.ts):
// one flag per setting, `--` and its name in kebab case, with its doc as help; old names still work.
// Loads only commander and the settings table, so that `spiking-gan --help` stays fast.
import { Option, type Command } from 'commander';
import { SETTING_KEYS, settingOf, type GanConfig, type SettingKey } from '../models/settings.ts';
import { integerArg, numberArg } from './args.ts';
import { CliError } from './fail.ts';

/** The flag of a setting name: `--` and the name in kebab case (dLr → --d-lr, beta1 → --beta1). */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Adds the flag of every setting that has one (and, hidden, its flag under an old name) to `cmd`. */
export function addSettingOptions(cmd: Command): Command {
  for (const key of SETTING_KEYS) {
    const s = settingOf(key),
      flag = flagOf(key);
    if (s.flag === null) continue;
    if (s.kind === 'boolean') {
      cmd.option(flag, s.doc);
      cmd.option(`--no-${flag.slice(2)}`, s.off);
      continue;
    }
    const parse =
      s.kind === 'whole'
        ? integerArg(s.flagMin ?? s.bounds!.min, s.bounds!.limit)
        : s.kind === 'real'
          ? numberArg(s.bounds!.min)
          : undefined;
    const option = new Option(`${flag} ${s.flag}`, s.doc);
    cmd.addOption(parse ? option.argParser(parse) : option);
    if (s.was) {
      const old = new Option(`${flagOf(s.was)} ${s.flag}`, `old name of ${flag}`).hideHelp();
      cmd.addOption(parse ? old.argParser(parse) : old);
    }
  }
  return cmd;
}

/**
 * The settings given as options (commander names each option after its setting, or its old name);
 * refuses a setting given under both names.
 */
export function givenSettings(o: Record<string, unknown>): Partial<GanConfig> {
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const s = settingOf(key),
      v = o[key],
      old = s.was === undefined ? undefined : o[s.was];
    if (v !== undefined && old !== undefined) {
      throw new CliError(`${flagOf(key)} and its old name ${flagOf(s.was!)} are the same setting: give one`);
    }
    if (v !== undefined || old !== undefined) out[key] = v ?? old;
  }
  return out as Partial<GanConfig>;
}

/** The flags of the settings in `settings`, for messages. */
export function flagsOf(settings: Partial<GanConfig>): string[] {
  return (Object.keys(settings) as SettingKey[]).map(flagOf);
}
