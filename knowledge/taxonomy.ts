/**
 * Intent ids the knowledge base must define, with exactly these meanings
 * (see `intent-taxonomy.md`): evaluation sets label questions with them.
 */
export const REQUIRED_INTENTS = [
  "contacts.hotline",
  "contacts.abroad",
  "contacts.email",
  "contacts.online_chat",
  "contacts.social",
  "contacts.all_channels",
  "contacts.mobile_app",
  "hours.schedule",
  "hours.wait_time",
  "dept.pension",
  "dept.social_insurance",
  "dept.tax",
  "account.registration",
  "account.login_recovery",
  "account.email_access",
  "account.identity_verification",
  "services.how_to_apply",
  "application.status",
  "application.rejected",
  "forms.filling_help",
  "attachments.requirements",
  "support.prepare_data",
  "tech.site_problems",
  "privacy.personal_data",
  "feedback.complaint",
  "operator.request",
  "smalltalk.greeting",
  "smalltalk.thanks",
] as const;
