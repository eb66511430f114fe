import { describe, expect, it } from 'vitest';
import { applyCaseEvent, extensionAllowance } from '#shared/domain/case.ts';
import { offeredActions } from '#shared/usecases/actions.ts';
import { baselineContext, baselineProfile, handler, received } from '../support/fixtures.ts';

const context = baselineContext();
const state = applyCaseEvent(undefined, received('2026-03-02T10:00:00Z'), context, 'case-1');
const handledBy = (id: string) => ({ ...state, stage1: { ...state.stage1, handlers: [id] } });

describe('offeredActions', () => {
  it('bars whoever handled stage 1 from handling stage 2 (Code 6.13), but not from withdrawing it', () => {
    expect(offeredActions('stage2-response', handledBy(handler.id), handler.id)).toEqual(['withdraw']);
    expect(offeredActions('stage2-response', handledBy(handler.id), 'someone-else')).toEqual([
      'extend',
      'respond',
      'withdraw',
    ]);
    expect(offeredActions('stage1-response', handledBy(handler.id), handler.id)).toEqual([
      'extend',
      'respond',
      'withdraw',
    ]);
  });
});

describe('extensionAllowance', () => {
  it('counts what was granted against the cap, and has no remainder without one', () => {
    const extended = {
      ...state,
      stage1: {
        ...state.stage1,
        extensions: [{ workingDays: 4 }, { workingDays: 3 }] as typeof state.stage1.extensions,
      },
    };
    const policy = baselineProfile().stages[0];
    if (!policy) throw new Error('the baseline profile has a stage 1');
    const cap = policy?.extension.maxWorkingDays ?? null;
    expect(extensionAllowance(extended, 1, policy)).toEqual({
      used: 7,
      cap,
      remaining: cap === null ? null : Math.max(0, cap - 7),
    });
    expect(
      extensionAllowance(extended, 1, { extension: { ...policy.extension, maxWorkingDays: null } }),
    ).toEqual({
      used: 7,
      cap: null,
      remaining: null,
    });
  });
});
