# Provider functions need Terraform 1.8 or later.
terraform {
  required_version = ">= 1.8"
  required_providers {
    callingportal = {
      source  = "callingportal/callingportal"
      version = "~> 0.1"
    }
  }
}

# Turns any common spelling into canonical E.164, the form number attributes take.
output "normalized" {
  value = provider::callingportal::normalize_number("(312) 555-0142", "US") # "+13125550142"
}

output "already_international" {
  value = provider::callingportal::normalize_number("+44 20 7946 0958", "") # "+442079460958"
}
