# Terraform 1.14 or later: `terraform query` lists the site's users, and
# `terraform query -generate-config-out=users.tf` writes an import block and
# a callingportal_user block for each.
list "callingportal_user" "all" {
  provider         = callingportal
  include_resource = true
}

# Only the users whose email starts with "sales.", in any case.
list "callingportal_user" "sales" {
  provider = callingportal

  config {
    email_prefix = "sales."
  }
}
