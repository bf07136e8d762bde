// The one description of the GAN settings (models/settings.ts) and what is made from it: the presets'
// keys, the validator's bounds and choices, the neutral values of old files, and the train options.
import { tmpdir } from 'node:os';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { checkConfig, makeConfig, PRESETS, RAMP, withDefaults, type GanConfig } from '../src/models/config.ts';
import { layerSizes } from '../src/models/file-checks.ts';
import { SETTING_KEYS, settingOf } from '../src/models/settings.ts';
import { addSettingOptions, flagOf, givenSettings } from '../src/cli/train-options.ts';
import { runCli } from './run-cli.ts';

/** RAMP with one setting replaced by a value of any type. */
const rampWith = (key: string, v: unknown) => ({ ...RAMP, [key]: v }) as unknown as GanConfig;

describe('the settings table', () => {
  it("every preset holds every setting, in the table's order, and is valid", () => {
    for (const [name, p] of Object.entries(PRESETS)) {
      expect(Object.keys(p), name).toEqual(SETTING_KEYS);
      expect(() => checkConfig(p), name).not.toThrow();
    }
  });

  it('refuses each numeric setting below its bounds, above them or its limit, and not a number, naming it', () => {
    for (const key of SETTING_KEYS) {
      const s = settingOf(key),
        b = s.bounds;
      if (!b) continue;
      const refused = (v: unknown, what: RegExp) => {
        expect(() => checkConfig(rampWith(key, v)), `${key} ${String(v)}`).toThrow(what);
      };
      refused(b.minOpen ? b.min : b.min - 1, new RegExp(`^GAN config: ${key} must be`));
      refused(b.max === undefined ? (b.limit ?? 1e6) * 2 : b.max + 1, new RegExp(`^GAN config: ${key} must be`));
      refused('1', new RegExp(`^GAN config: ${key} must be a finite number`));
      if (s.kind === 'whole') refused(b.min + 0.5, new RegExp(`^GAN config: ${key} must be a whole number`));
    }
  });

  it('refuses a choice that is not one and a switch that is not true or false', () => {
    for (const key of SETTING_KEYS) {
      const s = settingOf(key);
      if (s.kind === 'choice') {
        const either = `${s.choices!.slice(0, -1).join(', ')} or ${s.choices!.at(-1)}`;
        expect(() => checkConfig(rampWith(key, 'nope'))).toThrow(`${key} must be ${either}, got "nope"`);
      }
      if (s.kind === 'boolean') expect(() => checkConfig(rampWith(key, 1))).toThrow(`${key} must be true or false`);
    }
  });

  it('a file without the settings added later loads with their base values, the behaviour before them', () => {
    const added = SETTING_KEYS.filter((k) => settingOf(k).added);
    expect(added).toContain('pack');
    const old: Record<string, unknown> = { ...RAMP };
    for (const k of added) delete old[k];
    expect(withDefaults(old as Partial<GanConfig>)).toEqual(RAMP);
    expect(() => withDefaults({ ...RAMP, lrD: 0.1 } as Partial<GanConfig>)).toThrow(
      /both 'lrD' and its new name 'dLr'/,
    );
    const { dLr: _new, ...renamed } = { ...RAMP, lrD: 0.1 };
    const read = withDefaults(renamed as Partial<GanConfig>);
    expect(read.dLr).toBe(0.1);
    expect(Object.keys(read)).toEqual([...SETTING_KEYS.filter((k) => k !== 'dLr'), 'dLr']);
  });
});

describe('spiking-gan train options', () => {
  /** The train options alone, parsed in-process. */
  const parse = (...args: string[]) =>
    addSettingOptions(new Command().exitOverride()).parse(args, { from: 'user' }).opts();

  it('one flag per setting that has one (the key in kebab case), booleans with their --no- form', () => {
    expect(parse('--d-lr', '0.1', '--g-hidden', '12', '--no-conditional', '--gamma-a', '2')).toEqual({
      dLr: 0.1,
      gHidden: 12,
      conditional: false,
      gammaA: 2,
    });
    expect(flagOf('beta1')).toBe('--beta1');
    expect(() => parse('--g-hidden', '1.5')).toThrow(/whole number/);
    expect(() => parse('--tmax', '3')).toThrow(/unknown option/);
  });

  it('the old names of renamed settings still work, and not together with the new ones', () => {
    const o = parse('--lr-d', '0.1', '--lr-g', '0.3', '--optimizer', 'sgd');
    expect(givenSettings(o)).toEqual({ dLr: 0.1, gLr: 0.3, optimiser: 'sgd' });
    expect(() => givenSettings(parse('--d-lr', '0.1', '--lr-d', '0.2'))).toThrow('--d-lr and its old name --lr-d');
    expect(makeConfig('relu', givenSettings(o))).toMatchObject({ dLr: 0.1, gLr: 0.3, optimiser: 'sgd' });
  });

  const helpTitle =
    "train --help shows each flag with its setting's doc, hides the old names, and describes the default preset";
  it(helpTitle, async () => {
    const r = await runCli(tmpdir(), ['train', '--help']);
    expect(r.code, r.stderr).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const key of SETTING_KEYS) {
      const s = settingOf(key);
      if (s.flag === null) expect(help).not.toContain(`${flagOf(key)} `);
      else expect(help).toContain(`${flagOf(key)}${s.flag ? ` ${s.flag}` : ''} ${s.doc}`);
      if (s.was) expect(help).not.toContain(flagOf(s.was));
    }
    const c = makeConfig(),
      g = layerSizes(c, 'G').sizes,
      d = layerSizes(c, 'D').sizes;
    expect(help).toContain(`${g[0]} inputs -> ${g[1]} -> ${g[2]} pixels`);
    expect(help).toContain(`${d[0]} inputs -> ${d[1]} -> ${d[2]} outputs`);
    expect(help).toContain(`batch ${c.batch}, ${c.steps.toLocaleString('en-US')} steps`);
    expect(help).toContain(`Adam ${c.gLr.toExponential()} β1 ${c.beta1}`);
  });
});
