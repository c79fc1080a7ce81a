# A hunt group declared in HCL, then given a number. The service itself takes
# no station; the number on it takes one.
resource "callingportal_service" "support" {
  name        = "Escalations Hunt Group"
  type        = "hunt_group"
  extension   = "420"
  description = "Rings the support team's phones in turn"
}

resource "callingportal_number_assignment" "support_line" {
  number     = "+13125550170"
  service_id = callingportal_service.support.id
}
