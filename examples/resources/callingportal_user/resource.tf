# Terraform 1.11 or later: voicemail_pin_wo is write-only.
terraform {
  required_version = ">= 1.11"
  required_providers {
    callingportal = {
      source  = "callingportal/callingportal"
      version = "~> 0.1"
    }
  }
}

resource "callingportal_user" "jane" {
  email        = "jane.doe@example.com"
  first_name   = "Jane"
  last_name    = "Doe"
  extension    = "205"
  phone_number = "+13125550142"

  # Write-only: sent to the portal, never stored in state. Bump the version
  # to send a new PIN.
  voicemail_pin_wo         = var.jane_voicemail_pin
  voicemail_pin_wo_version = 1

  # Optional: how long each operation may take in all, retries included
  # (defaults: 20m to create, update or delete, 10m to read).
  timeouts = {
    create = "30m"
  }
}

variable "jane_voicemail_pin" {
  type      = string
  sensitive = true
  ephemeral = true
}
