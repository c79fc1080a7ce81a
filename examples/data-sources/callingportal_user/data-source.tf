# Look a user up by email ...
data "callingportal_user" "ada" {
  email = "ada.lovelace@example.com"
}

# ... or by phone number.
data "callingportal_user" "on_0121" {
  phone_number = "+13125550121"
}
