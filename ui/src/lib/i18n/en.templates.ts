// English: frequent messages.
export const enTemplates = {
  'templates.title': "Frequent messages",
  'templates.use': "Frequent message",
  'templates.none': "None",
  'templates.apply': "Use this message",
  'templates.empty': "No messages saved yet.",
  'templates.name': "Name",
  'templates.fields': "Insert a field:",
  'templates.add': "Add message",
  'templates.update': "Update message",
  'templates.new': "New message",
  'templates.saved': "Saved \"{name}\"",
  'templates.deleted': "Deleted \"{name}\"",
  'templates.delete_n': "Delete \"{name}\"",
} as const;
