# Every phone whose name starts with "Conference", regardless of case.
data "callingportal_phones" "conference_rooms" {
  name_prefix = "conference"
}

output "conference_room_phones" {
  value = { for ph in data.callingportal_phones.conference_rooms.phones : ph.name => ph.id }
}
