import type { koErrors } from './ko.errors';

export const enErrors: Record<keyof typeof koErrors, string> = {
  'error.forbidden': 'Your role may not do this',
  'error.out_of_scope': 'This belongs to a village outside yours',
  'error.bad_credentials': 'Wrong user name or password',
  'error.locked_out': 'Too many sign-in attempts: locked for a while',
  'error.not_signed_in': 'Your session ended. Sign in again',
  'error.setup_required': 'First-run setup is needed',
  'error.already_set_up': 'Already set up',
  'error.invalid': 'Check the value you entered',
  'error.duplicate': 'This already exists',
  'error.not_found': 'Not found (it may have been deleted elsewhere)',
  'error.io': 'A file could not be read or written',
  'error.device': 'The audio device could not be opened',
  'error.database': 'A database error occurred',
  'error.internal': 'An internal error occurred',
  'error.conflict': 'Someone else saved this first',
  'error.field': 'field',
  'error.detail': 'detail',
  'conflict.keep_mine': 'Keep mine (then save again)',
  'conflict.load_latest': 'Load the latest (discard mine)'
};
