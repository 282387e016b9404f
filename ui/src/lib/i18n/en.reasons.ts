import type { koReasons } from './ko.reasons';

// English for the failure and retry reasons: every key of ko.reasons.ts.
export const enReasons: Record<keyof typeof koReasons, string> = {
  'dispatch.reasons': "Why failed or retrying",
  'dispatch.reasons.retrying': "Will retry",
  'dispatch.reason.no_answer': "No answer",
  'dispatch.reason.busy': "Busy",
  'dispatch.reason.bad_number': "No such number",
  'dispatch.reason.opted_out': "Opted out",
  'dispatch.reason.unregistered_sender': "Sender not registered",
  'dispatch.reason.rate_limited': "Rate limited",
  'dispatch.reason.provider_error': "Provider error",
  'dispatch.reason_hint.no_answer': "Called again at the set intervals (Settings, 'Provider and sending rules', retry waits).",
  'dispatch.reason_hint.busy': "Called again at the set intervals (Settings, 'Provider and sending rules', retry waits).",
  'dispatch.reason_hint.bad_number': "Check and correct the number in the registry.",
  'dispatch.reason_hint.opted_out': "The carrier or provider lists this number as opted out. Match the registry's opt-out.",
  'dispatch.reason_hint.unregistered_sender': "Check in Settings, 'Provider and sending rules', that the sender number and Kakao channel are registered with the provider. Everything fails until it is fixed.",
  'dispatch.reason_hint.rate_limited': "The provider asked us to slow down. Sent again by itself.",
  'dispatch.reason_hint.provider_error': "The provider reported an error it did not explain. Retried; if it persists, contact the provider."
};
