# Terraform 1.8 or later: the second number is spelled with a provider function.
terraform {
  required_version = ">= 1.8"
  required_providers {
    callingportal = {
      source  = "callingportal/callingportal"
      version = "~> 0.1"
    }
  }
}

data "callingportal_service" "sales" {
  name = "Sales Hunt Group"
}

# Assign an available number to a service. Changing service_id (or switching
# to phone_id) moves the number in place; destroying it makes it available.
resource "callingportal_number_assignment" "sales_direct" {
  number     = "+13125550153"
  service_id = data.callingportal_service.sales.id
}

data "callingportal_phone" "lobby" {
  name = "Lobby Phone"
}

resource "callingportal_number_assignment" "lobby_second_line" {
  number   = provider::callingportal::normalize_number("(312) 555-0154", "US")
  phone_id = data.callingportal_phone.lobby.id
}
