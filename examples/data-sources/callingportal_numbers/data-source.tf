# Every available number of the site.
data "callingportal_numbers" "available" {
  status = "available"
}

# Numbers on services in the 312-555-01xx block, and the portal's CSV export of
# the same list.
data "callingportal_numbers" "services" {
  assigned_type = "service"
  prefix        = "+13125550"
}

output "first_available" {
  value = data.callingportal_numbers.available.numbers[0].number
}

output "services_csv" {
  value = data.callingportal_numbers.services.csv
}
