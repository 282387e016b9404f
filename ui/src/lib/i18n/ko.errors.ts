// The headline for each `ApiError.code` the backend can return (see `ErrorCode` in the
// generated bindings). The backend's own message, naming the row and field, follows it.
import type { ErrorCode } from '../bindings';

export const koErrors = {
  'error.forbidden': '이 역할로는 할 수 없는 작업입니다',
  'error.out_of_scope': '담당 마을 밖의 자료입니다',
  'error.bad_credentials': '아이디 또는 비밀번호가 맞지 않습니다',
  'error.locked_out': '로그인 시도가 많아 잠시 잠겼습니다',
  'error.not_signed_in': '로그인이 끝났습니다. 다시 로그인하세요',
  'error.setup_required': '처음 사용 설정이 필요합니다',
  'error.already_set_up': '이미 설정되어 있습니다',
  'error.invalid': '입력한 값을 확인하세요',
  'error.duplicate': '이미 있는 항목입니다',
  'error.not_found': '찾는 항목이 없습니다 (다른 곳에서 지웠을 수 있습니다)',
  'error.io': '파일을 읽거나 쓰지 못했습니다',
  'error.device': '오디오 장치를 열지 못했습니다',
  'error.database': '데이터베이스 오류가 났습니다',
  'error.internal': '프로그램 오류가 났습니다',
  'error.conflict': '다른 사용자가 먼저 고쳤습니다',
  'error.field': '항목',
  'error.detail': '자세히',
  'conflict.keep_mine': '내 입력으로 저장하기 (한 번 더 누르세요)',
  'conflict.load_latest': '최신 내용 불러오기 (내 입력은 버림)'
} as const satisfies Record<`error.${ErrorCode}` | 'error.field' | 'error.detail' | `conflict.${string}`, string>;
