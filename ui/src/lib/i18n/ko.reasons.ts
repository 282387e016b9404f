// 한국어 — why deliveries failed or wait for another attempt (발송현황's 사유 table). Spread into ko.ts.
export const koReasons = {
  'dispatch.reasons': "실패·재시도 사유",
  'dispatch.reasons.retrying': "다시 시도 예정",
  'dispatch.reason.no_answer': "받지 않음",
  'dispatch.reason.busy': "통화 중",
  'dispatch.reason.bad_number': "없는 번호",
  'dispatch.reason.opted_out': "수신 거부",
  'dispatch.reason.unregistered_sender': "발신번호 미등록",
  'dispatch.reason.rate_limited': "요청 한도 초과",
  'dispatch.reason.provider_error': "발송 서버 오류",
  'dispatch.reason_hint.no_answer': "정해진 간격으로 다시 겁니다 (설정의 '발송 서비스와 규칙' 중 재시도 간격).",
  'dispatch.reason_hint.busy': "정해진 간격으로 다시 겁니다 (설정의 '발송 서비스와 규칙' 중 재시도 간격).",
  'dispatch.reason_hint.bad_number': "주민명부에서 번호를 확인해 고치세요.",
  'dispatch.reason_hint.opted_out': "통신사·발송 서버에 수신 거부로 등록된 번호입니다. 주민명부의 수신 거부와 맞추세요.",
  'dispatch.reason_hint.unregistered_sender': "발송 서버에 등록된 발신번호·카카오 채널인지 설정의 '발송 서비스와 규칙'에서 확인하세요. 고칠 때까지 모두 실패합니다.",
  'dispatch.reason_hint.rate_limited': "발송 서버가 속도를 늦추라고 했습니다. 저절로 다시 보냅니다.",
  'dispatch.reason_hint.provider_error': "발송 서버가 알 수 없는 오류를 알렸습니다. 다시 시도하며, 계속되면 발송 서버에 문의하세요."
} as const;
