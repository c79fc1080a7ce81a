data "callingportal_number" "main" {
  number = "+13125550100"
}

output "main_line_holder" {
  value = "${data.callingportal_number.main.assigned_type} ${data.callingportal_number.main.assigned_name}"
}
