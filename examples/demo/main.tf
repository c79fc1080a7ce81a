# The demo that `make demo` applies against a bundled portal seeded with the
# demo site. The provider reads CALLINGPORTAL_ENDPOINT, CALLINGPORTAL_TOKEN and
# CALLINGPORTAL_SITE from the environment the demo script sets.
# Terraform 1.8 or later (provider functions).
terraform {
  required_version = ">= 1.8"
  required_providers {
    callingportal = {
      source  = "callingportal/callingportal"
      version = "~> 0.1"
    }
  }
}

provider "callingportal" {}

# Read during plan, before anything changes.
data "callingportal_station_inventory" "before" {}

# Keeps the inventory as it was at the first apply, so later plans stay empty.
resource "terraform_data" "inventory_before" {
  input = data.callingportal_station_inventory.before

  lifecycle {
    ignore_changes = [input]
  }
}

data "callingportal_service" "sales" {
  name = "Sales Hunt Group"
}

# An available number, assigned to a service: takes one station.
resource "callingportal_number_assignment" "sales_direct" {
  number     = "+13125550150"
  service_id = data.callingportal_service.sales.id
}

# A hunt group declared here rather than clicked into the portal, and given a
# number: the service takes no station, the number on it one.
resource "callingportal_service" "support" {
  name        = "Support Hunt Group"
  type        = "hunt_group"
  extension   = "410"
  description = "Created by make demo"
}

resource "callingportal_number_assignment" "support_line" {
  number     = "+13125550152"
  service_id = callingportal_service.support.id
}

# A new user gets its number when it is set up: takes one station.
resource "callingportal_user" "katherine" {
  email        = "katherine.johnson@example.com"
  first_name   = "Katherine"
  last_name    = "Johnson"
  extension    = "204"
  phone_number = provider::callingportal::normalize_number("(312) 555-0151", "US")
}

# Read after the changes above are applied.
data "callingportal_station_inventory" "after" {
  depends_on = [
    callingportal_number_assignment.sales_direct,
    callingportal_number_assignment.support_line,
    callingportal_user.katherine,
  ]
}

output "inventory_before" {
  value = {
    total     = terraform_data.inventory_before.output.total
    in_use    = terraform_data.inventory_before.output.in_use
    available = terraform_data.inventory_before.output.available
  }
}

output "inventory_after" {
  value = {
    total     = data.callingportal_station_inventory.after.total
    in_use    = data.callingportal_station_inventory.after.in_use
    available = data.callingportal_station_inventory.after.available
  }
}

output "katherine" {
  value = "${callingportal_user.katherine.first_name} ${callingportal_user.katherine.last_name} (${callingportal_user.katherine.id}) on ${callingportal_user.katherine.phone_number}"
}
