import { Injectable, Logger } from '@nestjs/common';
import { Job, JobContext, JobSchedule } from '@loyalty/platform';
import { TriggerKind, localDate } from '@loyalty/domain';
import { OutboxRelay } from '@loyalty/kafka';
import { DataSource } from 'typeorm';
import { CouponEngineConfig } from '../config';
import { LiveRule, LiveRulesQuery } from '../rules/live-rules.query';
import { Campaign, CampaignIssuanceQueries, ChunkOutcome } from './campaign-issuance.queries';
import { latestOccurrence, occurrenceKey } from './cron-occurrence';

const CAMPAIGN_TRIGGERS = [
  'schedule',
  'birthday',
  'enrolmentAnniversary',
  'lapse',
  'lifecycleTransition',
] as const satisfies readonly TriggerKind[];

// A schedule rule never run before issues its latest occurrence of the last day at most; an
// engine stopped for longer issues only the latest one it missed, not every one.
const LOOKBACK_MS = 24 * 3_600_000;
const FIRST_HOUSEHOLD = '00000000-0000-0000-0000-000000000000';
// A code drawn twice (50 random bits) fails the chunk's statement; drawn again, it passes.
const CODE_ATTEMPTS = 3;

/** The job's cursor: the campaign run in progress and the last household of its last chunk. */
function cursorOf(campaign: Campaign, after: string): string {
  return [campaign.rule.id, campaign.ruleVersion, campaign.occurrence, after].join('|');
}

function isCodeConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { constraint?: string } };
  return e.code === '23505' && (e.constraint ?? e.driverError?.constraint) === 'offers_code_key';
}

/**
 * Every minute, the campaigns that are due: each live schedule rule version's latest cron
 * occurrence since its last run, and from `CAMPAIGNS_DAILY_AT` each live birthday, enrolment
 * anniversary, lapse and lifecycle-transition rule version once a programme day. A campaign is
 * issued in chunks of households by id, one statement and one transaction each with the job's
 * cursor and the run's progress, so a stopped run resumes after the last chunk it committed.
 * The run's period (the minute) is the instant it judges at.
 */
@Injectable()
export class CampaignsJob implements Job {
  readonly name = 'campaigns';
  readonly schedule: JobSchedule = { everyMinutes: 1 };
  private readonly logger = new Logger(CampaignsJob.name);
  private readonly timeZone: string;
  private readonly dailyAt: string;
  private readonly chunk: number;
  private readonly perWeek: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly liveRules: LiveRulesQuery,
    private readonly queries: CampaignIssuanceQueries,
    private readonly relay: OutboxRelay,
    config: CouponEngineConfig,
  ) {
    this.timeZone = config.PROGRAMME_TIME_ZONE;
    this.dailyAt = config.CAMPAIGNS_DAILY_AT;
    this.chunk = config.CAMPAIGNS_CHUNK;
    this.perWeek = config.OFFERS_PER_HOUSEHOLD_PER_WEEK;
  }

  async run(context: JobContext): Promise<void> {
    const now = new Date(context.period);
    if (Number.isNaN(now.getTime())) throw new Error(`Period ${context.period} is no instant`);
    for (const campaign of await this.dueCampaigns(now)) {
      await this.runCampaign(context, campaign);
    }
  }

  /** Unfinished runs first (oldest first), then what fell due. */
  private async dueCampaigns(now: Date): Promise<Campaign[]> {
    const m = this.dataSource.manager;
    const live = await this.liveRules.find(m, now, CAMPAIGN_TRIGGERS);
    const byVersion = new Map(live.map((l) => [`${l.rule.id}|${l.version}`, l]));
    const due = new Map<string, Campaign>();
    for (const run of await this.queries.unfinished(
      m,
      live.map((l) => l.rule.id),
    )) {
      const l = byVersion.get(`${run.rule_id}|${run.rule_version}`);
      if (l === undefined) continue;
      const campaign = this.campaignOf(l, run.occurrence, run.occurred_at);
      due.set(cursorOf(campaign, ''), campaign);
    }
    const today = localDate(now, this.timeZone);
    const dailyDue = occurrenceKey(now, this.timeZone).slice(11) >= this.dailyAt;
    for (const l of live) {
      const { trigger } = l.rule;
      let campaign: Campaign | null = null;
      if (trigger.kind === 'schedule') {
        const last = await this.queries.lastOccurredAt(m, l.rule.id, l.version);
        const after = Math.max(
          last?.getTime() ?? 0,
          Date.parse(l.rule.validity.from) - 1,
          now.getTime() - LOOKBACK_MS,
        );
        const at = latestOccurrence(trigger.cron, trigger.timeZone, new Date(after), now);
        if (at !== null) campaign = this.campaignOf(l, occurrenceKey(at, trigger.timeZone), at);
      } else if (dailyDue) {
        campaign = this.campaignOf(l, today, now);
      }
      if (campaign !== null && !due.has(cursorOf(campaign, '')))
        due.set(cursorOf(campaign, ''), campaign);
    }
    return [...due.values()];
  }

  private campaignOf(live: LiveRule, occurrence: string, occurredAt: Date): Campaign {
    const today =
      live.rule.trigger.kind === 'schedule' ? localDate(occurredAt, this.timeZone) : occurrence;
    return { ruleVersion: live.version, rule: live.rule, occurrence, occurredAt, today };
  }

  private async runCampaign(context: JobContext, due: Campaign): Promise<void> {
    const started = await this.queries.start(this.dataSource.manager, due);
    if (started.state === 'done') return;
    // Issued as of the moment the run first started, however many runs it takes.
    const campaign = { ...due, occurredAt: started.occurredAt };
    const prefix = cursorOf(campaign, '');
    let after =
      context.cursor?.startsWith(prefix) === true
        ? context.cursor.slice(prefix.length)
        : (started.afterHouseholdId ?? FIRST_HOUSEHOLD);
    let offers = 0;
    let holdouts = 0;
    let limited = 0;
    for (;;) {
      const chunk = await this.issueChunk(context, campaign, after);
      // Paused, ended or edited meanwhile: the run stays unfinished, resumed if it is live again.
      if (chunk === null) break;
      offers += chunk.offers;
      holdouts += chunk.holdouts;
      limited += chunk.limited;
      if (chunk.offers > 0) this.relay.wake();
      if (chunk.upTo === null) break;
      after = chunk.upTo;
    }
    this.logger.log(
      `Campaign ${campaign.rule.id} v${campaign.ruleVersion} ${campaign.occurrence}: ` +
        `${offers} offers, ${holdouts} held out, ${limited} at their weekly limit`,
    );
  }

  private async issueChunk(
    context: JobContext,
    campaign: Campaign,
    after: string,
  ): Promise<ChunkOutcome | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(async (m) => {
          if (!(await this.queries.isCurrent(m, campaign))) return null;
          const chunk = await this.queries.issueChunk(m, campaign, after, this.chunk, this.perWeek);
          await this.queries.saveProgress(m, campaign, chunk);
          await context.checkpoint(m, cursorOf(campaign, chunk.upTo ?? 'end'));
          return chunk;
        });
      } catch (error) {
        if (attempt >= CODE_ATTEMPTS || !isCodeConflict(error)) throw error;
      }
    }
  }
}
