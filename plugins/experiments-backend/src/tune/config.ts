import { RootConfigService } from '@backstage/backend-plugin-api';
import { TuneBudget } from '@internal/backstage-plugin-experiments-common';

/** The most an auto-tune job of a team may spend. */
export type TuneQuota = {
  maxTrials: number;
  maxConcurrency: number;
  maxTimeLimitMinutes: number;
};

/** `mlops.experiments.autoTune`: quotas (per team where configured) and the default budget. */
export type AutoTuneSettings = {
  quota: TuneQuota;
  teamQuotas: Record<string, TuneQuota>;
  defaultBudget: TuneBudget;
};

const QUOTA_DEFAULTS: TuneQuota = {
  maxTrials: 50,
  maxConcurrency: 4,
  maxTimeLimitMinutes: 120,
};

const BUDGET_DEFAULTS: TuneBudget = {
  trials: 10,
  concurrency: 2,
  timeLimitMinutes: 10,
};

export function readAutoTuneConfig(
  config: RootConfigService,
): AutoTuneSettings {
  const key = 'mlops.experiments.autoTune';
  const c = config.getOptionalConfig(key);
  const positive = (
    value: number | undefined,
    where: string,
    fallback: number,
    integer: boolean,
  ) => {
    const result = value ?? fallback;
    if (!(result > 0) || (integer && !Number.isInteger(result))) {
      throw new Error(
        `${where} must be a positive ${integer ? 'integer' : 'number'}`,
      );
    }
    return result;
  };
  const readQuota = (
    q: typeof c | undefined,
    where: string,
    fallback: TuneQuota,
  ): TuneQuota => ({
    maxTrials: positive(
      q?.getOptionalNumber('maxTrials'),
      `${where}.maxTrials`,
      fallback.maxTrials,
      true,
    ),
    maxConcurrency: positive(
      q?.getOptionalNumber('maxConcurrency'),
      `${where}.maxConcurrency`,
      fallback.maxConcurrency,
      true,
    ),
    maxTimeLimitMinutes: positive(
      q?.getOptionalNumber('maxTimeLimitMinutes'),
      `${where}.maxTimeLimitMinutes`,
      fallback.maxTimeLimitMinutes,
      false,
    ),
  });
  const quota = readQuota(c, key, QUOTA_DEFAULTS);
  const teamQuotas: Record<string, TuneQuota> = {};
  for (const [i, team] of (
    c?.getOptionalConfigArray('teams') ?? []
  ).entries()) {
    const where = `${key}.teams[${i}]`;
    teamQuotas[team.getString('owner')] = readQuota(team, where, quota);
  }
  const d = c?.getOptionalConfig('defaultBudget');
  const defaultBudget: TuneBudget = {
    trials: positive(
      d?.getOptionalNumber('trials'),
      `${key}.defaultBudget.trials`,
      BUDGET_DEFAULTS.trials,
      true,
    ),
    concurrency: positive(
      d?.getOptionalNumber('concurrency'),
      `${key}.defaultBudget.concurrency`,
      BUDGET_DEFAULTS.concurrency,
      true,
    ),
    timeLimitMinutes: positive(
      d?.getOptionalNumber('timeLimitMinutes'),
      `${key}.defaultBudget.timeLimitMinutes`,
      BUDGET_DEFAULTS.timeLimitMinutes,
      false,
    ),
  };
  return { quota, teamQuotas, defaultBudget };
}

/** The quota of a team: its own where configured, else the general one. */
export function quotaOf(settings: AutoTuneSettings, owner: string): TuneQuota {
  return settings.teamQuotas[owner] ?? settings.quota;
}
