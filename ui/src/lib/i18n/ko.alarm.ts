// 한국어: disaster drafts on the villages' loudspeakers. Keys shared with en.alarm.ts.
export const koAlarm = {
  'alarm.title': "확성기 재난 경보",
  'alarm.recording': "확성기로 틀 재난 안내 녹음",
  'alarm.none': "정하지 않음 (확성기로 틀지 않음)",
  'alarm.auto': "위급재난은 사람을 기다리지 않고 바로 확성기로 방송",
  'alarm.save': "저장",
  'alarm.saved': "확성기 재난 경보 설정을 저장했습니다",
  'alarm.hint': "재난 초안을 보낼 때 이 녹음을 초안의 마을 확성기로 틉니다 (구역 신호 다음에). 군 전체용으로 마무리된 녹음만 고를 수 있습니다. 자동 방송은 30분 안에 들어온 위급재난만, 방송 중이 아닐 때 한 번 틉니다.",
  'alarm.play': "확성기로 방송",
  'alarm.played': "확성기 방송함 {time}",
  'alarm.played_auto': "확성기 자동 방송함 {time}",
  'alarm.playing': "확성기로 방송 중입니다: {title}",
  'alarm.queued': "다른 방송이 끝나는 대로 확성기로 틉니다",
  'alarm.failed': "전화·문자는 보냈으나 확성기는 틀지 못했습니다: {reason}",
  'alarm.auto_failed': "확성기 자동 방송 실패",
} as const;
