import type { StaffRole } from '#shared/domain/case.ts';

/** Seeded staff for the local runtime (in AWS, staff are Cognito users in these groups). */
export interface DemoUser {
  id: string;
  name: string;
  email: string;
  role: StaffRole;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'hannah', name: 'Hannah Handler', email: 'hannah@staff.localhost', role: 'handler' },
  { id: 'harry', name: 'Harry Handler', email: 'harry@staff.localhost', role: 'handler' },
  { id: 'rita', name: 'Rita Reviewer', email: 'rita@staff.localhost', role: 'reviewer' },
  { id: 'mo', name: 'Mo Manager', email: 'mo@staff.localhost', role: 'manager' },
  { id: 'ade', name: 'Ade Admin', email: 'ade@staff.localhost', role: 'admin' },
];

/**
 * The claims the HTTP API's Cognito JWT authorizer would pass for this user's ID token. The `sub` is fixed
 * per demo user, so a restart (or signing in again) is the same person to every rule that compares staff.
 */
export function claimsFor(user: DemoUser): Record<string, unknown> {
  return {
    sub: `local-${user.id}`,
    token_use: 'id',
    email: user.email,
    email_verified: true,
    name: user.name,
    'cognito:groups': [user.role],
  };
}

export function findDemoUser(id: string | undefined): DemoUser | undefined {
  return DEMO_USERS.find((user) => user.id === id);
}
