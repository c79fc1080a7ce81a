# Every hunt group of the site, ordered by name.
data "callingportal_services" "hunt_groups" {
  type = "hunt_group"
}

output "hunt_group_names" {
  value = data.callingportal_services.hunt_groups.services[*].name
}
