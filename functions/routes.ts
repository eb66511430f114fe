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

const page =
  (module: string, access: RouteDefinition['access']) =>
  (method: 'GET' | 'POST', path: string, exportName: string, summary: string): RouteDefinition => ({
    method,
    path,
    module,
    exportName,
    access,
    summary,
  });
/**
 * Resident pages, the staff sign-in (public: it is how staff get a session) and the signed-in staff pages: the
 * console, the case page with its actions, the reports and subject access. Each module is one Lambda ({@link PAGE_FUNCTIONS}).
 */
const resident = page('web/resident-pages', 'public');
const signIn = page('web/staff-sign-in', 'public');
const staff = page('web/staff-pages', 'staff-page');
const casePage = page('web/case-pages', 'staff-page');
const reports = page('web/report-pages', 'staff-page');
const records = page('web/records-pages', 'staff-page');
const asset = (path: string, summary: string) => page('web/assets', 'asset')('GET', path, 'handler', summary);

/** The web pages: server-rendered GOV.UK Design System HTML that works without JavaScript. */
export const PAGE_ROUTES: readonly RouteDefinition[] = [
  resident('GET', '/', 'homePage', 'Start page: make a complaint, or read how'),
  resident('GET', '/complain', 'complaintForm', 'The complaint form'),
  resident('POST', '/complain', 'submitComplaintForm', 'Submit the complaint form'),
  resident('GET', '/how-to-complain', 'howToComplain', 'How to complain, from the provider profile'),
  resident('GET', '/cases/{caseId}/escalate', 'confirmEscalation', 'Confirm asking for stage 2'),
  resident('POST', '/cases/{caseId}/escalate', 'escalate', 'Ask for stage 2'),
  resident('GET', '/cases/{caseId}/withdraw', 'confirmWithdrawal', 'Confirm withdrawing'),
  resident('POST', '/cases/{caseId}/withdraw', 'withdraw', 'Withdraw the complaint'),
  resident('GET', '/cases/{caseId}/add-information', 'addInformationForm', 'Add information'),
  resident('POST', '/cases/{caseId}/add-information', 'addInformation', 'Send added information'),
  signIn(
    'GET',
    '/staff/sign-in',
    'signInPage',
    'Staff sign-in (Cognito hosted UI in AWS; demo users locally)',
  ),
  signIn('POST', '/staff/sign-in', 'signIn', 'Local mode: sign in as a demo user'),
  signIn('GET', '/staff/callback', 'callback', 'Cognito hosted UI callback'),
  signIn('GET', '/staff/sign-out', 'signOut', 'Sign out'),
  staff('GET', '/staff', 'queuePage', 'Work queue'),
  reports('GET', '/staff/manager', 'managerPage', 'Breaches and handler load'),
  reports(
    'GET',
    '/staff/reports/annual',
    'annualReportPage',
    'The annual complaints performance and service improvement report (?year=, ?version=, ?format=csv)',
  ),
  reports(
    'POST',
    '/staff/reports/annual',
    'annualReportAction',
    "Save the self-assessment and the governing body's response, or approve the report",
  ),
  reports(
    'GET',
    '/staff/themes',
    'themesPage',
    'Themes and root causes by month or quarter, with the cases behind each count (?year=, ?by=, ?theme=, ?rootCause=, ?in=)',
  ),
  reports('GET', '/staff/improvements', 'improvementsPage', 'The improvements register'),
  reports('POST', '/staff/improvements', 'improvementsAction', 'Add an improvement, or mark one done'),
  staff(
    'GET',
    '/staff/search',
    'searchPage',
    "Find a case by reference, or the resident's name, email or phone",
  ),
  records(
    'GET',
    '/staff/subject-access',
    'subjectAccessPage',
    "A subject access request: find a person's cases by email, phone or whole name (?q=); managers and admins",
  ),
  records(
    'POST',
    '/staff/subject-access',
    'subjectAccessExport',
    'Export everything held about the person (readable page, JSON or ZIP), recorded on each case',
  ),
  records('GET', '/staff/records/retention', 'retentionPage', 'The retention dry run'),
  records('GET', '/staff/case/{caseId}/personal-data', 'personalDataPage', 'Corrections and erasure'),
  records(
    'POST',
    '/staff/case/{caseId}/personal-data',
    'personalDataAction',
    'Record a correction or an erasure decision',
  ),
  casePage('GET', '/staff/case/{caseId}', 'casePage', 'A case, with its actions'),
  staff(
    'GET',
    '/staff/case/{caseId}/attachments/{index}',
    'downloadAttachment',
    "Download one of the resident's photos or documents",
  ),
  staff(
    'GET',
    '/staff/case/{caseId}/emails/{index}',
    'downloadEmail',
    'Download one of the raw emails of the case (recorded on the case as an access)',
  ),
  casePage('POST', '/staff/case/{caseId}/task', 'taskAction', 'Act on the open task'),
  casePage('POST', '/staff/case/{caseId}/record', 'recordOnCase', 'Notes, actions, referrals'),
  staff(
    'POST',
    '/staff/case/{caseId}/evidence-pack',
    'evidencePack',
    'The Ombudsman evidence pack: a printable document or a ZIP of letters and files (recorded on the case)',
  ),
  staff('GET', '/staff/held-email', 'heldEmailList', 'Email held for staff'),
  staff('GET', '/staff/held-email/{messageKey}', 'heldEmailPage', 'One held email, to read and act on'),
  staff(
    'GET',
    '/staff/held-email/{messageKey}/raw',
    'downloadHeldEmailRaw',
    'Download a held email as received',
  ),
  staff(
    'POST',
    '/staff/held-email/{messageKey}',
    'heldEmailAction',
    'Add a held email to a case, or open a new case from it (once)',
  ),
  staff('GET', '/staff/log-complaint', 'logComplaintForm', 'Log a complaint made by phone, letter...'),
  staff('POST', '/staff/log-complaint', 'logComplaint', 'Submit a logged complaint'),
  asset('/assets/{proxy+}', 'govuk-frontend fonts and images'),
  asset('/govuk/{proxy+}', 'govuk-frontend CSS and JavaScript'),
];

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
