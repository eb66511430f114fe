/**
 * The resident's page handlers, as functions/routes.ts names them (module `web/resident-pages`): each journey
 * lives in functions/web/resident/. GET never changes anything (email scanners prefetch links); only the POST
 * forms act, and each carries the signed token in a hidden field.
 */
export { addInformation, addInformationForm } from './resident/add-information.ts';
export { casePage } from './resident/case.ts';
export { complaintForm, submitComplaintForm } from './resident/complaint.ts';
export { confirmEscalation, escalate } from './resident/escalate.ts';
export { homePage } from './resident/home.ts';
export { howToComplain } from './resident/how-to-complain.ts';
export { confirmWithdrawal, withdraw } from './resident/withdraw.ts';
