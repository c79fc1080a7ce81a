# Adopt a site that already exists: every user, and every number on a phone
# or service, comes under Terraform in one plan, without a single change in
# the portal. Requires Terraform 1.7 or later (import blocks with for_each).
terraform {
  required_version = ">= 1.7"
  required_providers {
    callingportal = {
      source  = "callingportal/callingportal"
      version = "~> 0.1"
    }
  }
}

data "callingportal_numbers" "assigned" {
  status = "assigned"
}

data "callingportal_users" "all" {}

locals {
  on_targets = { for n in data.callingportal_numbers.assigned.numbers : n.number => n if n.assigned_type != "user" }
  users      = { for u in data.callingportal_users.all.users : u.email => u }
}

import {
  for_each = local.on_targets
  to       = callingportal_number_assignment.existing[each.key]
  id       = each.key
}

resource "callingportal_number_assignment" "existing" {
  for_each   = local.on_targets
  number     = each.key
  service_id = each.value.assigned_type == "service" ? each.value.assigned_id : null
  phone_id   = each.value.assigned_type == "phone" ? each.value.assigned_id : null
}

import {
  for_each = local.users
  to       = callingportal_user.existing[each.key]
  id       = each.key
}

resource "callingportal_user" "existing" {
  for_each     = local.users
  email        = each.key
  first_name   = each.value.first_name
  last_name    = each.value.last_name
  extension    = each.value.extension
  phone_number = each.value.phone_number
}
