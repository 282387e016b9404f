// 한국어: frequent messages (자주 쓰는 문구). Keys shared with en.templates.ts.
export const koTemplates = {
  'templates.title': "자주 쓰는 문구",
  'templates.use': "자주 쓰는 문구",
  'templates.none': "고르지 않음",
  'templates.apply': "문구 넣기",
  'templates.empty': "아직 저장한 문구가 없습니다.",
  'templates.name': "문구 이름",
  'templates.fields': "칸 넣기:",
  'templates.add': "문구 추가",
  'templates.update': "문구 고치기",
  'templates.new': "새 문구",
  'templates.saved': "\"{name}\" 문구를 저장했습니다",
  'templates.deleted': "\"{name}\" 문구를 지웠습니다",
  'templates.delete_n': "\"{name}\" 문구 지우기",
} as const;
