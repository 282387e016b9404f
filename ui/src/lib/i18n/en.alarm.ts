// English: disaster drafts on the villages' loudspeakers. Keys shared with ko.alarm.ts.
export const enAlarm = {
  'alarm.title': "Disaster alarm on loudspeakers",
  'alarm.recording': "Alarm recording for the loudspeakers",
  'alarm.none': "None (loudspeakers not used)",
  'alarm.auto': "Play 위급재난 (critical) alerts on the loudspeakers at once, without waiting for a person",
  'alarm.save': "Save",
  'alarm.saved': "Loudspeaker alarm settings saved",
  'alarm.hint': "When a disaster draft is sent, this recording plays on the loudspeakers of its villages (after their zone tones). Only a finished county-wide recording can be chosen. Automatic play takes critical alerts of the last 30 minutes, once, when nothing else is on air.",
  'alarm.play': "Play on loudspeakers",
  'alarm.played': "Played on loudspeakers {time}",
  'alarm.played_auto': "Played on loudspeakers automatically {time}",
  'alarm.playing': "On the loudspeakers: {title}",
  'alarm.queued': "The loudspeakers play it as soon as the current broadcast ends",
  'alarm.failed': "Calls and texts sent, but the loudspeakers did not play: {reason}",
  'alarm.auto_failed': "Automatic loudspeaker alarm failed",
} as const;
