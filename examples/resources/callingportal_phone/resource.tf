# A desk phone declared in HCL, then given a number. Its model and MAC address
# are the hardware's: changing them replaces the phone.
resource "callingportal_phone" "reception" {
  name        = "Reception Desk"
  model       = "Yealink T54W"
  mac_address = "80:5e:c0:12:34:56"
  extension   = "421"
}

resource "callingportal_number_assignment" "reception_line" {
  number   = "+13125550171"
  phone_id = callingportal_phone.reception.id
}
