import { describe, expect, it } from 'vitest';
import { type CaseEvent, foldCase } from '#shared/domain/case.ts';
import { ProviderProfile } from '#shared/policy/profile.ts';
import { actOnTask } from '#shared/usecases/actions.ts';
import { loadCase } from '#shared/usecases/case-log.ts';
import { submitComplaint } from '#shared/usecases/intake.ts';
import { residentSafeView, residentTimeline } from '#shared/usecases/resident-case.ts';
import { parseTaskForm } from '../../functions/web/staff/actions/index.ts';
import { fakeDependencies } from '../support/fakes/dependencies.ts';
import { baselineContext, baselineProfile, handler, received, stageResponse } from '../support/fixtures.ts';

const ctx = baselineContext();
const profile = ctx.profile;
const learning = { theme: 'Damp and mould', rootCause: 'Resident not kept informed' };

const upToResponse: CaseEvent[] = [
  received('2026-03-02T10:00:00Z'),
  { type: 'triaged', at: '2026-03-02T11:00:00Z', by: handler, outcome: 'complaint' },
  {
    type: 'acknowledged',
    at: '2026-03-03T09:00:00Z',
    by: handler,
    stage: 1,
    definition: 'Mould in the bedroom',
    outcomesSought: ['Treat the mould'],
  },
];
const respond = (extra: Partial<Extract<CaseEvent, { type: 'response-issued' }>>): CaseEvent => ({
  type: 'response-issued',
  at: '2026-03-10T09:00:00Z',
  by: handler,
  stage: 1,
  letter: stageResponse(profile, 1),
  ...extra,
});

describe('learning recorded with a response (Code 9.1)', () => {
  it('the profile has theme and root-cause lists by default, and refuses an empty or repeated one', () => {
    expect(profile.learning.themes).toContain('Repairs and maintenance');
    expect(profile.learning.rootCauses).toContain('No fault found');
    const { learning: _l, ...input } = baselineProfile();
    expect(ProviderProfile().parse(input).learning.themes.length).toBeGreaterThan(3);
    const repeated = ProviderProfile().safeParse({
      ...input,
      learning: { themes: ['A', 'a'], rootCauses: ['B'] },
    });
    expect(repeated.success).toBe(false);
    expect(JSON.stringify(repeated.error?.issues)).toContain('each theme must be listed once');
    const empty = ProviderProfile().safeParse({ ...input, learning: { themes: ['A'], rootCauses: [] } });
    expect(JSON.stringify(empty.error?.issues)).toContain('list at least one root cause');
  });

  it('the stage keeps the theme and root cause; one not on the lists is refused, naming the lists', () => {
    const state = foldCase('case-1', [...upToResponse, respond({ learning })], ctx);
    expect(state.stage1.learning).toEqual(learning);
    expect(() =>
      foldCase('case-1', [...upToResponse, respond({ learning: { ...learning, theme: 'Parking' } })], ctx),
    ).toThrow(/"Parking" is not one of the themes: choose one of Repairs and maintenance;/);
    expect(() =>
      foldCase('case-1', [...upToResponse, respond({ learning: { ...learning, rootCause: 'Luck' } })], ctx),
    ).toThrow(/"Luck" is not one of the root causes/);
  });

  it('the console form asks for both, from the lists', () => {
    const state = foldCase('case-1', upToResponse, ctx);
    const body = {
      action: 'respond',
      complaintDefinition: 'Mould',
      decision: 'not-upheld',
      reasons: 'Treated on time',
      remedy: 'none',
      actions: 'none',
      escalationRoute: 'Ask us for stage 2',
    };
    const missing = parseTaskForm(body, { profile, state, step: 'stage1-response' });
    expect(missing.errors).toEqual([
      { field: 'theme', message: 'Choose the theme: what the complaint was about' },
      { field: 'rootCause', message: 'Choose the root cause: why it happened' },
    ]);
    const chosen = parseTaskForm(
      { ...body, theme: learning.theme, rootCause: 'Made up' },
      { profile, state, step: 'stage1-response' },
    );
    expect(chosen.errors.map((error) => error.field)).toEqual(['rootCause']);
    const complete = parseTaskForm({ ...body, ...learning }, { profile, state, step: 'stage1-response' });
    expect(complete.action).toMatchObject({ action: 'respond', ...learning });
  });

  it('acting on the task records it on the event, not in the letter, and the resident never sees it', async () => {
    const { deps, repository } = fakeDependencies();
    const { caseId } = await submitComplaint(
      deps,
      {
        complainant: { name: 'Ada', email: 'ada@resident.example', preferredContact: 'email' },
        complaint: { whatHappened: 'Mould', outcomeWanted: 'Treat it' },
      },
      'key-learning-1',
      { kind: 'resident', id: 'web-form' },
    );
    const staff = { ...handler, email: 'h@landlord.example' };
    const taskFor = async (step: Parameters<typeof repository.putTask>[0]['step']) => {
      const taskId = `task-${step}`;
      await repository.putTask({
        taskId,
        caseId,
        reference: 'CMP',
        step,
        role: 'handler',
        token: `token-${step}`,
        status: 'open',
        createdAt: '2026-03-02T10:00:00Z',
      });
      return taskId;
    };
    await actOnTask(deps, await taskFor('triage'), staff, { action: 'triage', outcome: 'complaint' });
    await actOnTask(deps, await taskFor('stage1-acknowledgement'), staff, {
      action: 'acknowledge',
      definition: 'Mould',
      outcomesSought: ['Treat it'],
    });
    const { stage: _s, ...letter } = stageResponse(profile, 1);
    await actOnTask(deps, await taskFor('stage1-response'), staff, {
      action: 'respond',
      ...letter,
      ...learning,
    });
    const { events, state } = await loadCase(deps, caseId);
    const issued = events.find((event) => event.type === 'response-issued');
    expect(issued).toMatchObject({ learning, letter: { decision: 'upheld' } });
    expect(JSON.stringify((issued as { letter: unknown }).letter)).not.toContain(learning.theme);
    expect(JSON.stringify(residentTimeline(events))).not.toContain(learning.theme);
    expect(JSON.stringify(residentSafeView(state))).not.toContain(learning.rootCause);
  });
});
