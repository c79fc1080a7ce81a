data "callingportal_service" "support" {
  name = "Support Queue"
}

resource "callingportal_number_assignment" "support_direct" {
  number     = "+13125550160"
  service_id = data.callingportal_service.support.id
}
