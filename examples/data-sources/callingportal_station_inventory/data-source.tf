data "callingportal_station_inventory" "site" {}

output "stations_available" {
  value = data.callingportal_station_inventory.site.available
}
