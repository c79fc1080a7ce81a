# Terraform 1.14 or later: `terraform query` lists the numbers that phones
# and services hold (a user's number belongs to the user, so it is not
# listed), and `terraform query -generate-config-out=assignments.tf` writes
# an import block and a callingportal_number_assignment block for each.
list "callingportal_number_assignment" "all" {
  provider         = callingportal
  include_resource = true
}

# Only the numbers of services, in the +1312555 range.
list "callingportal_number_assignment" "services" {
  provider = callingportal

  config {
    assigned_type = "service"
    prefix        = "+1312555"
  }
}
