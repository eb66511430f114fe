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
    method: 'GET',
    path: '/staff/retention',
    module: 'api/staff-queries',
    exportName: 'retentionHandler',
    access: 'staff',
    summary: 'What the next retention run will do (a dry run); managers and admins',
  },
  {
    method: 'POST',
    path: '/staff/subject-access/export',
    module: 'api/subject-access',
    exportName: 'exportHandler',
    access: 'staff',
    summary:
      'Everything held about a person (by email, phone or whole name) as JSON, recorded on each case; managers and admins',
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
  {
    method: 'POST',
    path: '/staff/cases/{caseId}/erasure',
    module: 'api/erasure',
    exportName: 'decisionHandler',
    access: 'staff',
    summary: 'An erasure request and its decision',
  },
];

/** A page route: method, path, the export of its page module, and summary. */
type PageRoute = readonly [method: 'GET' | 'POST', path: string, exportName: string, summary: string];

/**
 * One page module's routes. Each list is built by a call marked pure from literals alone, so a page function's
 * bundle, which imports only its own module's list (functions/web/entry/), leaves every other module's routes
 * out (the 300 KB limit, issue 12). Each module is one Lambda ({@link PAGE_FUNCTIONS}).
 */
function pageRoutes(
  module: string,
  access: RouteDefinition['access'],
  routes: readonly PageRoute[],
): readonly RouteDefinition[] {
  return routes.map(([method, path, exportName, summary]) => ({
    method,
    path,
    module,
    exportName,
    access,
    summary,
  }));
}

/** Resident pages: the complaint form, how to complain, and a case's actions (signed link). */
export const RESIDENT_PAGE_ROUTES = /* @__PURE__ */ pageRoutes('web/resident-pages', 'public', [
  ['GET', '/', 'homePage', 'Start page: make a complaint, or read how'],
  ['GET', '/complain', 'complaintForm', 'The complaint form'],
  ['POST', '/complain', 'submitComplaintForm', 'Submit the complaint form'],
  ['GET', '/how-to-complain', 'howToComplain', 'How to complain, from the provider profile'],
  ['GET', '/cases/{caseId}/escalate', 'confirmEscalation', 'Confirm asking for stage 2'],
  ['POST', '/cases/{caseId}/escalate', 'escalate', 'Ask for stage 2'],
  ['GET', '/cases/{caseId}/withdraw', 'confirmWithdrawal', 'Confirm withdrawing'],
  ['POST', '/cases/{caseId}/withdraw', 'withdraw', 'Withdraw the complaint'],
  ['GET', '/cases/{caseId}/add-information', 'addInformationForm', 'Add information'],
  ['POST', '/cases/{caseId}/add-information', 'addInformation', 'Send added information'],
]);

/** The staff sign-in: public, since it is how staff get a session. */
export const SIGN_IN_ROUTES = /* @__PURE__ */ pageRoutes('web/staff-sign-in', 'public', [
  ['GET', '/staff/sign-in', 'signInPage', 'Staff sign-in (Cognito hosted UI in AWS; demo users locally)'],
  ['POST', '/staff/sign-in', 'signIn', 'Local mode: sign in as a demo user'],
  ['GET', '/staff/callback', 'callback', 'Cognito hosted UI callback'],
  ['GET', '/staff/sign-out', 'signOut', 'Sign out'],
]);

/** The staff console: queue, search, held email, logging a complaint, downloads and evidence packs. */
export const STAFF_PAGE_ROUTES = /* @__PURE__ */ pageRoutes('web/staff-pages', 'staff-page', [
  ['GET', '/staff', 'queuePage', 'Work queue'],
  ['GET', '/staff/search', 'searchPage', "Find a case by reference, or the resident's name, email or phone"],
  [
    'GET',
    '/staff/case/{caseId}/attachments/{index}',
    'downloadAttachment',
    "Download one of the resident's photos or documents",
  ],
  [
    'GET',
    '/staff/case/{caseId}/emails/{index}',
    'downloadEmail',
    'Download one of the raw emails of the case (recorded on the case as an access)',
  ],
  [
    'POST',
    '/staff/case/{caseId}/evidence-pack',
    'evidencePack',
    'The Ombudsman evidence pack: a printable document or a ZIP of letters and files (recorded on the case)',
  ],
  ['GET', '/staff/held-email', 'heldEmailList', 'Email held for staff'],
  ['GET', '/staff/held-email/{messageKey}', 'heldEmailPage', 'One held email, to read and act on'],
  ['GET', '/staff/held-email/{messageKey}/raw', 'downloadHeldEmailRaw', 'Download a held email as received'],
  [
    'POST',
    '/staff/held-email/{messageKey}',
    'heldEmailAction',
    'Add a held email to a case, or open a new case from it (once)',
  ],
  ['GET', '/staff/log-complaint', 'logComplaintForm', 'Log a complaint made by phone, letter...'],
  ['POST', '/staff/log-complaint', 'logComplaint', 'Submit a logged complaint'],
]);

/** The staff case page and its actions. */
export const CASE_PAGE_ROUTES = /* @__PURE__ */ pageRoutes('web/case-pages', 'staff-page', [
  ['GET', '/staff/case/{caseId}', 'casePage', 'A case, with its actions'],
  ['POST', '/staff/case/{caseId}/task', 'taskAction', 'Act on the open task'],
  ['POST', '/staff/case/{caseId}/record', 'recordOnCase', 'Notes, actions, referrals'],
]);

/** The manager view, annual report, themes and the improvements register. */
export const REPORT_PAGE_ROUTES = /* @__PURE__ */ pageRoutes('web/report-pages', 'staff-page', [
  ['GET', '/staff/manager', 'managerPage', 'Breaches and handler load'],
  [
    'GET',
    '/staff/reports/annual',
    'annualReportPage',
    'The annual complaints performance and service improvement report (?year=, ?version=, ?format=csv)',
  ],
  [
    'POST',
    '/staff/reports/annual',
    'annualReportAction',
    "Save the self-assessment and the governing body's response, or approve the report",
  ],
  [
    'GET',
    '/staff/themes',
    'themesPage',
    'Themes and root causes by month or quarter, with the cases behind each count (?year=, ?by=, ?theme=, ?rootCause=, ?in=)',
  ],
  ['GET', '/staff/improvements', 'improvementsPage', 'The improvements register'],
  ['POST', '/staff/improvements', 'improvementsAction', 'Add an improvement, or mark one done'],
]);

/** Subject access, corrections and erasure, the retention dry run. */
export const RECORDS_PAGE_ROUTES = /* @__PURE__ */ pageRoutes('web/records-pages', 'staff-page', [
  [
    'GET',
    '/staff/subject-access',
    'subjectAccessPage',
    "A subject access request: find a person's cases by email, phone or whole name (?q=); managers and admins",
  ],
  [
    'POST',
    '/staff/subject-access',
    'subjectAccessExport',
    'Export everything held about the person (readable page, JSON or ZIP), recorded on each case',
  ],
  ['GET', '/staff/records/retention', 'retentionPage', 'The retention dry run'],
  ['GET', '/staff/case/{caseId}/personal-data', 'personalDataPage', 'Corrections and erasure'],
  [
    'POST',
    '/staff/case/{caseId}/personal-data',
    'personalDataAction',
    'Record a correction or an erasure decision',
  ],
]);

/** govuk-frontend's static files. */
export const ASSET_ROUTES = /* @__PURE__ */ pageRoutes('web/assets', 'asset', [
  ['GET', '/assets/{proxy+}', 'handler', 'govuk-frontend fonts and images'],
  ['GET', '/govuk/{proxy+}', 'handler', 'govuk-frontend CSS and JavaScript'],
]);

/** The web pages: server-rendered GOV.UK Design System HTML that works without JavaScript. */
export const PAGE_ROUTES: readonly RouteDefinition[] = /* @__PURE__ */ [
  RESIDENT_PAGE_ROUTES,
  SIGN_IN_ROUTES,
  STAFF_PAGE_ROUTES,
  CASE_PAGE_ROUTES,
  REPORT_PAGE_ROUTES,
  RECORDS_PAGE_ROUTES,
  ASSET_ROUTES,
].flat();

/** A Lambda function behind the routes of one page module. */
export interface PageFunction {
  /** The function's name after the stack prefix. */
  name: string;
  /** Module under functions/ whose `handler` serves every route of the page module, by route key. */
  entry: string;
  description: string;
}

/**
 * One function per page module, split by audience and page group so each bundle stays within 300 KB (issue
 * 12) and each role holds only the grants its pages use (infra/constructs/complaint-api.ts).
 */
export const PAGE_FUNCTIONS: Readonly<Record<string, PageFunction>> = {
  'web/resident-pages': {
    name: 'web-resident',
    entry: 'web/entry/resident',
    description: "Resident pages: the complaint form, how to complain, and a case's actions",
  },
  'web/staff-sign-in': {
    name: 'web-sign-in',
    entry: 'web/entry/sign-in',
    description: 'Staff sign-in and sign-out',
  },
  'web/staff-pages': {
    name: 'web-staff',
    entry: 'web/entry/staff',
    description:
      'Staff console: queue, search, held email, logging a complaint, downloads and evidence packs',
  },
  'web/case-pages': {
    name: 'web-case',
    entry: 'web/entry/case',
    description: 'The staff case page and its actions',
  },
  'web/records-pages': {
    name: 'web-records',
    entry: 'web/entry/records',
    description: 'Subject access, corrections, erasure, retention dry run',
  },
  'web/report-pages': {
    name: 'web-reports',
    entry: 'web/entry/reports',
    description: 'Manager view, annual report, themes and the improvements register',
  },
};

// Marked pure so a page bundle, which reads only PAGE_ROUTES, leaves the API routes out (300 KB limit).
export const ALL_ROUTES: readonly RouteDefinition[] = /* @__PURE__ */ ROUTES.concat(PAGE_ROUTES);
