/**
 * Every HTTP route: the CDK stack, the local runtime's server and the OpenAPI document are all checked
 * against this one list, so a route cannot exist in one place and not the others.
 */
export interface RouteDefinition {
  method: 'GET' | 'POST';
  path: string;
  /** Module under functions/ and its export. */
  module: string;
  exportName: string;
  /** public: residents (throttled, size-limited); staff: Cognito JWT with a complaints group. */
  access: 'public' | 'staff';
  summary: string;
}

export const ROUTES: readonly RouteDefinition[] = [
  {
    method: 'POST',
    path: '/complaints',
    module: 'api/submit-complaint',
    exportName: 'residentHandler',
    access: 'public',
    summary: "A resident's complaint from the web form",
  },
  {
    method: 'GET',
    path: '/cases/{caseId}',
    module: 'api/resident',
    exportName: 'viewHandler',
    access: 'public',
    summary: 'The resident view of a case, through the signed link in every letter',
  },
  {
    method: 'POST',
    path: '/cases/{caseId}/actions',
    module: 'api/resident',
    exportName: 'actionHandler',
    access: 'public',
    summary: 'Ask for stage 2, withdraw, or add information (signed link)',
  },
  {
    method: 'POST',
    path: '/staff/complaints',
    module: 'api/submit-complaint',
    exportName: 'staffHandler',
    access: 'staff',
    summary: 'Log a complaint received by phone, letter, in person or social media',
  },
  {
    method: 'GET',
    path: '/staff/queue',
    module: 'api/staff-queries',
    exportName: 'queueHandler',
    access: 'staff',
    summary: 'Open tasks for a role, earliest due first',
  },
  {
    method: 'GET',
    path: '/staff/cases/{caseId}',
    module: 'api/staff-queries',
    exportName: 'caseHandler',
    access: 'staff',
    summary: 'A case with its events, tasks and position',
  },
  {
    method: 'POST',
    path: '/staff/tasks/{taskId}/actions',
    module: 'api/staff-actions',
    exportName: 'taskActionHandler',
    access: 'staff',
    summary: 'Act on a workflow task: triage, acknowledge, extend, respond, escalate, withdraw',
  },
  {
    method: 'POST',
    path: '/staff/cases/{caseId}/events',
    module: 'api/staff-actions',
    exportName: 'caseActionHandler',
    access: 'staff',
    summary: 'Notes, outstanding actions, related issues and Ombudsman referrals',
  },
];
