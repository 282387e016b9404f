// 한국어 — the office's subscriber groups (주민명부 그룹 tab, compose targets). Spread into ko.ts.
export const koGroups = {
  'registry.tab.groups': "그룹",
  'registry.filter.group': "그룹 전체",
  'group.name': "그룹 이름",
  'group.note': "메모",
  'group.members': "인원",
  'group.villages': "마을 수",
  'group.villages_suffix': "개 마을",
  'group.edit': "고치기",
  'group.empty': "그룹이 없습니다. 오른쪽에서 새 그룹을 만드세요.",
  'group.title_new': "새 그룹",
  'group.title_edit': "그룹 고치기",
  'group.hint': "사람은 명부 탭에서 넣습니다: 마을·검색으로 목록을 좁힌 뒤 \"목록을 그룹에 넣기\"를 고르거나, 수신자 창에서 그룹을 고르세요.",
  'group.deleted': "그룹을 지웠습니다",
  'group.add_shown': "목록을 그룹에 넣기",
  'group.remove_shown': "목록을 그룹에서 빼기",
  'group.remove_confirm': "한 번 더 누르면 뺍니다",
  'group.of_subscriber': "소속 그룹",
  'dispatch.field.groups': "그룹",
  'dispatch.groups_note': "그룹 사람도 동의·수신 거부·수단 선택을 그대로 따릅니다. 같은 번호는 한 번만 받습니다."
} as const;
