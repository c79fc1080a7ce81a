data "callingportal_phone" "conference" {
  name = "Conference Room A"
}

resource "callingportal_number_assignment" "conference" {
  number   = "+13125550172"
  phone_id = data.callingportal_phone.conference.id
}
