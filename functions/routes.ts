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
  /**
   * public: residents (throttled, size-limited; case routes check the signed link); staff: the HTTP API's
   * Cognito JWT authorizer; staff-page: HTML pages whose handler checks the session cookie (the authorizer
   * reads only headers); asset: static govuk-frontend files.
   */
  access: 'public' | 'staff' | 'staff-page' | 'asset';
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
    path: '/staff/cases',
    module: 'api/staff-queries',
    exportName: 'searchHandler',
    access: 'staff',
    summary: "Find cases by reference, or the resident's name, email or phone (?q=)",
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
    method: 'GET',
    path: '/staff/reports',
    module: 'api/staff-queries',
    exportName: 'reportsHandler',
    access: 'staff',
    summary:
      'Complaint figures for a period (TSM CH01/CH02 and the rest), JSON, CSV or HTML; managers and admins',
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

const page = (
  method: 'GET' | 'POST',
  path: string,
  module: string,
  exportName: string,
  access: RouteDefinition['access'],
  summary: string,
): RouteDefinition => ({ method, path, module, exportName, access, summary });

/** The web pages: server-rendered GOV.UK Design System HTML that works without JavaScript. */
export const PAGE_ROUTES: readonly RouteDefinition[] = [
  page('GET', '/', 'web/resident-pages', 'homePage', 'public', 'Start page: make a complaint, or read how'),
  page('GET', '/complain', 'web/resident-pages', 'complaintForm', 'public', 'The complaint form'),
  page(
    'POST',
    '/complain',
    'web/resident-pages',
    'submitComplaintForm',
    'public',
    'Submit the complaint form',
  ),
  page(
    'GET',
    '/how-to-complain',
    'web/resident-pages',
    'howToComplain',
    'public',
    'How to complain, from the provider profile',
  ),
  page(
    'GET',
    '/cases/{caseId}/escalate',
    'web/resident-pages',
    'confirmEscalation',
    'public',
    'Confirm asking for stage 2',
  ),
  page('POST', '/cases/{caseId}/escalate', 'web/resident-pages', 'escalate', 'public', 'Ask for stage 2'),
  page(
    'GET',
    '/cases/{caseId}/withdraw',
    'web/resident-pages',
    'confirmWithdrawal',
    'public',
    'Confirm withdrawing',
  ),
  page(
    'POST',
    '/cases/{caseId}/withdraw',
    'web/resident-pages',
    'withdraw',
    'public',
    'Withdraw the complaint',
  ),
  page(
    'GET',
    '/cases/{caseId}/add-information',
    'web/resident-pages',
    'addInformationForm',
    'public',
    'Add information',
  ),
  page(
    'POST',
    '/cases/{caseId}/add-information',
    'web/resident-pages',
    'addInformation',
    'public',
    'Send added information',
  ),
  page(
    'GET',
    '/staff/sign-in',
    'web/staff-sign-in',
    'signInPage',
    'public',
    'Staff sign-in (Cognito hosted UI in AWS; demo users locally)',
  ),
  page(
    'POST',
    '/staff/sign-in',
    'web/staff-sign-in',
    'signIn',
    'public',
    'Local mode: sign in as a demo user',
  ),
  page('GET', '/staff/callback', 'web/staff-sign-in', 'callback', 'public', 'Cognito hosted UI callback'),
  page('GET', '/staff/sign-out', 'web/staff-sign-in', 'signOut', 'public', 'Sign out'),
  page('GET', '/staff', 'web/staff-pages', 'queuePage', 'staff-page', 'Work queue'),
  page('GET', '/staff/manager', 'web/staff-pages', 'managerPage', 'staff-page', 'Breaches and handler load'),
  page(
    'GET',
    '/staff/reports/annual',
    'web/staff-pages',
    'annualReportPage',
    'staff-page',
    'The annual complaints performance and service improvement report (?year=, ?version=, ?format=csv)',
  ),
  page(
    'POST',
    '/staff/reports/annual',
    'web/staff-pages',
    'annualReportAction',
    'staff-page',
    "Save the self-assessment and the governing body's response, or approve the report",
  ),
  page(
    'GET',
    '/staff/improvements',
    'web/staff-pages',
    'improvementsPage',
    'staff-page',
    'The improvements register',
  ),
  page(
    'POST',
    '/staff/improvements',
    'web/staff-pages',
    'improvementsAction',
    'staff-page',
    'Add an improvement, or mark one done',
  ),
  page(
    'GET',
    '/staff/search',
    'web/staff-pages',
    'searchPage',
    'staff-page',
    "Find a case by reference, or the resident's name, email or phone",
  ),
  page(
    'GET',
    '/staff/case/{caseId}',
    'web/staff-pages',
    'casePage',
    'staff-page',
    'A case, with its actions',
  ),
  page(
    'GET',
    '/staff/case/{caseId}/attachments/{index}',
    'web/staff-pages',
    'downloadAttachment',
    'staff-page',
    "Download one of the resident's photos or documents",
  ),
  page(
    'GET',
    '/staff/case/{caseId}/emails/{index}',
    'web/staff-pages',
    'downloadEmail',
    'staff-page',
    'Download one of the raw emails of the case (recorded on the case as an access)',
  ),
  page(
    'POST',
    '/staff/case/{caseId}/task',
    'web/staff-pages',
    'taskAction',
    'staff-page',
    'Act on the open task',
  ),
  page(
    'POST',
    '/staff/case/{caseId}/record',
    'web/staff-pages',
    'recordOnCase',
    'staff-page',
    'Notes, actions, referrals',
  ),
  page(
    'POST',
    '/staff/case/{caseId}/evidence-pack',
    'web/staff-pages',
    'evidencePack',
    'staff-page',
    'The Ombudsman evidence pack: a printable document or a ZIP of letters and files (recorded on the case)',
  ),
  page('GET', '/staff/held-email', 'web/staff-pages', 'heldEmailList', 'staff-page', 'Email held for staff'),
  page(
    'GET',
    '/staff/held-email/{messageKey}',
    'web/staff-pages',
    'heldEmailPage',
    'staff-page',
    'One held email, to read and act on',
  ),
  page(
    'GET',
    '/staff/held-email/{messageKey}/raw',
    'web/staff-pages',
    'downloadHeldEmailRaw',
    'staff-page',
    'Download a held email as received',
  ),
  page(
    'POST',
    '/staff/held-email/{messageKey}',
    'web/staff-pages',
    'heldEmailAction',
    'staff-page',
    'Add a held email to a case, or open a new case from it (once)',
  ),
  page(
    'GET',
    '/staff/log-complaint',
    'web/staff-pages',
    'logComplaintForm',
    'staff-page',
    'Log a complaint made by phone, letter...',
  ),
  page(
    'POST',
    '/staff/log-complaint',
    'web/staff-pages',
    'logComplaint',
    'staff-page',
    'Submit a logged complaint',
  ),
  page('GET', '/assets/{proxy+}', 'web/assets', 'handler', 'asset', 'govuk-frontend fonts and images'),
  page('GET', '/govuk/{proxy+}', 'web/assets', 'handler', 'asset', 'govuk-frontend CSS and JavaScript'),
];

export const ALL_ROUTES: readonly RouteDefinition[] = [...ROUTES, ...PAGE_ROUTES];
