import type { CaseEvent } from '#shared/domain/case.ts';
import { defaultEscalationRoute, defaultNonAcceptanceRoute } from '#shared/domain/letters.ts';
import type { ProviderProfile } from '#shared/policy/profile.ts';
import type { TaskRecord } from '#shared/ports/case-repository.ts';
import { actOnTask } from '#shared/usecases/actions.ts';
import { loadCase } from '#shared/usecases/case-log.ts';
import { type IntakeInput, submitComplaint } from '#shared/usecases/intake.ts';
import { type LocalSystem, type LocalSystemOptions, startLocalSystem } from '../../infra/local/system.ts';

export interface OutboxEmail {
  messageId: string;
  subject: string;
  destination: { to: string[]; cc: string[] };
  body: { text: string; html: string };
  at: number;
}

export const staff = {
  handler: { kind: 'staff', id: 'hannah.handler@landlord.example', role: 'handler' },
  handler2: { kind: 'staff', id: 'harry.handler@landlord.example', role: 'handler' },
  reviewer: { kind: 'staff', id: 'rita.reviewer@landlord.example', role: 'reviewer' },
  manager: { kind: 'staff', id: 'mo.manager@landlord.example', role: 'manager' },
} as const;

export const complaint: IntakeInput = {
  channel: 'web',
  complainant: { name: 'Ada Resident', email: 'ada@resident.example', preferredContact: 'email' },
  complaint: {
    whatHappened: 'My boiler has been broken for three weeks and nobody has come.',
    outcomeWanted: 'Fix the boiler and compensate me for the heating costs',
  },
};

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;

export class Harness {
  private constructor(readonly system: LocalSystem) {}

  static async start(options: Partial<LocalSystemOptions> = {}): Promise<Harness> {
    const system = await startLocalSystem({
      profile: 'code-baseline',
      start: new Date('2026-03-02T10:00:00Z'),
      ...options,
    });
    // The SES emulator keeps its outbox in module state, shared by every system started in this process.
    await fetch(`${system.sesUrl}/clear-store`, { method: 'POST' });
    return new Harness(system);
  }

  get deps() {
    return this.system.deps;
  }

  get profile(): ProviderProfile {
    return this.system.deps.context.profile;
  }

  async submit(input: IntakeInput = complaint, key = `key-${Math.random().toString(36).slice(2)}`) {
    const result = await submitComplaint(this.deps, input, key, { kind: 'resident', id: 'web-form' });
    await this.system.settle();
    return result;
  }

  async events(caseId: string): Promise<CaseEvent[]> {
    return (await loadCase(this.deps, caseId)).events;
  }

  async state(caseId: string) {
    return (await loadCase(this.deps, caseId)).state;
  }

  /**
   * Lets the workflow settle until the condition holds, for at most about two seconds of real time: on a busy
   * machine one quiet moment is not always the end of the work already started. Nothing else moves the
   * virtual clock meanwhile, so a condition that needs a timer stays false.
   */
  async settleUntil(condition: () => Promise<boolean> | boolean): Promise<boolean> {
    const until = performance.now() + 2000;
    do {
      await this.system.settle();
      if (await condition()) return true;
    } while (performance.now() < until);
    return false;
  }

  private async openTasks(caseId: string): Promise<TaskRecord[]> {
    return (await this.deps.repository.tasksForCase(caseId)).filter((task) => task.status === 'open');
  }

  async openTask(caseId: string): Promise<TaskRecord> {
    await this.settleUntil(async () => (await this.openTasks(caseId)).length === 1);
    const open = await this.openTasks(caseId);
    if (open.length !== 1) {
      const tasks = (await this.deps.repository.tasksForCase(caseId)).map(
        (t) => `${t.step}:${t.status}:${t.createdAt}`,
      );
      const history = this.execution(caseId)
        ?.history.slice(-6)
        .map((e) => `${e.type}:${e.state}:${e.at}`);
      throw new Error(
        `expected one open task for ${caseId}, found ${open.length} at ${new Date().toISOString()}; tasks ${tasks.join(', ')}; history ${history?.join(', ')}`,
      );
    }
    return open[0] as TaskRecord;
  }

  async act(caseId: string, actor: (typeof staff)[keyof typeof staff], action: Record<string, unknown>) {
    const task = await this.openTask(caseId);
    const result = await actOnTask(this.deps, task.taskId, actor, action);
    await this.system.settle();
    return result;
  }

  async advance(ms: number) {
    await this.system.clock.advance(ms);
  }

  async advanceTo(instant: string) {
    await this.system.clock.advanceTo(new Date(instant));
  }

  async outbox(): Promise<OutboxEmail[]> {
    const response = await fetch(`${this.system.sesUrl}/store`);
    return ((await response.json()) as { emails: OutboxEmail[] }).emails;
  }

  async emailsTo(address: string): Promise<OutboxEmail[]> {
    return (await this.outbox()).filter((email) => email.destination.to.includes(address));
  }

  execution(caseId: string) {
    return this.system.sfn.executionFor(caseId);
  }

  stop() {
    return this.system.stop();
  }

  acknowledgement(stage: 1 | 2) {
    return {
      action: 'acknowledge',
      definition:
        stage === 1 ? 'Delay in repairing the boiler' : 'The stage 1 remedy did not cover the heating costs',
      outcomesSought: ['Boiler repaired', 'Compensation for heating costs'],
    };
  }

  /** Triage that refuses the complaint: a claim at court about the same matter (Code 2.2). */
  notAccepted() {
    return {
      action: 'triage',
      outcome: 'not-accepted',
      exclusionCode: 'legal-proceedings',
      rationale: 'A claim about the same repair was filed at the county court on 2 February 2026.',
      ombudsmanRoute: defaultNonAcceptanceRoute(this.profile),
      legalProceedings: { court: 'County Court at Leeds', filedOn: '2026-02-02' },
    };
  }

  /** Triage that finds a service request, not a complaint. */
  serviceRequest() {
    return { action: 'triage', outcome: 'service-request', notes: 'Engineer booked for Thursday 5 March' };
  }

  response(stage: 1 | 2, extra: Record<string, unknown> = {}) {
    return {
      action: 'respond',
      complaintDefinition: 'Delay in repairing the boiler',
      decision: 'upheld',
      reasons: 'The repair was not booked within our target time of 24 hours for a loss of heating.',
      remedy: { description: 'An apology and £75 for the extra heating costs', compensationPounds: 75 },
      outstandingActions: 'none',
      escalationRoute: defaultEscalationRoute(this.profile, stage),
      ...extra,
    };
  }
}

export function types(events: readonly CaseEvent[]): string[] {
  return events.map((event) => event.type);
}
