import type { koGroups } from './ko.groups';

// English for the subscriber groups: every key of ko.groups.ts.
export const enGroups: Record<keyof typeof koGroups, string> = {
  'registry.tab.groups': "Groups",
  'registry.filter.group': "Any group",
  'group.name': "Group name",
  'group.note': "Note",
  'group.members': "Members",
  'group.villages': "Villages",
  'group.villages_suffix': " villages",
  'group.edit': "Edit",
  'group.empty': "No groups yet. Create one on the right.",
  'group.title_new': "New group",
  'group.title_edit': "Edit group",
  'group.hint': "Add people on the Registry tab: narrow the list by village or search, then choose \"Add list to group\", or pick groups in the subscriber form.",
  'group.deleted': "Group deleted",
  'group.add_shown': "Add list to group",
  'group.remove_shown': "Remove list from group",
  'group.remove_confirm': "Press again to remove",
  'group.of_subscriber': "Groups",
  'dispatch.field.groups': "Groups",
  'dispatch.groups_note': "Group members keep their consent, opt-out and channel choices. A number gets each message once."
};
